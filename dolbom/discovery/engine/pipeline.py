"""One cycle end to end: read households and indicator files, build features, score, write ranked lists.

Most households have no indicator record at all; their features differ only in the three context
features, so they are scored once per distinct (household type, head age, size) — a few thousand rows
— and every household takes its context's score in one pass over a lookup table. This is exact, not an
approximation: the same kernel scores the same feature values. Only households with records go through
the feature matrix, built batch by batch straight from their records, and only the listed households are
explained (TreeSHAP is by far the most expensive step per row).

The households are kept as arrays, never as a frame: the dong and the household type as the codes of
their Parquet dictionaries, age and size as the integers they are. Every stage that costs more than a
few tenths of a second runs on all the cores (``threads``): the two readers side by side, the record
batches split between workers (the compiled trees and numpy release the GIL), the explanation by chunks
of listed rows. Results do not depend on the number of threads: each row's numbers come from the same
operations in the same order whichever worker computes them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dolbom.discovery.catalogue import Catalogue
from dolbom.discovery.engine import config
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
from dolbom.discovery.engine.schema import CONTEXT_FEATURES, COUNT_FEATURE, HOUSEHOLD_SCHEMA, HOUSEHOLD_TYPES
from dolbom.discovery.engine.scoring import (
    Explain,
    capacity_by_code,
    explain_arrays,
    rank_by_dong,
    rank_rows,
    score,
)

HouseholdSource = pl.DataFrame | pa.Table | str | Path
T = TypeVar("T")
R = TypeVar("R")


@dataclass
class CycleResult:
    lists_path: Path
    lists: pl.DataFrame
    scores: pl.DataFrame | None
    households: int
    scored_with_records: int
    model_version: str
    timings: dict[str, float] = field(default_factory=dict)


def _note(timings: dict[str, float], name: str, wall_start: float, cpu_start: float,
          thread_start: float | None = None) -> None:
    """A stage's wall clock, the CPU seconds of the whole process (every thread) and, with ``thread_start``,
    those of the calling thread alone: the part no other core could take (``name_main``)."""
    timings[name] = time.perf_counter() - wall_start
    timings[f"{name}_cpu"] = time.process_time() - cpu_start
    if thread_start is not None:
        timings[f"{name}_main"] = time.thread_time() - thread_start


def _start() -> tuple[float, float, float]:
    return time.perf_counter(), time.process_time(), time.thread_time()


def _map(pool: Executor | None, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    return list(pool.map(fn, items)) if pool is not None else [fn(i) for i in items]


# What a cycle reads of each household (the sex of the head is for the quality report, never the model).
CYCLE_COLUMNS = ("household_id", "dong", "head_age", "household_type", "household_size")
_DICTIONARY_COLUMNS = ("dong", "head_sex", "household_type")


def read_household_table(source: HouseholdSource, columns: tuple[str, ...] | None = None) -> pa.Table:
    """The households as Arrow, their repeated strings (dong, type, sex) dictionary-encoded: a few dozen
    distinct values over millions of rows."""
    names = list(columns or HOUSEHOLD_SCHEMA.names)
    if isinstance(source, pl.DataFrame):
        table = source.select([c for c in names if c in source.columns]).to_arrow()
    elif isinstance(source, pa.Table):
        table = source.select([c for c in names if c in source.column_names])
    else:
        table = pq.read_table(source, columns=names, read_dictionary=[c for c in _DICTIONARY_COLUMNS if c in names])
    return table


def read_households(source: HouseholdSource, columns: tuple[str, ...] | None = None) -> pl.DataFrame:
    """Households as a Polars frame, their repeated strings kept dictionary-encoded (Categorical)."""
    if isinstance(source, pl.DataFrame):
        return source
    return pl.from_arrow(read_household_table(source, columns))  # type: ignore[return-value]


def dictionary_codes(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, list[str]]:
    """(code of each row, the distinct values): a dictionary column's own indices, no string compared per row
    (a plain string column is dictionary-encoded first). A missing value takes the code ``len(values)``."""
    if isinstance(column, pa.ChunkedArray):
        if pa.types.is_dictionary(column.type) and column.num_chunks > 1:  # one dictionary for every chunk
            column = pa.table({"c": column}).unify_dictionaries().column("c")
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if not pa.types.is_dictionary(column.type):
        if pa.types.is_string_view(column.type):
            column = column.cast(pa.large_string())
        column = pc.dictionary_encode(column)
    values = [str(v) for v in column.dictionary.to_pylist()]  # a null in the dictionary itself: "None"
    indices = column.indices
    codes = indices.to_numpy(zero_copy_only=False) if indices.null_count == 0 else \
        indices.fill_null(len(values)).to_numpy(zero_copy_only=False)
    return codes.astype(np.int32, copy=False), values


# Context features packed into one integer per household: (type * AGE_SLOTS + age) * SIZE_SLOTS + size,
# the last slot of each standing for "missing". Households outside these ranges take the join path.
TYPE_SLOTS, AGE_SLOTS, SIZE_SLOTS = 16, 128, 16


def _slots(column: pa.ChunkedArray, slots: int) -> np.ndarray | None:
    """A numeric context column as slots 0..slots-2, ``slots - 1`` where missing; None when a value does
    not fit (negative, too large, or not a whole number)."""
    if not (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)):
        return None
    values = column.to_numpy()  # float with NaN where an integer column has nulls
    missing = np.isnan(values) if values.dtype.kind == "f" else None
    if missing is not None:
        values = np.where(missing, 0, values)
        if (values != np.trunc(values)).any():
            return None
    if len(values) and (values.min() < 0 or values.max() > slots - 2):
        return None
    out = values.astype(np.int32)
    if missing is not None:
        out[missing] = slots - 1
    return out


@dataclass
class Register:
    """The households of a cycle as arrays, in the order read: ids, dong codes, context."""

    ids: np.ndarray
    dong_codes: np.ndarray  # index into dong_names; a missing dong has the code len(dong_names) - 1 ("")
    dong_names: list[str]
    keys: np.ndarray | None  # the packed context of each household (None: some value does not fit)
    table: pa.Table

    @property
    def size(self) -> int:
        return len(self.ids)

    @cached_property
    def context(self) -> list[np.ndarray]:
        """Each of CONTEXT_FEATURES for every household, float64 (NaN: missing), as the float32 features
        they are."""
        kind, kinds = dictionary_codes(self.table.column("household_type"))
        lut = np.array([HOUSEHOLD_TYPES.index(v) if v in HOUSEHOLD_TYPES else np.nan for v in kinds] + [np.nan])
        return [lut[kind], *(self.table.column(c).cast(pa.float32()).to_numpy().astype(np.float64)
                             for c in ("head_age", "household_size"))]

    def rows(self, rows: np.ndarray | slice) -> np.ndarray:
        """The context features of the households at ``rows``, as rows of a float64 matrix."""
        if self.keys is not None:
            return _CONTEXT_OF_KEY[self.keys[rows]]
        return np.column_stack([c[rows] for c in self.context]).astype(np.float64)

    def frame(self) -> pl.DataFrame:
        frame = pl.from_arrow(self.table)
        assert isinstance(frame, pl.DataFrame)
        return frame


def build_register(table: pa.Table) -> Register:
    ids = table.column("household_id").to_numpy().astype(np.int64, copy=False)
    dong, names = dictionary_codes(table.column("dong"))
    kind, kinds = dictionary_codes(table.column("household_type"))
    age, size = _slots(table.column("head_age"), AGE_SLOTS), _slots(table.column("household_size"), SIZE_SLOTS)
    keys = None
    if age is not None and size is not None:
        kind_slot = np.array([HOUSEHOLD_TYPES.index(v) if v in HOUSEHOLD_TYPES else TYPE_SLOTS - 1 for v in kinds]
                             + [TYPE_SLOTS - 1], dtype=np.int32)[kind]
        keys = (kind_slot * AGE_SLOTS + age) * SIZE_SLOTS + size
    return Register(ids=ids, dong_codes=dong, dong_names=[*names, ""], keys=keys, table=table)


def _context_of_key() -> np.ndarray:
    """Every packed context's three feature values (NaN where missing), by key."""
    keys = np.arange(TYPE_SLOTS * AGE_SLOTS * SIZE_SLOTS)
    size, rest = keys % SIZE_SLOTS, keys // SIZE_SLOTS
    age, kind = rest % AGE_SLOTS, rest // AGE_SLOTS
    return np.column_stack([np.where(v == slots - 1, np.nan, v).astype(np.float64) for v, slots in
                            ((kind, TYPE_SLOTS), (age, AGE_SLOTS), (size, SIZE_SLOTS))])


