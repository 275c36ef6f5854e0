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
from typing import Any, Literal

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from dolbom.discovery.catalogue import Catalogue
from dolbom.discovery.engine.features import (
    IndicatorSource,
    Records,
    context_features,
    default_value,
    feature_names,
    lookup,
    read_records,
)
from dolbom.discovery.engine.model import Model
from dolbom.discovery.engine.schema import CONTEXT_FEATURES, COUNT_FEATURE, HOUSEHOLD_SCHEMA
from dolbom.discovery.engine.scoring import Explain, explain_arrays, rank_by_dong, score

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


# What a cycle reads of each household (the sex of the head is for the quality report, never the model).
CYCLE_COLUMNS = ("household_id", "dong", "head_age", "household_type", "household_size")


def read_households(source: HouseholdSource, columns: tuple[str, ...] | None = None) -> pl.DataFrame:
    """Households with their repeated strings (dong, type, sex) kept dictionary-encoded: a few dozen
    distinct values over millions of rows."""
    if isinstance(source, pl.DataFrame):
        return source
    if not isinstance(source, pa.Table):
        names = list(columns or HOUSEHOLD_SCHEMA.names)
        source = pq.read_table(source, columns=names,
                               read_dictionary=[c for c in ("dong", "head_sex", "household_type") if c in names])
    return pl.from_arrow(source)  # type: ignore[return-value]


# Context features packed into one integer per household: (type * AGE_SLOTS + age) * SIZE_SLOTS + size,
# the last slot of each standing for "missing". Households outside these ranges take the join path.
TYPE_SLOTS, AGE_SLOTS, SIZE_SLOTS = 16, 128, 16


def _context_keys(context: list[np.ndarray]) -> np.ndarray | None:
    keys = np.zeros(len(context[0]) if context else 0, dtype=np.int64)
    for values, slots in zip(context, (TYPE_SLOTS, AGE_SLOTS, SIZE_SLOTS), strict=True):
        whole = np.nan_to_num(values, nan=slots - 1).astype(np.int64)
        if len(whole) and (whole.min() < 0 or whole.max() > slots - 1 or (values == slots - 1).any()
                           or (whole != np.nan_to_num(values, nan=slots - 1)).any()):
            return None
        keys *= slots
        keys += whole
    return keys


def _decode(keys: np.ndarray) -> pl.DataFrame:
    size, rest = keys % SIZE_SLOTS, keys // SIZE_SLOTS
    age, kind = rest % AGE_SLOTS, rest // AGE_SLOTS
    out = {"household_id": keys}
    for name, values, slots in zip(CONTEXT_FEATURES, (kind, age, size), (TYPE_SLOTS, AGE_SLOTS, SIZE_SLOTS),
                                   strict=True):
        out[name] = np.where(values == slots - 1, np.nan, values).astype(np.float32)
    return pl.DataFrame(out).with_columns(pl.col(c).fill_nan(None) for c in CONTEXT_FEATURES)


@dataclass
class Scoring:
    """What scoring every household leaves for the explanation of the listed ones."""

    households: pl.DataFrame
    context: list[np.ndarray]  # each of CONTEXT_FEATURES for every household, float32 (NaN: missing)
    records: Records
    frame: pl.DataFrame | None = None  # feature rows of the households with records (the Spark engine's input)


def _context(ctx: pl.DataFrame) -> list[np.ndarray]:
    return [ctx[c].fill_null(np.nan).to_numpy() for c in CONTEXT_FEATURES]


def _rows(context: list[np.ndarray], rows: np.ndarray | slice) -> np.ndarray:
    """The context features of some households, as rows."""
    return np.column_stack([c[rows] for c in context]).astype(np.float64)


def _records_frame(records: Records, context: list[np.ndarray], names: list[str]) -> pl.DataFrame:
    """The feature table of the households with records, for an engine that scores frames (Spark)."""
    layout = records.layout(names)
    rows = records.register_rows
    assert rows is not None
    X = np.concatenate([records.matrix(lo, min(lo + records.batch, records.households), layout,
                                       _rows(context, rows[lo:lo + records.batch]))
                        for lo in range(0, records.households, records.batch)] or [np.zeros((0, len(names)))])
    columns: dict[str, Any] = {"household_id": records.household_ids}
    for j, name in enumerate(names):
        column = pl.Series(name, X[:, j].astype(np.float32))
        columns[name] = column.fill_nan(None) if default_value(name) is None or name in CONTEXT_FEATURES else column
    return pl.DataFrame(columns)


