"""Scoring: the per-batch kernel, the local and Spark drivers, and ranked lists per dong.

``score_batch`` is a plain function of one Arrow batch and a model, so the same code runs in-process
and inside Spark's ``mapInArrow``: the two engines give identical scores because they run the same
kernel on the same rows.

Reasons are the model's own per-household contributions (LightGBM ``pred_contrib``, i.e. TreeSHAP),
summed per indicator kind (its present/months/amount/recency features together) and per context
feature; the three largest positive ones become Korean texts filled with the household's own values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dolbom.discovery.engine import config
from dolbom.discovery.engine.features import default_value, lookup
from dolbom.discovery.engine.model import Model
from dolbom.discovery.engine.schema import COUNT_FEATURE, SCORE_SCHEMA

TOP_REASONS = 3
Explain = Literal["shap", "path"]
_FIELD = re.compile(r"\{(\w+)\}")


def feature_matrix(batch: pa.RecordBatch | pa.Table | pl.DataFrame, names: list[str]) -> np.ndarray:
    """The model's features as a C-ordered float64 matrix; a feature the batch lacks takes its default."""
    df = batch if isinstance(batch, pl.DataFrame) else pl.from_arrow(batch)
    assert isinstance(df, pl.DataFrame)
    cols = [pl.col(n).cast(pl.Float64) if n in df.columns
            else pl.lit(default_value(n), dtype=pl.Float64).alias(n) for n in names]
    if df.height == 0:
        return np.zeros((0, len(names)), dtype=np.float64)
    return df.select(cols).to_numpy(order="c")


def _fill(template: str, X: np.ndarray, rows: np.ndarray, column: dict[str, int], prefix: str) -> pa.Array:
    """Template texts for ``rows`` as one Arrow string array: literal parts and the rows' own values
    (rounded to whole numbers, "?" where missing) joined in Arrow, no Python string per row."""
    pieces: list[pa.Array | str] = []
    for i, part in enumerate(_FIELD.split(template)):
        if i % 2 == 0:
            if part:
                pieces.append(part)
            continue
        name = {"months": f"{prefix}_months", "amount_manwon": f"{prefix}_amount",
                "recency_days": f"{prefix}_recency"}.get(part, part)
        values = X[rows, column[name]] if name in column else np.full(len(rows), np.nan)
        missing = np.isnan(values)
        text = pa.array(np.round(np.where(missing, 0, values)).astype(np.int64)).cast(pa.string())
        pieces.append(pc.if_else(pa.array(missing), "?", text) if missing.any() else text)
    if not any(isinstance(p, pa.Array) for p in pieces):
        return pa.array(["".join(p for p in pieces if isinstance(p, str))] * len(rows), pa.string())
    return pc.binary_join_element_wise(*pieces, "")


