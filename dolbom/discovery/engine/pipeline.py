"""One cycle end to end: read households and indicator files, build features, score, write ranked lists.

Most households have no indicator record at all; their features differ only in the three context
features, so they are scored once per distinct (household type, head age, size) — a few thousand rows
— and the result is joined back. This is exact, not an approximation: the same kernel scores the same
feature values. Only households with records go through the full feature matrix, and only the listed
households are explained (TreeSHAP is by far the most expensive step per row).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from dolbom.discovery.catalogue import Catalogue
from dolbom.discovery.engine.features import (
    IndicatorSource,
    context_features,
    default_value,
    feature_names,
    indicator_features,
)
from dolbom.discovery.engine.model import Model
from dolbom.discovery.engine.schema import CONTEXT_FEATURES, HOUSEHOLD_SCHEMA
from dolbom.discovery.engine.scoring import Explain, rank_by_dong, score

HouseholdSource = pl.DataFrame | pa.Table | str | Path


@dataclass
class CycleResult:
    lists_path: Path
    lists: pl.DataFrame
    scores: pl.DataFrame | None
    households: int
    scored_with_records: int
    model_version: str
    timings: dict[str, float] = field(default_factory=dict)


def _note(timings: dict[str, float], name: str, wall_start: float, cpu_start: float) -> None:
    timings[name] = time.perf_counter() - wall_start
    timings[f"{name}_cpu"] = time.process_time() - cpu_start


def read_households(source: HouseholdSource) -> pl.DataFrame:
    """Households with their repeated strings (dong, type, sex) kept dictionary-encoded: a few dozen
    distinct values over millions of rows."""
    if isinstance(source, pl.DataFrame):
        return source
    if not isinstance(source, pa.Table):
        source = pq.read_table(source, columns=HOUSEHOLD_SCHEMA.names,
                               read_dictionary=["dong", "head_sex", "household_type"])
    return pl.from_arrow(source)  # type: ignore[return-value]


# Context features packed into one integer per household: (type * AGE_SLOTS + age) * SIZE_SLOTS + size,
# the last slot of each standing for "missing". Households outside these ranges take the join path.
TYPE_SLOTS, AGE_SLOTS, SIZE_SLOTS = 16, 128, 16


def _context_keys(ctx: pl.DataFrame) -> np.ndarray | None:
    cols = [ctx[c].to_numpy() for c in CONTEXT_FEATURES]
    keys = np.zeros(ctx.height, dtype=np.int64)
    for values, slots in zip(cols, (TYPE_SLOTS, AGE_SLOTS, SIZE_SLOTS), strict=True):
        missing = np.isnan(values)
        whole = np.where(missing, slots - 1, values)
        if ((whole < 0) | (whole >= slots - 1) & ~missing).any() or (whole != np.floor(whole)).any():
            return None
        keys = keys * slots + whole.astype(np.int64)
    return keys


def _decode(keys: np.ndarray) -> pl.DataFrame:
    size, rest = keys % SIZE_SLOTS, keys // SIZE_SLOTS
    age, kind = rest % AGE_SLOTS, rest // AGE_SLOTS
    out = {"household_id": keys}
    for name, values, slots in zip(CONTEXT_FEATURES, (kind, age, size), (TYPE_SLOTS, AGE_SLOTS, SIZE_SLOTS),
                                   strict=True):
        out[name] = np.where(values == slots - 1, np.nan, values).astype(np.float32)
    return pl.DataFrame(out).with_columns(pl.col(c).fill_nan(None) for c in CONTEXT_FEATURES)


def _lookup(ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row of each wanted id in ``ids``, whether it is there). Registers come sorted by id; others are
    sorted once here."""
    if len(ids) == 0:
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    order = None if len(ids) < 2 or bool((ids[1:] > ids[:-1]).all()) else np.argsort(ids, kind="stable")
    ordered = ids if order is None else ids[order]
    pos = np.minimum(np.searchsorted(ordered, wanted), len(ids) - 1)
    found = ordered[pos] == wanted
    return (pos if order is None else order[pos]), found


