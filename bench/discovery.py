"""Benchmark: crisis discovery end to end against a naive pandas pipeline, on the same synthetic data.

    .venv/bin/python bench/discovery.py --households 1000000 --engine local
    nice .venv/bin/python bench/discovery.py --households 5000000 --engine local
    nice .venv/bin/python bench/discovery.py --households 23000000 --no-quality

What is timed, for each: read households and every agency's Parquet file -> features -> score every
household -> each dong's ranked visit list (capacity = ``--capacity`` of its households) with the top
reasons of every listed household -> lists written as Parquet. One run prints three of them:

- engine: ``dolbom.discovery.engine.run_cycle`` as a default install runs it (features scattered from
  the records straight into each scoring batch, the trees compiled by lleaves with LightGBM as the
  fallback, TreeSHAP once per tree and cell of rows for the listed households only); the tree backend
  in use is named. ``--engine spark`` runs the same kernel under PySpark.
- the same engine with LightGBM's own ``predict`` for the trees (what it gives where compiling fails).
- baseline: how one would write it without thinking about speed: pandas ``groupby``/``unstack`` for the
  features, the model's own LightGBM ``predict`` in row batches of ``--batch-rows``, pandas sort/groupby
  for the lists, ``pred_contrib`` and a Python loop for the reasons of the listed households. It runs
  on the first ``--baseline-households`` households of the same files (default: all of them, up to
  1,000,000: at 5,000,000 the pandas pipeline grew past 19 GiB and was killed for memory on a 23 GiB
  machine). It needs pandas (``pip install -e '.[bench]'``); without it the bench says so and skips it.

Each line gives the wall clock, the CPU seconds of the process, the households per second of both and
the machine's load average, so that a figure taken on a busy machine can be read.

Not timed and printed separately: generating the synthetic sources (streamed in chunks) and training
the model on another synthetic city. The quality of the model against the indicator-count rule on the
evaluation city (never trained on) is printed too. Data lives under ``--data-dir`` and is reused by
later runs with the same size and seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AS_OF = dt.date(2026, 11, 1)


def _engine_digest() -> str:
    """Retrain when the engine's model code changes."""
    import hashlib

    from dolbom.discovery.engine import model

    return hashlib.sha256(Path(model.__file__).read_bytes()).hexdigest()[:8]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} on {os.cpu_count()} CPUs"


def _rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def sources(n: int, seed: int, root: Path, chunk_rows: int):  # noqa: ANN201 - SourceManifest
    from dolbom.discovery.engine import SourceManifest, generate_sources, load_catalogue

    out = root / f"city-{n}-{seed}"
    done = out / "DONE"
    if done.exists():
        catalogue = load_catalogue()
        paths = {a: out / "sources" / f"{catalogue.agencies[a].file_stem}.parquet"
                 for a in sorted({i.agency for i in catalogue.active(AS_OF)})}
        return SourceManifest(out_dir=out, households_path=out / "households.parquet", truth_path=out / "truth.parquet",
                              source_paths=paths, households=n, as_of=AS_OF, seed=seed), 0.0
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    manifest = generate_sources(n, seed=seed, out_dir=out, as_of=AS_OF, chunk_rows=chunk_rows)
    elapsed = time.perf_counter() - t
    done.write_text(json.dumps({"households": n, "seed": seed}))
    return manifest, elapsed


def train(manifest, seed: int) -> bytes:  # noqa: ANN001
    import polars as pl

    from dolbom.discovery.engine import build_features, load_catalogue, train_model

    catalogue = load_catalogue()
    features = build_features(manifest.out_dir / "sources", catalogue, AS_OF,
                              households=pl.read_parquet(manifest.households_path))
    artifact = train_model(features, pl.read_parquet(manifest.truth_path), seed=seed, catalogue=catalogue)
    print(f"model {artifact.version}: {artifact.metrics['trees']} trees, held-out AUC {artifact.metrics['auc_test']:.3f} "
          f"(indicator count {artifact.metrics['baseline_auc_test']:.3f}) on {artifact.metrics['n_test']:,} households")
    return artifact.data


