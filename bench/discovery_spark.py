"""Benchmark: the whole discovery cycle on Spark (``engine.spark_cycle``) beside the local engine, same data.

    nice -n 10 .venv/bin/python bench/discovery_spark.py --households 1000000
    .venv/bin/python bench/discovery_spark.py --households 200000 --master 'local[2]'

One run prints:

- local: ``run_cycle`` (engine="local") as a default install runs it: wall clock and CPU seconds.
- spark: ``run_cycle_spark`` on ``--master`` (default local[2]): the whole cycle (read the agency files,
  features, score, rank per dong, explain the listed, write the lists), wall clock and CPU seconds per
  stage, the CPU seconds of the whole process tree (this driver, the JVM and its Python workers, read from /proc: Spark's
  work happens outside this process). Starting the session (JVM and all) is printed apart.
- whether the two lists are identical (household ids, ranks, scores, reasons).
- JVM<->Python transfer: for the two heavy stages, the same input run three ways into Spark's ``noop``
  sink: read only (JVM), through a pass-through Python function (JVM + Arrow serialization both ways + the
  Python worker's reading and writing; for the score stage it hands back a batch of the kernel's output
  shape, so that both legs are the kernel's), and through the kernel. Transfer = pass-through - read only, given
  as a share of the kernel's run, and summed into a share of the whole Spark cycle.
- the ratio local / Spark, wall and per CPU-second, so a reader can judge when Spark pays: on one machine it
  does not (the same kernels plus a JVM, shuffles and Arrow copies); it pays when the households outgrow
  one machine's memory or a cluster's cores outnumber one machine's by more than the overhead printed.

Data (synthetic, generated once and reused under ``--data-dir``, the same layout as ``bench/discovery.py``):
a training city (``--train-households``) for the model and the evaluation city of ``--households``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

AS_OF = dt.date(2026, 11, 1)
TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu() -> float:
    """CPU seconds of this process and every descendant (live ones, and the ended ones their parents
    reaped): the driver, the JVM, PySpark's daemon and its workers."""
    parent: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry)] = int(fields[1])
        used[int(entry)] = sum(int(x) for x in fields[11:15]) / TICK  # utime stime cutime cstime
    me, total = os.getpid(), 0.0
    for pid in used:
        p = pid
        while p not in (0, 1, me) and p in parent:
            p = parent[p]
        if p == me:
            total += used[pid]
    return total


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} on {os.cpu_count()} CPUs"


class Clock:
    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), tree_cpu()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, tree_cpu() - self.cpu


def _noop(df: Any) -> tuple[float, float]:
    clock = Clock()
    df.write.format("noop").mode("overwrite").save()
    return clock.read()


def _score_shaped(batches: Iterator[Any]) -> Iterator[Any]:
    """The score stage's input in, a batch of the kernel's output shape and size out (columns of the input
    cast, no model): the Arrow copies of that stage without its work."""
    import pyarrow as pa

    for b in batches:
        col = b.schema.get_field_index
        yield pa.RecordBatch.from_arrays(
            [b.column(col("household_id")), b.column(col("dong")).cast(pa.string()),
             b.column(col("head_age")).cast(pa.float64()), b.column(col("household_size")).cast(pa.float64()),
             b.column(col("indicator_count")).cast(pa.int32())],
            names=["household_id", "dong", "score", "probability", "indicator_count"])