def explain_arrays(model: Model, X: np.ndarray, top: int = TOP_REASONS, threads: int = 1,
                   method: Explain = "shap") -> tuple[pa.ListArray, pa.ListArray]:
    """(reason codes, Korean reasons) of every row as Arrow lists, strongest positive contribution first.
    ``method``: "shap" (TreeSHAP: LightGBM's pred_contrib, evaluated once per tree and distinct cell of
    rows) or "path" (the rows' own tree paths, cheaper still, but its first reason differs from TreeSHAP's
    for about one listed household in four, so it is not the default). With ``threads`` > 1 the rows are
    cut into as many chunks, explained by the engine's workers side by side (LightGBM, numpy and Arrow
    leave the GIL): each row's numbers are the same whichever chunk it is in."""
    n = X.shape[0]
    chunks = min(threads, n // MIN_CHUNK_ROWS)
    workers = config.pool(chunks)
    if workers is None:
        return _explain_rows(model, X, top, method)
    bounds = np.linspace(0, n, chunks + 1).astype(np.int64)
    parts = list(workers.map(lambda lo_hi: _explain_rows(model, X[lo_hi[0]:lo_hi[1]], top, method),
                             zip(bounds[:-1], bounds[1:], strict=True)))
    return (pa.concat_arrays([codes for codes, _ in parts]),  # type: ignore[return-value]
            pa.concat_arrays([texts for _, texts in parts]))


# Below this many rows a chunk of its own costs more (the per-tree calls) than it saves.
MIN_CHUNK_ROWS = 4096


def _explain_rows(model: Model, X: np.ndarray, top: int, method: Explain) -> tuple[pa.ListArray, pa.ListArray]:
    n = X.shape[0]
    groups = list(dict.fromkeys(model.groups))
    if n == 0:
        empty = pa.ListArray.from_arrays(pa.array([0], pa.int32()), pa.array([], pa.string()))
        return empty, empty
    index = {g: i for i, g in enumerate(groups)}
    G = np.zeros((len(model.groups), len(groups)))
    G[np.arange(len(model.groups)), [index[g] for g in model.groups]] = 1.0
    per_group = model.path_group_contributions(X, G) if method == "path" else model.shap_group_contributions(X, G)
    k = min(top, len(groups))
    order = np.argsort(-per_group, axis=1, kind="stable")[:, :k]
    strength = np.take_along_axis(per_group, order, axis=1)
    column = {name: j for j, name in enumerate(model.feature_names)}
    # Every text is built once, per reason group for the rows naming it; ``at`` says where each (row, slot)
    # text is in their concatenation (-1: none).
    at = np.full((n, k), -1, dtype=np.int64)
    pieces: list[pa.Array] = []
    done = 0
    for gi, group in enumerate(groups):
        rows, slots = np.nonzero((order == gi) & (strength > 0))
        template = model.reasons.get(group)
        if len(rows) == 0 or not template:
            continue
        if isinstance(template, dict):  # household type: a text per value
            kinds = model.household_types
            codes = X[rows, column[group]]
            known = ~np.isnan(codes) & (np.nan_to_num(codes, nan=-1) >= 0) & (np.nan_to_num(codes) < len(kinds))
            lut = pa.array([template.get(kind) for kind in kinds] + [None], pa.string())
            text = lut.take(pa.array(np.where(known, np.nan_to_num(codes), len(kinds)).astype(np.int64)))
        else:
            text = _fill(template, X, rows, column, group)
        pieces.append(text)
        at[rows, slots] = done + np.arange(len(rows))
        done += len(rows)
    texts = pa.concat_arrays(pieces) if pieces else pa.array([], pa.string())
    written = pc.fill_null(pc.greater(pc.binary_length(texts), 0), False).to_numpy(zero_copy_only=False)
    given = at >= 0
    given[given] = written[at[given]]  # a text, not a missing or empty one
    offsets = pa.array(np.concatenate([[0], np.cumsum(given.sum(axis=1))]).astype(np.int32))
    names = pa.array(groups, pa.string())
    return (pa.ListArray.from_arrays(offsets, names.take(pa.array(order[given]))),
            pa.ListArray.from_arrays(offsets, texts.take(pa.array(at[given]))))


def explain(model: Model, X: np.ndarray, top: int = TOP_REASONS, threads: int = 1,
            method: Explain = "shap") -> tuple[list[list[str]], list[list[str]]]:
    """``explain_arrays`` as Python lists."""
    codes, texts = explain_arrays(model, X, top=top, threads=threads, method=method)
    return codes.to_pylist(), texts.to_pylist()


def score_batch(batch: pa.RecordBatch, model: Model, *, reasons: bool = True, threads: int = 1,
                explain_with: Explain = "shap") -> pa.RecordBatch:
    """Score one batch of feature rows (household_id + the model's features) -> SCORE_SCHEMA rows."""
    X = feature_matrix(batch, model.feature_names)
    ids = batch.column(batch.schema.get_field_index("household_id"))
    n = X.shape[0]
    if n:
        raw = model.predict_raw(X, threads)
    else:
        raw = np.zeros(0)
    if COUNT_FEATURE in batch.schema.names:
        count = np.nan_to_num(batch.column(batch.schema.get_field_index(COUNT_FEATURE)).to_numpy(
            zero_copy_only=False)).astype(np.int32)
    else:
        present = [j for j, name in enumerate(model.feature_names) if name.endswith("_present")]
        count = X[:, present].sum(axis=1).astype(np.int32)
    if reasons:
        code_array, text_array = explain_arrays(model, X, threads=threads, method=explain_with)
    else:
        code_array = text_array = pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, dtype=np.int32)),
                                                           pa.array([], pa.string()))
    version = pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([model.version]))
    return pa.RecordBatch.from_arrays([
        pa.array(ids, type=pa.int64()),
        pa.array(raw, type=pa.float64()),
        pa.array(model.probability(raw), type=pa.float64()),
        pa.array(count, type=pa.int32()),
        code_array,
        text_array,
        version.cast(pa.string()),
    ], schema=SCORE_SCHEMA)