_CONTEXT_OF_KEY = _context_of_key()


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

    households: pl.DataFrame | None  # as a frame, only for the Spark engine
    register: Register
    records: Records
    frame: pl.DataFrame | None = None  # feature rows of the households with records (the Spark engine's input)

    @property
    def context(self) -> list[np.ndarray]:
        return self.register.context


@dataclass
class Scored:
    """Every household's score, in register order."""

    raw: np.ndarray
    probability: np.ndarray
    count: np.ndarray


def _records_frame(records: Records, register: Register, names: list[str]) -> pl.DataFrame:
    """The feature table of the households with records, for an engine that scores frames (Spark)."""
    layout = records.layout(names)
    rows = records.register_rows
    assert rows is not None
    X = np.concatenate([records.matrix(lo, min(lo + records.batch, records.households), layout,
                                       register.rows(rows[lo:lo + records.batch]))
                        for lo in range(0, records.households, records.batch)] or [np.zeros((0, len(names)))])
    columns: dict[str, Any] = {"household_id": records.household_ids}
    for j, name in enumerate(names):
        column = pl.Series(name, X[:, j].astype(np.float32))
        columns[name] = column.fill_nan(None) if default_value(name) is None or name in CONTEXT_FEATURES else column
    return pl.DataFrame(columns)