def naive(manifest, model_data: bytes, capacity: float, limit: int, batch_rows: int, out: Path) -> int:  # noqa: ANN001
    """pandas + the model's own predict in row batches; returns the number of households done."""
    import numpy as np
    import pandas as pd

    from dolbom.discovery.engine import load_catalogue, load_model

    model = load_model(model_data, compiled=False)
    catalogue = load_catalogue()
    hh = pd.read_parquet(manifest.households_path).head(limit)
    rec = pd.concat([pd.read_parquet(p) for p in manifest.source_paths.values()], ignore_index=True)
    rec = rec[rec["household_id"].isin(hh["household_id"])]
    active = catalogue.active(AS_OF)
    rules = pd.DataFrame({"indicator_code": [i.code for i in active], "within": [i.within_days for i in active],
                          "tmonths": [i.threshold_months for i in active], "amin": [i.amount_min for i in active],
                          "amax": [i.amount_max for i in active]})
    rec = rec.merge(rules, on="indicator_code")
    rec["days"] = (pd.Timestamp(AS_OF) - pd.to_datetime(rec["reference_date"])).dt.days
    rec = rec[(rec["days"] >= 0) & (rec["days"] <= rec["within"])]
    m, a = rec["months"].fillna(0), rec["amount"].fillna(0)
    rec["present"] = ((rec["tmonths"].isna() | (m >= rec["tmonths"])) & (rec["amin"].isna() | (a >= rec["amin"]))
                      & (rec["amax"].isna() | (a <= rec["amax"]))).astype(float)
    rec["amount_manwon"] = rec["amount"] / 10_000
    g = rec.groupby(["household_id", "indicator_code"]).agg(
        present=("present", "max"), months=("months", "max"), amount=("amount_manwon", "sum"), recency=("days", "min"))
    wide = g.unstack("indicator_code")
    wide.columns = [f"{code}_{kind}" for kind, code in wide.columns]
    feats = hh.set_index("household_id").join(wide, how="left")
    feats["household_type"] = pd.Categorical(feats["household_type"], categories=model.household_types).codes
    for name in model.feature_names:
        if name not in feats.columns:
            feats[name] = np.nan
        if not name.endswith("_recency") and name not in ("household_type", "head_age", "household_size"):
            feats[name] = feats[name].fillna(0.0)
    present = [n for n in model.feature_names if n.endswith("_present")]
    feats["indicator_count"] = feats[present].sum(axis=1)
    X = feats[model.feature_names].astype(float)
    raw = np.concatenate([model.booster.predict(X.iloc[s:s + batch_rows], raw_score=True, num_threads=1)
                          for s in range(0, len(X), batch_rows)])
    feats["probability"] = model.probability(raw)
    feats["score"] = raw
    feats = feats.reset_index()
    caps = (feats.groupby("dong").size() * capacity).apply(np.ceil).astype(int)
    feats = feats.sort_values(["dong", "probability"], ascending=[True, False])
    feats["rank"] = feats.groupby("dong").cumcount() + 1
    lists = feats[feats["rank"] <= feats["dong"].map(caps)].copy()
    contrib = model.booster.predict(lists[model.feature_names].astype(float), pred_contrib=True, num_threads=1)
    reasons = []
    for row, values in zip(contrib, lists[model.feature_names].itertuples(index=False), strict=True):
        totals: dict[str, float] = {}
        for group, c in zip(model.groups, row[:-1], strict=True):
            totals[group] = totals.get(group, 0.0) + c
        texts = []
        for group, c in sorted(totals.items(), key=lambda kv: -kv[1])[:3]:
            template = model.reasons.get(group)
            if c <= 0 or not template:
                continue
            if isinstance(template, dict):
                texts.append(template.get(model.household_types[int(values[model.feature_names.index(group)])], ""))
                continue
            fill = {}
            for key, suffix in (("months", "_months"), ("amount_manwon", "_amount"), ("recency_days", "_recency")):
                col = group + suffix if group + suffix in model.feature_names else group
                if col in model.feature_names:
                    v = values[model.feature_names.index(col)]
                    fill[key] = "?" if v != v else str(int(round(v)))
            fill.update({f: str(int(values[model.feature_names.index(f)])) for f in ("head_age", "household_size")})
            texts.append(template.format(**fill))
        reasons.append(texts)
    lists["reasons"] = reasons
    lists[["dong", "rank", "household_id", "score", "probability", "indicator_count", "reasons"]].to_parquet(out)
    return len(hh)