def _batches(source: pl.DataFrame | pa.Table | str | Path | Iterable[str | Path], rows: int) -> Iterator[pa.RecordBatch]:
    if isinstance(source, pl.DataFrame):
        source = source.to_arrow()
    if isinstance(source, pa.Table):
        yield from source.to_batches(max_chunksize=rows)
        return
    paths = [source] if isinstance(source, str | Path) else list(source)
    for path in paths:
        yield from pq.ParquetFile(path).iter_batches(batch_size=rows)


def score(features: pl.DataFrame | pa.Table | str | Path | Iterable[str | Path], model: Model, *,
          engine: Literal["local", "spark"] = "local", reasons: bool = True, out: str | Path | None = None,
          batch_rows: int = 262_144, threads: int = 1, explain_with: Explain = "shap") -> pl.DataFrame | Path:
    """Score feature rows (a frame or Parquet files) with the chosen engine. With ``out`` the scores are
    written there as Parquet (a file for local, a directory for Spark) and the path is returned."""
    if engine == "spark":
        from dolbom.discovery.engine.spark import score_spark

        return score_spark(features, model, reasons=reasons, out=out, batch_rows=batch_rows,
                           explain_with=explain_with)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r}")
    batches = (score_batch(b, model, reasons=reasons, threads=threads, explain_with=explain_with)
               for b in _batches(features, batch_rows))
    if out is not None:
        out = Path(out)
        with pq.ParquetWriter(out, SCORE_SCHEMA) as writer:
            for b in batches:
                writer.write_batch(b)
        return out
    table = pa.Table.from_batches(list(batches), schema=SCORE_SCHEMA)
    return pl.from_arrow(table)  # type: ignore[return-value]


def _dong_codes(dong: pl.Series) -> tuple[np.ndarray, list[str]]:
    """(code of each row's dong, the dong names): the dictionary of a categorical column, no string compared."""
    arrow = dong.cast(pl.Categorical).to_arrow() if dong.dtype not in (pl.Categorical, pl.Enum) else dong.to_arrow()
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    names = [str(v) for v in arrow.dictionary.to_pylist()]
    codes = arrow.indices.fill_null(len(names)).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, [*names, ""]


def rank_by_dong(scores: pl.DataFrame, households: pl.DataFrame | pa.Table, capacity: int | float | dict[str, int],
                 *, exclude: pa.Array | pl.Series | None = None) -> pl.DataFrame:
    """The top ``capacity`` households of each dong by calibrated probability, ranked from 1.

    ``scores`` may carry the ``dong`` already (else it is joined from ``households``). Households in
    ``exclude`` (already in an open case, or objecting to automated processing) are removed before
    ranking so the next household takes their place. Ties are broken by the raw score, then the
    household id, so the order is stable. Only the rows that can still make a list are sorted."""
    hh = households if isinstance(households, pl.DataFrame) else pl.from_arrow(households)
    assert isinstance(hh, pl.DataFrame)
    df = scores if "dong" in scores.columns else scores.join(hh.select("household_id", "dong"), on="household_id")
    codes, names = _dong_codes(df["dong"])
    ids = df["household_id"].to_numpy()
    keep = np.ones(len(ids), dtype=bool)
    if exclude is not None and len(exclude):
        at, found = lookup(ids, pl.Series(exclude).cast(pl.Int64).to_numpy())
        keep[at[found]] = False
    by_name = dict(capacity_table(hh, capacity).iter_rows())
    cap = np.array([int(by_name.get(name, 0)) for name in names], dtype=np.int64)
    order, rank = rank_rows(ids, codes, names, df["probability"].to_numpy(), df["score"].to_numpy(), cap, keep)
    ranked = df[order].with_columns(pl.col("dong").cast(pl.Utf8), rank=pl.Series(rank, dtype=pl.Int32))
    return ranked.select("dong", "rank", *[c for c in ranked.columns if c not in ("dong", "rank")])