def _predict_records(records: Records, context: list[np.ndarray], model: Model) -> tuple[np.ndarray, np.ndarray]:
    """(raw margin, indicator count) of every household with records: feature rows built a batch at a time
    straight from the records and fed to the trees, never a whole feature table."""
    layout = records.layout(model.feature_names)
    rows = records.register_rows
    assert rows is not None
    raw = np.empty(records.households)
    count = np.empty(records.households, dtype=np.int32)
    for lo in range(0, records.households, records.batch):
        hi = min(lo + records.batch, records.households)
        raw[lo:hi] = model.predict_raw(records.matrix(lo, hi, layout, _rows(context, rows[lo:hi])))
        count[lo:hi] = records.count(lo, hi)
    return raw, count


def _context_matrix(model: Model, context: np.ndarray) -> np.ndarray:
    """Feature rows of households without any record: the defaults beside their context."""
    names = model.feature_names
    X = np.empty((len(context), len(names)))
    X[:] = [np.nan if default_value(n) is None else default_value(n) for n in names]
    for j, c in enumerate(CONTEXT_FEATURES):
        if c in names:
            X[:, names.index(c)] = context[:, j]
    return X


def score_households(hh: pl.DataFrame, indicators: IndicatorSource, model: Model, catalogue: Catalogue,
                     as_of: dt.date, *, engine: Literal["local", "spark"] = "local",
                     timings: dict[str, float] | None = None) -> tuple[pl.DataFrame, Scoring]:
    """(scores of every household, with its dong and without reasons; what explaining needs)."""
    timings = timings if timings is not None else {}
    t, c = time.perf_counter(), time.process_time()
    ctx = context_features(hh)
    context = _context(ctx)
    # Records of households not in the register are dropped; the others get their context by position.
    records = read_records(indicators, catalogue, as_of, register=hh["household_id"].to_numpy())
    keys = _context_keys(context)
    if keys is None:  # unusual values: one row per distinct combination, found by a join
        combos = ctx.select(CONTEXT_FEATURES).unique().with_row_index("household_id").with_columns(
            pl.col("household_id").cast(pl.Int64))
    else:
        seen = np.zeros(TYPE_SLOTS * AGE_SLOTS * SIZE_SLOTS, dtype=bool)
        seen[keys] = True
        combos = _decode(np.flatnonzero(seen))
    scoring = Scoring(households=hh, context=context, records=records)
    rows = records.register_rows
    assert rows is not None
    if engine != "local":
        scoring.frame = _records_frame(records, context,
                                       [n for n in feature_names(catalogue, as_of) if n != COUNT_FEATURE])
    _note(timings, "features", t, c)

    t, c = time.perf_counter(), time.process_time()
    if engine == "local":
        rec_raw, rec_count = _predict_records(records, context, model)
        base_raw = model.predict_raw(_context_matrix(model, _rows(_context(combos), slice(None))))
    else:
        with_records = score(scoring.frame, model, engine=engine, reasons=False)
        base = score(combos, model, engine=engine, reasons=False)
        assert isinstance(with_records, pl.DataFrame) and isinstance(base, pl.DataFrame)
        rec_raw, base_raw = with_records["score"].to_numpy(), base["score"].to_numpy()
        rec_count = with_records["indicator_count"].to_numpy()
    _note(timings, "score", t, c)

    # One pass over every household: its context's score and probability, overwritten where it has records.
    t, c = time.perf_counter(), time.process_time()
    base_p = model.probability(base_raw)
    if keys is not None:
        raw_lut, p_lut = np.zeros(len(seen)), np.zeros(len(seen))
        at = combos["household_id"].to_numpy()
        raw_lut[at], p_lut[at] = base_raw, base_p
        raw, probability = raw_lut[keys], p_lut[keys]
    else:
        per_combo = combos.with_columns(score=pl.Series(base_raw), probability=pl.Series(base_p))
        back = ctx.join(per_combo.drop("household_id"), on=list(CONTEXT_FEATURES), how="left", maintain_order="left")
        raw, probability = back["score"].to_numpy().copy(), back["probability"].to_numpy().copy()
    raw[rows] = rec_raw
    probability[rows] = model.probability(rec_raw)
    count = np.zeros(hh.height, dtype=np.int32)
    count[rows] = rec_count
    scores = pl.DataFrame({
        "household_id": hh["household_id"], "dong": hh["dong"], "score": raw, "probability": probability,
        "indicator_count": count,
    })
    _note(timings, "assemble", t, c)
    return scores, scoring