def score_households(hh: pl.DataFrame, indicators: IndicatorSource, model: Model, catalogue: Catalogue,
                     as_of: dt.date, *, engine: Literal["local", "spark"] = "local",
                     timings: dict[str, float] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(scores of every household, with its dong and without reasons; feature rows of the households
    with records)."""
    timings = timings if timings is not None else {}
    t, c = time.perf_counter(), time.process_time()
    ctx = context_features(hh)
    ind = indicator_features(indicators, catalogue, as_of)
    # Records of households not in the register are dropped; the others get their context by position.
    rows, found = _lookup(hh["household_id"].to_numpy(), ind["household_id"].to_numpy())
    ind = ind.filter(pl.Series(found))
    rows = rows[found]
    names = feature_names(catalogue, as_of)
    feats = ind.with_columns(pl.Series(c, ctx[c].to_numpy()[rows]) for c in CONTEXT_FEATURES).select(
        "household_id", *[n for n in names if n in ind.columns or n in CONTEXT_FEATURES])
    keys = _context_keys(ctx)
    if keys is None:  # unusual values: one row per distinct combination, found by a join
        combos = ctx.select(CONTEXT_FEATURES).unique().with_row_index("household_id").with_columns(
            pl.col("household_id").cast(pl.Int64))
    else:
        seen = np.zeros(TYPE_SLOTS * AGE_SLOTS * SIZE_SLOTS, dtype=bool)
        seen[keys] = True
        combos = _decode(np.flatnonzero(seen))
    _note(timings, "features", t, c)

    t, c = time.perf_counter(), time.process_time()
    with_records = score(feats, model, engine=engine, reasons=False)
    base = score(combos, model, engine=engine, reasons=False)
    assert isinstance(with_records, pl.DataFrame) and isinstance(base, pl.DataFrame)
    _note(timings, "score", t, c)

    t, c = time.perf_counter(), time.process_time()
    if keys is not None:
        raw_lut, p_lut = np.zeros(len(seen)), np.zeros(len(seen))
        raw_lut[base["household_id"].to_numpy()] = base["score"].to_numpy()
        p_lut[base["household_id"].to_numpy()] = base["probability"].to_numpy()
        raw, probability = raw_lut[keys], p_lut[keys]
    else:
        per_combo = combos.join(base.select("household_id", "score", "probability"), on="household_id")
        back = ctx.join(per_combo.drop("household_id"), on=list(CONTEXT_FEATURES), how="left", maintain_order="left")
        raw, probability = back["score"].to_numpy().copy(), back["probability"].to_numpy().copy()
    # Every number below comes from the kernel itself, so both engines agree bit for bit.
    count = np.zeros(hh.height, dtype=np.int32)
    rows, _ = _lookup(hh["household_id"].to_numpy(), with_records["household_id"].to_numpy())
    raw[rows] = with_records["score"].to_numpy()
    probability[rows] = with_records["probability"].to_numpy()
    count[rows] = with_records["indicator_count"].to_numpy()
    scores = pl.DataFrame({
        "household_id": hh["household_id"], "dong": hh["dong"], "score": raw, "probability": probability,
        "indicator_count": count,
    })
    _note(timings, "assemble", t, c)
    return scores, feats


def explain_listed(lists: pl.DataFrame, feats: pl.DataFrame, hh: pl.DataFrame, model: Model,
                   catalogue: Catalogue, as_of: dt.date, *, engine: Literal["local", "spark"] = "local",
                   explain_with: Explain = "shap") -> pl.DataFrame:
    """Reasons (the model's own contributions) for the listed households only."""
    ids = lists.select("household_id")
    with_records = feats.join(ids, on="household_id", how="semi")
    without = context_features(hh.join(ids, on="household_id", how="semi")).join(
        with_records.select("household_id"), on="household_id", how="anti")
    names = feature_names(catalogue, as_of)
    without = without.with_columns(
        [pl.lit(default_value(n), dtype=pl.Float32).alias(n) for n in names if n not in without.columns])
    rows = pl.concat([with_records.select("household_id", *names),
                      without.select("household_id", *names)], how="vertical_relaxed")
    explained = score(rows, model, engine=engine, reasons=True, explain_with=explain_with)
    assert isinstance(explained, pl.DataFrame)
    return lists.drop("reason_codes", "reasons", strict=False).join(
        explained.select("household_id", "reason_codes", "reasons"), on="household_id", how="left"
    ).sort("dong", "rank")


def run_cycle(*, households: HouseholdSource, indicators: IndicatorSource, model: Model, catalogue: Catalogue,
              as_of: dt.date, capacity: int | float | dict[str, int], out_dir: str | Path,
              engine: Literal["local", "spark"] = "local", exclude: pa.Array | None = None,
              keep_scores: bool = False, explain_with: Explain = "shap") -> CycleResult:
    """Score every household and write ``lists.parquet`` (dong, rank, household_id, score, probability,
    indicator_count, model_version, reason_codes, reasons) under ``out_dir``."""
    timings: dict[str, float] = {}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t, c = time.perf_counter(), time.process_time()
    hh = read_households(households)
    _note(timings, "read_households", t, c)
    scores, feats = score_households(hh, indicators, model, catalogue, as_of, engine=engine, timings=timings)
    t, c = time.perf_counter(), time.process_time()
    lists = rank_by_dong(scores, hh, capacity, exclude=exclude).with_columns(model_version=pl.lit(model.version))
    _note(timings, "rank", t, c)
    t, c = time.perf_counter(), time.process_time()
    lists = explain_listed(lists, feats, hh, model, catalogue, as_of, engine=engine, explain_with=explain_with)
    _note(timings, "explain_listed", t, c)
    t, c = time.perf_counter(), time.process_time()
    path = out / "lists.parquet"
    lists.write_parquet(path)
    _note(timings, "write", t, c)
    kept = scores.with_columns(model_version=pl.lit(model.version)) if keep_scores else None
    return CycleResult(lists_path=path, lists=lists, scores=kept, households=hh.height,
                       scored_with_records=feats.height, model_version=model.version, timings=timings)