def rank_rows(ids: np.ndarray, codes: np.ndarray, names: list[str], p: np.ndarray, raw: np.ndarray, cap: np.ndarray,
              keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the listed rows in list order: dong by name, then rank; their ranks from 1). ``codes``: each row's
    dong among ``names``; ``cap``: each dong's capacity by code; ``keep``: the rows that may be listed.
    Order: probability, then raw score (descending), then household id."""
    candidates = _candidates(p, codes, cap, keep)
    sort_key = np.argsort(np.argsort(np.array(names, dtype=object)))  # each dong's place in name order
    order = candidates[np.lexsort((ids[candidates], -raw[candidates], -p[candidates], sort_key[codes[candidates]]))]
    dong = codes[order]
    starts = np.flatnonzero(np.concatenate([[True], dong[1:] != dong[:-1]])) if len(dong) else np.zeros(0, np.int64)
    rank = np.arange(len(dong)) - np.repeat(starts, np.diff(np.concatenate([starts, [len(dong)]]))) + 1
    listed = rank <= cap[dong]
    return order[listed], rank[listed]


def _candidates(p: np.ndarray, codes: np.ndarray, cap: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Rows that can still make a list, so only a few per cent of the households are sorted.

    A dong keeps its rows at or above a cut when it has at least its capacity there: its top rows are all
    among them, whatever the order of ties. The cut is global, at twice the total capacity; the dongs with
    too few rows above it (quiet dongs) get a lower cut of their own, at twice their capacity among their
    other rows, and so on until each has its capacity or all its rows. Exact either way."""
    total, n = int(cap.sum()), int(keep.sum())
    if total <= 0 or 4 * total >= n:
        return np.flatnonzero(keep)
    kept = p[keep] if n < len(p) else p
    above = p >= np.partition(kept, n - 2 * total)[n - 2 * total]
    if n < len(p):
        above &= keep
    short = np.bincount(codes[above], minlength=len(cap)) < cap
    while short.any():
        rest = np.flatnonzero(keep & short[codes] & ~above)
        k = 2 * int(cap[short].sum())
        if k >= len(rest):
            above[rest] = True
            break
        values = p[rest]
        above[rest[values >= np.partition(values, len(rest) - k)[len(rest) - k]]] = True
        short = np.bincount(codes[above], minlength=len(cap)) < cap
    return np.flatnonzero(above)


def capacity_by_code(codes: np.ndarray, names: list[str], capacity: int | float | dict[str, int]) -> np.ndarray:
    """Each dong's capacity, by code (``names``: the dongs by code, the last one "" for a missing dong)."""
    if isinstance(capacity, dict):
        return np.array([int(capacity.get(name, 0)) for name in names], dtype=np.int64)
    n = np.bincount(codes, minlength=len(names))
    if isinstance(capacity, float):
        cap = np.ceil(n * capacity).astype(np.int64)
    else:
        cap = np.where(n > 0, int(capacity), 0).astype(np.int64)
    cap[len(names) - 1] = 0  # households without a dong are on no list
    return cap


def capacity_table(households: pl.DataFrame, capacity: int | float | dict[str, int]) -> pl.DataFrame:
    """dong -> how many households it can visit this cycle."""
    if isinstance(capacity, dict):
        return pl.DataFrame({"dong": list(capacity), "capacity": list(capacity.values())},
                            schema={"dong": pl.Utf8, "capacity": pl.Int64})
    codes, names = _dong_codes(households["dong"])
    n = np.bincount(codes, minlength=len(names))
    counts = pl.DataFrame({"dong": names, "len": n}, schema={"dong": pl.Utf8, "len": pl.Int64}).filter(
        (pl.col("len") > 0) & (pl.Series(np.arange(len(names)) < len(names) - 1)))
    if isinstance(capacity, float):
        value = (pl.col("len") * capacity).ceil().cast(pl.Int64)
    else:
        value = pl.lit(int(capacity), dtype=pl.Int64)
    return counts.select(pl.col("dong").cast(pl.Utf8), value.alias("capacity"))