def transfer(spark: Any, label: str, jvm: Any, through: Callable[[Any], Any], kernel: Callable[[Any], Any],
             ) -> tuple[float, float]:
    """(transfer seconds, kernel seconds) of one stage, each of the three runs printed."""
    j, jc = _noop(jvm)
    p, pc = _noop(through(jvm))
    k, kc = _noop(kernel(jvm))
    share = (p - j) / k if k else 0.0
    print(f"  {label}: read only {j:.2f} s (CPU {jc:.2f}), pass-through Python {p:.2f} s (CPU {pc:.2f}), "
          f"kernel {k:.2f} s (CPU {kc:.2f}); transfer {p - j:.2f} s = {share:.0%} of the kernel's run "
          f"(CPU {(pc - jc) / kc if kc else 0:.0%})")
    return p - j, k


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--households", type=int, default=1_000_000)
    p.add_argument("--train-households", type=int, default=200_000)
    p.add_argument("--capacity", type=float, default=0.01, help="share of each dong's households it can visit")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--driver-memory", default="4g")
    p.add_argument("--buckets", type=int, default=None, help="household groups for the features (Spark)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--chunk-rows", type=int, default=1_000_000)
    p.add_argument("--data-dir", type=Path, default=Path("var/bench-discovery"))
    p.add_argument("--transfer", action=argparse.BooleanOptionalAction, default=True,
                   help="measure the JVM<->Python transfer of the feature and score stages")
    args = p.parse_args()

    import polars as pl
    from discovery import city_and_model  # bench/discovery.py: the same data and model

    from dolbom.discovery.engine import config, load_catalogue, load_model, run_cycle
    from dolbom.discovery.engine.spark import spark_session, spark_unavailable

    reason = spark_unavailable()
    if reason:
        print(f"Spark cannot run here: {reason}")
        return
    root = args.data_dir
    city, model_data, gen_s = city_and_model(args)
    if gen_s:
        print(f"generated {args.households:,} households in {gen_s:.1f} s")
    catalogue = load_catalogue()
    out = root / f"out-spark-{args.households}"
    shutil.rmtree(out, ignore_errors=True)
    model = load_model(model_data)
    model.predict_raw(pl.DataFrame({n: [0.0] for n in model.feature_names}).to_numpy())  # compile/load the trees
    common = dict(households=city.households_path, indicators=city.out_dir / "sources", model=model,
                  catalogue=catalogue, as_of=AS_OF, capacity=args.capacity)
    n = args.households

    clock = Clock()
    local = run_cycle(**common, out_dir=out / "local")
    local_s, local_cpu = clock.read()
    stages = ", ".join(f"{k} {v:.2f}" for k, v in local.timings.items() if not k.endswith(("_cpu", "_main")))
    print(f"local: {n:,} households, {local.lists.height:,} listed, {local_s:.2f} s = {n / local_s:,.0f}/s, "
          f"CPU {local_cpu:.2f} s = {n / local_cpu:,.0f} per CPU-second [{stages}], trees by {model.backend}, "
          f"{_load()}")

    from dolbom.discovery.engine.spark_cycle import (
        _feature_names,
        _features_kernel,
        _scores_kernel,
        read_sources,
        run_cycle_spark,
    )

    config.configure(spark_master=args.master, spark_driver_memory=args.driver_memory)
    clock = Clock()
    spark = spark_session()
    start_s, start_cpu = clock.read()
    print(f"spark session on {args.master} (driver memory {args.driver_memory}): {start_s:.1f} s to start "
          f"(CPU {start_cpu:.1f} s), not counted below")
    clock = Clock()
    result = run_cycle_spark(**common, out_dir=out / "spark", spark=spark, buckets=args.buckets, keep_work=True,
                             cpu_clock=tree_cpu)
    spark_s, spark_cpu = clock.read()
    stages = ", ".join(f"{k} {v:.2f}/{result.timings[k + '_cpu']:.2f}" for k, v in result.timings.items()
                       if not k.endswith("_cpu"))
    print(f"spark: {n:,} households, {result.lists.height:,} listed, {spark_s:.2f} s = {n / spark_s:,.0f}/s, "
          f"CPU (driver + JVM + Python workers) {spark_cpu:.2f} s = {n / spark_cpu:,.0f} per CPU-second "
          f"[wall/CPU s: {stages}], {_load()}")
    a, b = local.lists.sort("household_id"), result.lists.sort("household_id")
    print(f"identical lists (ids, ranks, scores, probabilities, reasons): {a.equals(b)}")

    if args.transfer:
        from pyspark.sql import functions as F

        names = _feature_names(catalogue, AS_OF)
        print("JVM<->Python transfer (each into Spark's noop sink):")
        records = read_sources(spark, city.out_dir / "sources")
        buckets = args.buckets or int(spark.conf.get("spark.sql.shuffle.partitions"))
        grouped = F.pmod(F.xxhash64("household_id"), F.lit(buckets)).alias("_bucket")
        feature_ddl = ", ".join(["household_id long", *[f"{x} float" for x in names], "indicator_count float"])
        t_feat, k_feat = transfer(
            spark, "features (applyInArrow per bucket of households)", records,
            lambda df: df.groupBy(grouped).applyInArrow(lambda t: t, df.schema),
            lambda df: df.groupBy(grouped).applyInArrow(_features_kernel(catalogue, AS_OF, names), feature_ddl))
        features = spark.read.parquet(str(out / "spark" / "_work" / "features.parquet"))
        score_ddl = "household_id long, dong string, score double, probability double, indicator_count int"
        t_score, k_score = transfer(
            spark, "score (mapInArrow)", features, lambda df: df.mapInArrow(_score_shaped, score_ddl),
            lambda df: df.mapInArrow(_scores_kernel(model.data, model.compiled, names, False, "shap"), score_ddl))
        moved = t_feat + t_score
        print(f"  transfer in the two stages: {moved:.2f} s = {moved / spark_s:.0%} of the whole Spark cycle "
              f"({spark_s:.2f} s); the kernels themselves there: {k_feat + k_score - moved:.2f} s")
    print(f"ratio local / spark: {spark_s / local_s:.1f}x the wall clock on Spark ({n / local_s:,.0f} vs "
          f"{n / spark_s:,.0f} households/s), {spark_cpu / local_cpu:.1f}x the CPU seconds ({_load()})")
    spark.stop()


if __name__ == "__main__":
    main()