def explain_listed(lists: pl.DataFrame, scoring: Scoring, model: Model, *,
                   engine: Literal["local", "spark"] = "local", explain_with: Explain = "shap") -> pl.DataFrame:
    """Reasons (the model's own contributions) for the listed households only, their feature rows built
    from their own records."""
    hh, records = scoring.households, scoring.records
    listed = lists["household_id"].to_numpy()
    at, _ = lookup(hh["household_id"].to_numpy(), listed)
    rec, has = lookup(records.household_ids, listed)
    if engine == "local":
        X = _context_matrix(model, _rows(scoring.context, at))
        if has.any():
            order = np.argsort(rec[has])
            mine = records.take(rec[has][order])
            assert mine.register_rows is not None
            layout = mine.layout(model.feature_names)
            rows = np.flatnonzero(has)[order]
            for lo in range(0, mine.households, mine.batch):
                hi = min(lo + mine.batch, mine.households)
                X[rows[lo:hi]] = mine.matrix(lo, hi, layout, _rows(scoring.context, mine.register_rows[lo:hi]))
        codes, texts = explain_arrays(model, X, method=explain_with)
        explained = pl.from_arrow(pa.table({"household_id": pa.array(listed, pa.int64()), "reason_codes": codes,
                                            "reasons": texts}))
        assert isinstance(explained, pl.DataFrame)
    else:
        assert scoring.frame is not None
        ids = lists.select("household_id")
        with_records = scoring.frame.join(ids, on="household_id", how="semi")
        names = [c for c in scoring.frame.columns if c != "household_id"]
        without = context_features(hh.join(ids, on="household_id", how="semi")).join(
            with_records.select("household_id"), on="household_id", how="anti")
        without = without.with_columns(
            [pl.lit(default_value(n), dtype=pl.Float32).alias(n) for n in names if n not in without.columns])
        rows_frame = pl.concat([with_records.select("household_id", *names),
                                without.select("household_id", *names)], how="vertical_relaxed")
        out = score(rows_frame, model, engine=engine, reasons=True, explain_with=explain_with)
        assert isinstance(out, pl.DataFrame)
        explained = out.select("household_id", "reason_codes", "reasons")
    return lists.drop("reason_codes", "reasons", strict=False).join(explained, on="household_id", how="left").sort(
        "dong", "rank")


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
    hh = read_households(households, columns=CYCLE_COLUMNS)
    _note(timings, "read_households", t, c)
    scores, scoring = score_households(hh, indicators, model, catalogue, as_of, engine=engine, timings=timings)
    t, c = time.perf_counter(), time.process_time()
    lists = rank_by_dong(scores, hh, capacity, exclude=exclude).with_columns(model_version=pl.lit(model.version))
    _note(timings, "rank", t, c)
    t, c = time.perf_counter(), time.process_time()
    lists = explain_listed(lists, scoring, model, engine=engine, explain_with=explain_with)
    _note(timings, "explain_listed", t, c)
    t, c = time.perf_counter(), time.process_time()
    path = out / "lists.parquet"
    lists.write_parquet(path)
    _note(timings, "write", t, c)
    kept = scores.with_columns(model_version=pl.lit(model.version)) if keep_scores else None
    return CycleResult(lists_path=path, lists=lists, scores=kept, households=hh.height,
                       scored_with_records=scoring.records.households, model_version=model.version, timings=timings)
