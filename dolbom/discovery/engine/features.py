"""Indicator records -> one feature row per household, as one Polars plan.

Per active indicator kind ``C`` (the catalogue decides which of these exist):

- ``C_present``: 1 when a record within ``within_days`` of the cycle date meets the threshold
  (months in arrears >= ``threshold_months``, amount within ``amount_min..amount_max``), else 0;
- ``C_months``: the most months in arrears among those records (0 when none), even below the threshold,
  because two months is already a signal the model may use;
- ``C_amount``: the sum of amounts, in 만 원 (0 when none);
- ``C_recency``: days since the latest record (missing when none).

Records older than ``within_days``, dated after the cycle date, or of a kind not in force on that date
are ignored. ``indicator_count`` is the number of kinds present: the rule officials use today.
Context features: ``household_type`` (index in ``HOUSEHOLD_TYPES``), ``head_age``, ``household_size``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dolbom.discovery.catalogue import Catalogue
from dolbom.discovery.engine.schema import (
    CONTEXT_FEATURES,
    COUNT_FEATURE,
    HOUSEHOLD_TYPES,
    SOURCE_POLARS,
)

IndicatorSource = pl.LazyFrame | pl.DataFrame | pa.Table | str | Path | Iterable[str | Path]


def feature_names(catalogue: Catalogue, as_of: dt.date) -> list[str]:
    names = list(CONTEXT_FEATURES)
    for ind in catalogue.active(as_of):
        names += ind.feature_names()
    return [*names, COUNT_FEATURE]


def default_value(name: str) -> float | None:
    """What a feature is when the household has no record of that kind (None: missing)."""
    return None if name.endswith("_recency") else 0.0


def _files(source: str | Path | Iterable[str | Path]) -> list[Path]:
    paths = [Path(source)] if isinstance(source, str | Path) else [Path(p) for p in source]
    out: list[Path] = []
    for p in paths:
        out += sorted(q for q in p.iterdir() if q.suffix in (".parquet", ".csv")) if p.is_dir() else [p]
    return out


def read_indicators(source: IndicatorSource) -> pl.LazyFrame:
    """Source files (a directory, files, or frames) as one lazy frame with the source layout's types."""
    if isinstance(source, pl.LazyFrame):
        return source
    if isinstance(source, pl.DataFrame):
        return source.lazy()
    if isinstance(source, pa.Table):
        return pl.from_arrow(source).lazy()  # type: ignore[union-attr]
    frames = []
    for path in _files(source):
        if path.suffix == ".parquet":
            frames.append(pl.scan_parquet(path).select(list(SOURCE_POLARS)).cast(SOURCE_POLARS))  # type: ignore[arg-type]
        else:
            frames.append(pl.scan_csv(path, schema=SOURCE_POLARS))  # type: ignore[arg-type]
    if not frames:
        return pl.LazyFrame(schema=SOURCE_POLARS)
    return pl.concat(frames, how="vertical")


FEATURE_KINDS = ("present", "months", "amount", "recency")


@dataclass(frozen=True)
class Layout:
    """Where the features of a matrix are: per feature kind, the column of each indicator kind (-1: the
    matrix has no such column), the context columns, and the row a household without records has."""

    names: tuple[str, ...]
    kinds: dict[str, np.ndarray]
    context: np.ndarray  # column of each CONTEXT_FEATURES entry (-1: absent)
    default: np.ndarray