def _predict_records(records: Records, register: Register, model: Model,
                     pool: Executor | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(raw margin, indicator count) of every household with records: feature rows built a batch at a time
    straight from the records and fed to the trees, never a whole feature table; the batches shared among
    the pool's workers (each writes its own slice)."""
    layout = records.layout(model.feature_names)
    rows = records.register_rows
    assert rows is not None
    raw = np.empty(records.households)
    count = np.empty(records.households, dtype=np.int32)

    def one(lo: int) -> None:
        hi = min(lo + records.batch, records.households)
        raw[lo:hi] = model.predict_raw(records.matrix(lo, hi, layout, register.rows(rows[lo:hi])))
        count[lo:hi] = records.count(lo, hi)

    _map(pool, one, range(0, records.households, records.batch))
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


def _combos(register: Register) -> tuple[pl.DataFrame, np.ndarray | None]:
    """(one row per distinct context, numbered in ``household_id``; each household's combination number or
    None when the join path is needed)."""
    if register.keys is None:  # unusual values: one row per distinct combination, found by a join
        ctx = pl.DataFrame({c: register.context[j] for j, c in enumerate(CONTEXT_FEATURES)}).with_columns(
            pl.col(c).cast(pl.Float32).fill_nan(None) for c in CONTEXT_FEATURES)
        return ctx.unique(maintain_order=True).with_row_index("household_id").with_columns(
            pl.col("household_id").cast(pl.Int64)), None
    seen = np.zeros(TYPE_SLOTS * AGE_SLOTS * SIZE_SLOTS, dtype=bool)
    seen[register.keys] = True
    return _decode(np.flatnonzero(seen)), register.keys


def _fill_by_context(register: Register, combos: pl.DataFrame, keys: np.ndarray | None, base_raw: np.ndarray,
                     base_p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every household's context score and probability: one lookup per household."""
    if keys is not None:
        raw_lut, p_lut = np.zeros(TYPE_SLOTS * AGE_SLOTS * SIZE_SLOTS), np.zeros(TYPE_SLOTS * AGE_SLOTS * SIZE_SLOTS)
        at = combos["household_id"].to_numpy()
        raw_lut[at], p_lut[at] = base_raw, base_p
        return raw_lut[keys], p_lut[keys]
    ctx = pl.DataFrame({c: register.context[j] for j, c in enumerate(CONTEXT_FEATURES)}).with_columns(
        pl.col(c).cast(pl.Float32).fill_nan(None) for c in CONTEXT_FEATURES)
    per_combo = combos.with_columns(score=pl.Series(base_raw), probability=pl.Series(base_p))
    back = ctx.join(per_combo.drop("household_id"), on=list(CONTEXT_FEATURES), how="left", nulls_equal=True,
                    maintain_order="left")
    return back["score"].to_numpy().copy(), back["probability"].to_numpy().copy()


def _read_both(households: HouseholdSource | Register, indicators: IndicatorSource, catalogue: Catalogue,
               as_of: dt.date, pool: Executor | None) -> tuple[Register, Records]:
    """The register and its records, the two files read side by side (Parquet decoding leaves the GIL)."""
    if isinstance(households, Register):
        register = households
        return register, read_records(indicators, catalogue, as_of, register=register.ids, pool=pool)
    if pool is None:
        register = build_register(read_household_table(households, CYCLE_COLUMNS))
        return register, read_records(indicators, catalogue, as_of, register=register.ids)
    register = pool.submit(lambda: build_register(read_household_table(households, CYCLE_COLUMNS)))
    records = read_records(indicators, catalogue, as_of, register=lambda: register.result().ids, pool=pool)
    return register.result(), records


def score_register(households: HouseholdSource | Register, indicators: IndicatorSource, model: Model,
                   catalogue: Catalogue, as_of: dt.date, *, threads: int | None = None,
                   timings: dict[str, float] | None = None) -> tuple[Register, Records, Scored]:
    """Every household's score (local engine), without reasons: the arrays ``run_cycle`` ranks."""
    timings = timings if timings is not None else {}
    threads = config.default_threads() if threads is None else max(threads, 1)
    pool = config.pool(threads)
    t, c, m = _start()
    register, records = _read_both(households, indicators, catalogue, as_of, pool)
    combos, keys = _combos(register)
    _note(timings, "features", t, c, m)

    t, c, m = _start()
    rec_raw, rec_count = _predict_records(records, register, model, pool)
    base_raw = model.predict_raw(_context_matrix(model, np.column_stack(_context_of(combos))))
    _note(timings, "score", t, c, m)

    # One pass over every household: its context's score and probability, overwritten where it has records.
    t, c, m = _start()
    raw, probability = _fill_by_context(register, combos, keys, base_raw, model.probability(base_raw))
    rows = records.register_rows
    assert rows is not None
    raw[rows] = rec_raw
    probability[rows] = model.probability(rec_raw)
    count = np.zeros(register.size, dtype=np.int32)
    count[rows] = rec_count
    _note(timings, "assemble", t, c, m)
    return register, records, Scored(raw=raw, probability=probability, count=count)


def _context_of(frame: pl.DataFrame) -> list[np.ndarray]:
    return [frame[c].cast(pl.Float64).fill_null(np.nan).to_numpy() for c in CONTEXT_FEATURES]


def _scores_frame(register: Register, scored: Scored) -> pl.DataFrame:
    dong = pl.from_arrow(register.table.column("dong"))
    return pl.DataFrame({
        "household_id": register.ids, "dong": dong, "score": scored.raw, "probability": scored.probability,
        "indicator_count": scored.count,
    })


def score_households(hh: pl.DataFrame | pa.Table, indicators: IndicatorSource, model: Model, catalogue: Catalogue,
                     as_of: dt.date, *, engine: Literal["local", "spark"] = "local",
                     timings: dict[str, float] | None = None,
                     threads: int | None = None) -> tuple[pl.DataFrame, Scoring]:
    """(scores of every household, with its dong and without reasons; what explaining needs)."""
    timings = timings if timings is not None else {}
    register = build_register(read_household_table(hh, CYCLE_COLUMNS))
    if engine == "local":
        register, records, scored = score_register(register, indicators, model, catalogue, as_of, threads=threads,
                                                   timings=timings)
        return _scores_frame(register, scored), Scoring(households=None, register=register, records=records)
    t, c = time.perf_counter(), time.process_time()
    records = read_records(indicators, catalogue, as_of, register=register.ids)
    combos, keys = _combos(register)
    scoring = Scoring(households=register.frame(), register=register, records=records)
    scoring.frame = _records_frame(records, register,
                                   [n for n in feature_names(catalogue, as_of) if n != COUNT_FEATURE])
    _note(timings, "features", t, c)
    t, c = time.perf_counter(), time.process_time()
    with_records = score(scoring.frame, model, engine=engine, reasons=False)
    base = score(combos, model, engine=engine, reasons=False)
    assert isinstance(with_records, pl.DataFrame) and isinstance(base, pl.DataFrame)
    _note(timings, "score", t, c)
    t, c = time.perf_counter(), time.process_time()
    base_raw = base["score"].to_numpy()
    raw, probability = _fill_by_context(register, combos, keys, base_raw, model.probability(base_raw))
    rows = records.register_rows
    assert rows is not None
    rec_raw = with_records["score"].to_numpy()
    raw[rows] = rec_raw
    probability[rows] = model.probability(rec_raw)
    count = np.zeros(register.size, dtype=np.int32)
    count[rows] = with_records["indicator_count"].to_numpy()
    _note(timings, "assemble", t, c)
    return _scores_frame(register, Scored(raw, probability, count)), scoring


def listed_matrix(register: Register, records: Records, model: Model, listed_rows: np.ndarray) -> np.ndarray:
    """Feature rows of the households at ``listed_rows`` (register positions), from their own records."""
    X = _context_matrix(model, register.rows(listed_rows))
    rec, has = lookup(records.register_rows, listed_rows) if records.register_rows is not None else (None, None)
    if rec is not None and has is not None and has.any():
        order = np.argsort(rec[has])
        mine = records.take(rec[has][order])
        assert mine.register_rows is not None
        layout = mine.layout(model.feature_names)
        rows = np.flatnonzero(has)[order]
        for lo in range(0, mine.households, mine.batch):
            hi = min(lo + mine.batch, mine.households)
            X[rows[lo:hi]] = mine.matrix(lo, hi, layout, register.rows(mine.register_rows[lo:hi]))
    return X


def explain_listed(lists: pl.DataFrame, scoring: Scoring, model: Model, *,
                   engine: Literal["local", "spark"] = "local", explain_with: Explain = "shap",
                   threads: int | None = None) -> pl.DataFrame:
    """Reasons (the model's own contributions) for the listed households only, their feature rows built
    from their own records."""
    records = scoring.records
    listed = lists["household_id"].to_numpy()
    if engine == "local":
        register = scoring.register
        assert register is not None
        at, _ = lookup(register.ids, listed)
        codes, texts = explain_arrays(model, listed_matrix(register, records, model, at), method=explain_with,
                                      threads=config.default_threads() if threads is None else threads)
        explained = pl.from_arrow(pa.table({"household_id": pa.array(listed, pa.int64()), "reason_codes": codes,
                                            "reasons": texts}))
        assert isinstance(explained, pl.DataFrame)
    else:
        assert scoring.frame is not None and scoring.households is not None
        hh = scoring.households
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


def _lists_frame(register: Register, scored: Scored, rows: np.ndarray, rank: np.ndarray, version: str,
                 codes: pa.Array, texts: pa.Array) -> pl.DataFrame:
    names = pa.array(register.dong_names, pa.string())
    table = pa.table({
        "dong": names.take(pa.array(register.dong_codes[rows])), "rank": pa.array(rank, pa.int32()),
        "household_id": pa.array(register.ids[rows], pa.int64()), "score": pa.array(scored.raw[rows]),
        "probability": pa.array(scored.probability[rows]), "indicator_count": pa.array(scored.count[rows]),
        "model_version": pa.array([version] * len(rows), pa.string()), "reason_codes": codes, "reasons": texts,
    })
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def run_cycle(*, households: HouseholdSource, indicators: IndicatorSource, model: Model, catalogue: Catalogue,
              as_of: dt.date, capacity: int | float | dict[str, int], out_dir: str | Path,
              engine: Literal["local", "spark"] = "local", exclude: pa.Array | None = None,
              keep_scores: bool = False, explain_with: Explain = "shap", threads: int | None = None) -> CycleResult:
    """Score every household and write ``lists.parquet`` (dong, rank, household_id, score, probability,
    indicator_count, model_version, reason_codes, reasons) under ``out_dir``. ``threads``: how many cores
    the local engine uses (None: all of them); the results are the same for any number."""
    if engine != "local":
        return _run_cycle_frames(households=households, indicators=indicators, model=model, catalogue=catalogue,
                                 as_of=as_of, capacity=capacity, out_dir=out_dir, engine=engine, exclude=exclude,
                                 keep_scores=keep_scores, explain_with=explain_with)
    timings: dict[str, float] = {}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    threads = config.default_threads() if threads is None else max(threads, 1)
    register, records, scored = score_register(households, indicators, model, catalogue, as_of, threads=threads,
                                               timings=timings)
    t, c, m = _start()
    keep = np.ones(register.size, dtype=bool)
    if exclude is not None and len(exclude):
        at, found = lookup(register.ids, pl.Series(exclude).cast(pl.Int64).to_numpy())
        keep[at[found]] = False
    cap = capacity_by_code(register.dong_codes, register.dong_names, capacity)
    rows, rank = rank_rows(register.ids, register.dong_codes, register.dong_names, scored.probability, scored.raw,
                           cap, keep)
    _note(timings, "rank", t, c, m)
    t, c, m = _start()
    codes, texts = explain_arrays(model, listed_matrix(register, records, model, rows), method=explain_with,
                                  threads=threads)
    lists = _lists_frame(register, scored, rows, rank, model.version, codes, texts)
    _note(timings, "explain_listed", t, c, m)
    t, c, m = _start()
    path = out / "lists.parquet"
    lists.write_parquet(path)
    _note(timings, "write", t, c, m)
    kept = _scores_frame(register, scored).with_columns(model_version=pl.lit(model.version)) if keep_scores else None
    return CycleResult(lists_path=path, lists=lists, scores=kept, households=register.size,
                       scored_with_records=records.households, model_version=model.version, timings=timings)


def _run_cycle_frames(*, households: HouseholdSource, indicators: IndicatorSource, model: Model,
                      catalogue: Catalogue, as_of: dt.date, capacity: int | float | dict[str, int],
                      out_dir: str | Path, engine: Literal["local", "spark"], exclude: pa.Array | None,
                      keep_scores: bool, explain_with: Explain) -> CycleResult:
    """The cycle with the scoring done by another engine on feature frames (Spark's ``score``)."""
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