def city_and_model(args: argparse.Namespace):  # noqa: ANN201
    """The evaluation city of ``--households`` and the model trained on a separate training city, both made once
    under ``--data-dir`` and reused (bench/discovery_spark.py takes the same)."""
    root = args.data_dir
    root.mkdir(parents=True, exist_ok=True)
    train_city, _ = sources(args.train_households, args.seed, root, args.chunk_rows)
    model_path = root / f"model-{args.train_households}-{args.seed}-{_engine_digest()}.json"
    if not model_path.exists():
        model_path.write_bytes(train(train_city, args.seed))
    city, gen_s = sources(args.households, args.seed + 1, root, args.chunk_rows)
    return city, model_path.read_bytes(), gen_s


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--households", type=int, default=1_000_000)
    p.add_argument("--engine", choices=["local", "spark"], default="local")
    p.add_argument("--capacity", type=float, default=0.01, help="share of each dong's households it can visit")
    p.add_argument("--train-households", type=int, default=200_000)
    p.add_argument("--baseline-households", type=int, default=None)
    p.add_argument("--batch-rows", type=int, default=10_000, help="baseline predict batch")
    p.add_argument("--chunk-rows", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data-dir", type=Path, default=Path("var/bench-discovery"))
    p.add_argument("--quality", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--reasons", choices=["shap", "path"], default="shap",
                   help="contributions behind the reasons: TreeSHAP (pred_contrib) or the rows' own tree paths")
    p.add_argument("--native", action=argparse.BooleanOptionalAction, default=True,
                   help="also run the engine with LightGBM's own predict for the trees")
    args = p.parse_args()

    import polars as pl

    from dolbom.discovery.engine import load_catalogue, load_model, quality_report, run_cycle

    root = args.data_dir
    city, model_data, gen_s = city_and_model(args)
    if gen_s:
        print(f"generated {args.households:,} households in {gen_s:.1f} s ({args.households / gen_s:,.0f}/s), "
              f"peak RSS {_rss_gib():.1f} GiB")
    catalogue = load_catalogue()
    out = root / f"out-{args.households}"
    out.mkdir(exist_ok=True)
    model = load_model(model_data)
    t = time.perf_counter()
    model.predict_raw(pl.DataFrame({n: [0.0] for n in model.feature_names}).to_numpy())  # compile or load the trees
    print(f"trees: {model.backend} (the default install's); compiled or loaded from the cache in "
          f"{time.perf_counter() - t:.1f} s")

    def cycle(model, label: str, keep: bool):  # noqa: ANN001, ANN202
        t, cpu = time.perf_counter(), time.process_time()
        result = run_cycle(households=city.households_path, indicators=city.out_dir / "sources", model=model,
                           catalogue=catalogue, as_of=AS_OF, capacity=args.capacity, out_dir=out / label,
                           engine=args.engine, keep_scores=keep, explain_with=args.reasons)
        wall, used = time.perf_counter() - t, time.process_time() - cpu
        # name: wall/CPU of the whole process/CPU of the calling thread alone (the part no other core takes)
        parts = ", ".join(f"{k} {v:.2f}/{result.timings[k + '_cpu']:.2f}"
                          + (f"/{result.timings[k + '_main']:.2f}" if k + "_main" in result.timings else "")
                          for k, v in result.timings.items() if not k.endswith(("_cpu", "_main")))
        print(f"{label} ({args.engine}, trees by {model.backend}, reasons by {args.reasons}): "
              f"{result.households:,} households, {result.lists.height:,} listed, {result.scored_with_records:,} "
              f"with records, {wall:.2f} s = {result.households / wall:,.0f} households/s; CPU {used:.2f} s = "
              f"{result.households / used:,.0f} households per CPU-second [wall/CPU/main-thread CPU s: {parts}], "
              f"peak RSS {_rss_gib():.1f} GiB, {_load()}")
        return result, result.households / wall, result.households / used

    result, engine_rate, engine_cpu_rate = cycle(model, "engine", args.quality)
    if args.quality and result.scores is not None:
        t, cpu = time.perf_counter(), time.process_time()
        # The files by path: the report reads only the columns it needs, the text as the files' dictionaries.
        report = quality_report(result.scores, city.truth_path, city.households_path, args.capacity)
        q_wall, q_cpu = time.perf_counter() - t, time.process_time() - cpu
        print(f"quality report: {q_wall:.2f} s wall, {q_cpu:.2f} CPU s, peak RSS {_rss_gib():.1f} GiB, {_load()}")
        o = report["overall"]
        print(f"quality on the evaluation city (not trained on), capacity {args.capacity:.1%} of each dong: "
              f"AUC model {o['auc_model']:.3f} vs rule {o['auc_baseline']:.3f}; support rate (precision) "
              f"model {o['precision_model']:.3f} vs rule {o['precision_baseline']:.3f}; recall model "
              f"{o['recall_model']:.3f} vs rule {o['recall_baseline']:.3f}; prevalence {o['prevalence']:.3f}")
        del result.scores
    del result
    if args.native:
        _, native_rate, native_cpu_rate = cycle(load_model(model_data, compiled=False), "native", False)
        print(f"ratio engine / native LightGBM predict: {engine_rate / native_rate:.2f}x wall, "
              f"{engine_cpu_rate / native_cpu_rate:.2f}x per CPU-second")

    if args.baseline_households == 0:
        print("baseline skipped (--baseline-households 0)")
        return
    try:
        import pandas  # noqa: F401
    except ImportError:
        print("baseline skipped: pandas is not installed (pip install -e '.[bench]')")
        return
    limit = args.baseline_households if args.baseline_households is not None else min(args.households, 1_000_000)
    t, cpu = time.perf_counter(), time.process_time()
    done = naive(city, model_data, args.capacity, limit, args.batch_rows, out / "lists-baseline.parquet")
    naive_s, naive_cpu = time.perf_counter() - t, time.process_time() - cpu
    naive_rate, naive_cpu_rate = done / naive_s, done / naive_cpu
    print(f"baseline (pandas + LightGBM predict in batches of {args.batch_rows:,}): {done:,} households, "
          f"{naive_s:.2f} s = {naive_rate:,.0f} households/s; CPU {naive_cpu:.2f} s = {naive_cpu_rate:,.0f} "
          f"households per CPU-second, peak RSS {_rss_gib():.1f} GiB, {_load()}")
    print(f"ratio engine / baseline: {engine_rate / naive_rate:.1f}x wall ({engine_rate:,.0f} vs {naive_rate:,.0f} "
          f"households/s), {engine_cpu_rate / naive_cpu_rate:.1f}x per CPU-second")


if __name__ == "__main__":
    main()