@dataclass(frozen=True)
class Records:
    """The usable records of a cycle (within their kind's window, of a kind in force), grouped by household:
    ``row[i]`` is the household of record ``i`` among ``household_ids`` (ascending ids, each with at least one
    record), the records of each batch of ``batch`` households contiguous. ``register_rows`` says where each
    of these households is in the register the records were matched against (None: no register). Months
    are the validated 0..600; amounts are 0 where a record has none."""

    household_ids: np.ndarray
    register_rows: np.ndarray | None
    codes: tuple[str, ...]
    row: np.ndarray
    kind: np.ndarray
    days: np.ndarray
    months: np.ndarray  # NaN where the record has none
    amount: np.ndarray
    meets: np.ndarray
    starts: np.ndarray  # starts[b]: first record of households [b * batch, (b + 1) * batch)
    batch: int

    @property
    def households(self) -> int:
        return len(self.household_ids)

    def layout(self, names: list[str] | tuple[str, ...]) -> Layout:
        index = {name: j for j, name in enumerate(names)}
        kinds = {f: np.array([index.get(f"{c}_{f}", -1) for c in self.codes], dtype=np.int64) for f in FEATURE_KINDS}
        context = np.array([index.get(c, -1) for c in CONTEXT_FEATURES], dtype=np.int64)
        default = np.array([np.nan if default_value(n) is None else default_value(n) for n in names])
        return Layout(names=tuple(names), kinds=kinds, context=context, default=default)

    def matrix(self, lo: int, hi: int, layout: Layout, context: np.ndarray | None = None) -> np.ndarray:
        """The feature rows of households ``lo..hi`` (positions) as a C-ordered float64 matrix in the layout's
        column order, scattered straight from the records: exactly the float32 values of the feature table.
        ``context``: (hi - lo) x CONTEXT_FEATURES values (missing when None)."""
        n, width = hi - lo, len(layout.names)
        X = np.empty((n, width))
        X[:] = layout.default
        if context is not None:
            for j, col in enumerate(layout.context):
                if col >= 0:
                    X[:, col] = context[:, j]
        sel = slice(self.starts[lo // self.batch], self.starts[min(-(-hi // self.batch), len(self.starts) - 1)])
        row = self.row[sel] - lo
        inside = (row >= 0) & (row < n)
        base = row[inside] * width
        kind = self.kind[sel][inside]
        flat = X.reshape(-1)
        for name, values, put in (("present", self.meets, None), ("months", self.months, np.maximum.at),
                                  ("amount", self.amount, np.add.at), ("recency", self.days, np.fmin.at)):
            col = layout.kinds[name][kind]
            use = col >= 0
            v = values[sel][inside]
            if name == "present":
                flat[(base + col)[use & v]] = 1.0
                continue
            if name == "months":
                use &= ~np.isnan(v)
            assert put is not None
            put(flat, (base + col)[use], v[use].astype(np.float64))  # one dtype: ufunc.at's fast loop
        amount_cols = layout.kinds["amount"][layout.kinds["amount"] >= 0]
        if len(amount_cols):  # the sums in 만 원, rounded to float32 like every feature
            X[:, amount_cols] = (X[:, amount_cols] / 10_000).astype(np.float32)
        return X

    def count(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """The indicator count (kinds present) of households ``lo..hi``."""
        hi = self.households if hi is None else hi
        k = len(self.codes)
        sel = slice(self.starts[lo // self.batch], self.starts[min(-(-hi // self.batch), len(self.starts) - 1)])
        row, meets = self.row[sel] - lo, self.meets[sel]
        use = meets & (row >= 0) & (row < hi - lo)
        present = np.zeros((hi - lo) * k, dtype=bool)
        present[row[use] * k + self.kind[sel][use]] = True
        return present.reshape(hi - lo, k).sum(axis=1, dtype=np.int32).astype(np.float32)

    def take(self, rows: np.ndarray) -> Records:
        """The records of the households at ``rows`` (ascending positions), as a Records of their own."""
        wanted = np.zeros(self.households, dtype=bool)
        wanted[rows] = True
        keep = wanted[self.row]
        renumber = np.empty(self.households, dtype=np.int64)
        renumber[rows] = np.arange(len(rows))
        return _grouped(self.household_ids[rows], None if self.register_rows is None else self.register_rows[rows],
                        self.codes, renumber[self.row[keep]], *(a[keep] for a in (self.kind, self.days, self.months,
                                                                                   self.amount, self.meets)),
                        batch=self.batch)


def _grouped(household_ids: np.ndarray, register_rows: np.ndarray | None, codes: tuple[str, ...], row: np.ndarray,
             kind: np.ndarray, days: np.ndarray, months: np.ndarray, amount: np.ndarray, meets: np.ndarray,
             batch: int) -> Records:
    """Records ordered by batch of households (a radix sort of small keys: no full sort by household)."""
    block = (row // batch).astype(np.uint16 if len(household_ids) // batch < 2 ** 16 else np.int64)
    order = np.argsort(block, kind="stable")
    counts = np.bincount(block, minlength=-(-len(household_ids) // batch))
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Records(household_ids=household_ids, register_rows=register_rows, codes=codes, row=row[order],
                   kind=kind[order], days=days[order], months=months[order], amount=amount[order],
                   meets=meets[order], starts=starts, batch=batch)


def _record_tables(source: IndicatorSource) -> list[Callable[[], pa.Table]]:
    """Readers of the records as Arrow tables, one per file, Parquet read with the indicator code
    dictionary-encoded (a few dozen distinct codes over millions of rows: no string is compared per row)."""
    if isinstance(source, pl.LazyFrame | pl.DataFrame | pa.Table):
        frame = source
        return [lambda: read_indicators(frame).select(list(SOURCE_POLARS)).cast(SOURCE_POLARS)  # type: ignore[arg-type]
                .collect().to_arrow()]

    def reader(path: Path) -> Callable[[], pa.Table]:
        if path.suffix == ".parquet":
            return lambda: pq.read_table(path, columns=list(SOURCE_POLARS), read_dictionary=["indicator_code"])
        return lambda: pl.scan_csv(path, schema=SOURCE_POLARS).collect().to_arrow()  # type: ignore[arg-type]

    return [reader(path) for path in _files(source)]


def _kind_index(column: pa.ChunkedArray, codes: list[str]) -> np.ndarray:
    """The position of each record's code among ``codes`` (-1: not an active kind, or empty)."""
    parts = []
    for chunk in column.chunks:
        if pa.types.is_dictionary(chunk.type):
            lut = np.array([codes.index(v) if v in codes else -1 for v in chunk.dictionary.to_pylist()] + [-1],
                           dtype=np.int32)
            idx = chunk.indices.fill_null(len(lut) - 1).to_numpy(zero_copy_only=False).astype(np.int64)
            parts.append(lut[idx])
        else:
            parts.append(pc.index_in(chunk, value_set=pa.array(codes, pa.string())).fill_null(-1)
                         .to_numpy(zero_copy_only=False).astype(np.int32))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)


def _numbers(column: pa.ChunkedArray, fill: float) -> np.ndarray:
    return column.cast(pa.float64()).fill_null(fill).to_numpy()


@dataclass(frozen=True)
class _Rules:
    """Each active kind's window and thresholds, by kind position."""

    codes: list[str]
    within: np.ndarray
    tmonths: np.ndarray
    amin: np.ndarray
    amax: np.ndarray
    day: float

    @classmethod
    def of(cls, catalogue: Catalogue, as_of: dt.date) -> _Rules:
        active = catalogue.active(as_of)
        return cls(codes=[i.code for i in active], within=np.array([i.within_days for i in active], dtype=np.float64),
                   tmonths=np.array([np.nan if i.threshold_months is None else i.threshold_months for i in active]),
                   amin=np.array([np.nan if i.amount_min is None else i.amount_min for i in active]),
                   amax=np.array([np.nan if i.amount_max is None else i.amount_max for i in active]),
                   day=float((as_of - dt.date(1970, 1, 1)).days))

    def usable(self, table: pa.Table) -> tuple[np.ndarray, ...]:
        """(household id, kind, days ago, months, amount) of the records of ``table`` within their window."""
        kind = _kind_index(table.column("indicator_code"), self.codes)
        days = self.day - _numbers(table.column("reference_date").cast(pa.int32()), np.nan)
        usable = kind >= 0
        usable[usable] = (days[usable] >= 0) & (days[usable] <= self.within[kind[usable]])
        return tuple(values[usable] for values in (table.column("household_id").cast(pa.int64()).to_numpy(), kind,
                                                   days, _numbers(table.column("months"), np.nan),
                                                   _numbers(table.column("amount"), 0.0)))


def read_records(indicators: IndicatorSource, catalogue: Catalogue, as_of: dt.date,
                 register: np.ndarray | Callable[[], np.ndarray] | None = None, batch: int = 8192, *,
                 pool: Executor | None = None) -> Records:
    """The usable records of every household having at least one, ready to scatter into features by batch
    of households (``Records.matrix``). With ``register`` (household ids, or a function giving them, called
    once the files are read so that the households can be read meanwhile), records of households not in it
    are dropped and each household knows its row in the register. With ``pool``, the files are read and
    filtered by its workers (Parquet decoding and numpy leave the GIL)."""
    rules = _Rules.of(catalogue, as_of)
    readers = _record_tables(indicators)
    parts = list(pool.map(lambda read: rules.usable(read()), readers)) if pool is not None else \
        [rules.usable(read()) for read in readers]
    empty = (np.int64, np.int32, np.float64, np.float64, np.float64)
    ids, kind, days, months, amount = (np.concatenate([p[i] for p in parts]) if parts else np.zeros(0, dtype=t)
                                       for i, t in enumerate(empty))
    register_rows = None
    if callable(register):
        register = register()
    if register is None:
        households, row = np.unique(ids, return_inverse=True)
    else:
        at, found = lookup(register, ids)
        if not found.all():
            at, kind, days, months, amount = at[found], kind[found], days[found], months[found], amount[found]
        has = np.zeros(len(register), dtype=bool)
        has[at] = True
        register_rows = np.flatnonzero(has)
        renumber = np.empty(len(register), dtype=np.int32 if len(register) < 2 ** 31 else np.int64)
        renumber[register_rows] = np.arange(len(register_rows))
        row = renumber[at]
        households = np.asarray(register)[register_rows]
    m = np.nan_to_num(months)
    with np.errstate(invalid="ignore"):
        meets = ((np.isnan(rules.tmonths[kind]) | (m >= rules.tmonths[kind]))
                 & (np.isnan(rules.amin[kind]) | (amount >= rules.amin[kind]))
                 & (np.isnan(rules.amax[kind]) | (amount <= rules.amax[kind])))
    # Narrow types where they are exact (whole days up to a few years, months up to 600): less to move.
    return _grouped(households, register_rows, tuple(rules.codes), row, kind.astype(np.int16),
                    days.astype(np.float32), months.astype(np.float32), amount, meets, batch)


def lookup(ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row of each wanted id in ``ids``, whether it is there). Ids of a register are nearly consecutive
    integers: a direct table then, one read per wanted id; a binary search otherwise."""
    ids, wanted = np.asarray(ids, dtype=np.int64), np.asarray(wanted, dtype=np.int64)
    if len(ids) == 0 or len(wanted) == 0:
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    low, high = int(ids.min()), int(ids.max())
    if high - low == len(ids) - 1 and bool((ids[1:] > ids[:-1]).all()):  # a register numbered low, low + 1, …
        pos = wanted - low
        found = (pos >= 0) & (pos < len(ids))
        return np.where(found, pos, 0), found
    if high - low < 4 * len(ids) + 1024 and 8 * len(wanted) >= len(ids):
        table = np.full(high - low + 1, -1, dtype=np.int64)
        table[ids - low] = np.arange(len(ids))
        inside = (wanted >= low) & (wanted <= high)
        pos = np.full(len(wanted), -1, dtype=np.int64)
        pos[inside] = table[wanted[inside] - low]
        found = pos >= 0
        return np.where(found, pos, 0), found
    order = None if len(ids) < 2 or bool((ids[1:] > ids[:-1]).all()) else np.argsort(ids, kind="stable")
    ordered = ids if order is None else ids[order]
    pos = np.minimum(np.searchsorted(ordered, wanted), len(ids) - 1)
    found = ordered[pos] == wanted
    return (pos if order is None else order[pos]), found


def indicator_features(indicators: IndicatorSource, catalogue: Catalogue, as_of: dt.date) -> pl.DataFrame:
    """Feature columns of the indicators, one row per household having at least one usable record."""
    records = read_records(indicators, catalogue, as_of)
    names = [n for n in feature_names(catalogue, as_of) if n not in CONTEXT_FEATURES and n != COUNT_FEATURE]
    layout, n = records.layout(names), records.households
    values = np.empty((n, len(names)), dtype=np.float32)
    for lo in range(0, n, records.batch):
        values[lo:lo + records.batch] = records.matrix(lo, min(lo + records.batch, n), layout)
    columns: dict[str, Any] = {"household_id": records.household_ids}
    for j, name in enumerate(names):
        column = pl.Series(name, values[:, j])
        columns[name] = column.fill_nan(None) if name.endswith("_recency") else column
    columns[COUNT_FEATURE] = np.concatenate([records.count(lo, min(lo + records.batch, n))
                                             for lo in range(0, n, records.batch)] or [np.zeros(0, np.float32)])
    return pl.DataFrame(columns)


def context_features(households: pl.DataFrame | pa.Table) -> pl.DataFrame:
    hh = households if isinstance(households, pl.DataFrame) else pl.from_arrow(households)
    assert isinstance(hh, pl.DataFrame)
    kinds = pl.Enum(list(HOUSEHOLD_TYPES))
    kind = hh["household_type"]
    if kind.dtype == pl.Categorical:
        # Map the few distinct values instead of casting millions of strings.
        arrow = kind.to_arrow()
        arrow = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
        lut = np.array([HOUSEHOLD_TYPES.index(v) if v in HOUSEHOLD_TYPES else np.nan
                        for v in arrow.dictionary.to_pylist()] + [np.nan], dtype=np.float32)
        codes = arrow.indices.to_numpy(zero_copy_only=False)
        codes = np.where(arrow.is_null().to_numpy(zero_copy_only=False), len(lut) - 1, codes)
        kind_expr = pl.Series("household_type", lut[codes.astype(np.int64)]).fill_nan(None)
    else:
        kind_expr = pl.col("household_type").cast(pl.Utf8).cast(kinds).to_physical().cast(pl.Float32)
    return hh.select(
        "household_id",
        kind_expr.alias("household_type"),
        pl.col("head_age").cast(pl.Float32),
        pl.col("household_size").cast(pl.Float32),
    )


def build_features(indicators: IndicatorSource, catalogue: Catalogue, as_of: dt.date,
                   households: pl.DataFrame | pa.Table | None = None) -> pl.DataFrame:
    """One row per household: every household in ``households`` when given (those without any record
    get the defaults), else every household that has a usable record (context features missing)."""
    ind = indicator_features(indicators, catalogue, as_of)
    names = feature_names(catalogue, as_of)
    if households is None:
        ctx = [pl.lit(None, dtype=pl.Float32).alias(c) for c in CONTEXT_FEATURES]
        return ind.with_columns(ctx).select("household_id", *names)
    joined = context_features(households).join(ind, on="household_id", how="left")
    fill = [pl.col(n).fill_null(default_value(n)) for n in names
            if n not in CONTEXT_FEATURES and default_value(n) is not None]
    return joined.with_columns(fill).select("household_id", *names)
