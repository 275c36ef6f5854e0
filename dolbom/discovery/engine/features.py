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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from dolbom.discovery.catalogue import Catalogue, Indicator
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


def _rules(catalogue: Catalogue, as_of: dt.date) -> pl.LazyFrame:
    active = catalogue.active(as_of)
    return pl.LazyFrame({
        "indicator_code": [i.code for i in active],
        "_within": [i.within_days for i in active],
        "_tmonths": [i.threshold_months for i in active],
        "_amin": [i.amount_min for i in active],
        "_amax": [i.amount_max for i in active],
    }, schema={"indicator_code": pl.Utf8, "_within": pl.Int32, "_tmonths": pl.Int32, "_amin": pl.Int64,
               "_amax": pl.Int64})


def indicator_features(indicators: IndicatorSource, catalogue: Catalogue, as_of: dt.date) -> pl.DataFrame:
    """Feature columns of the indicators, one row per household having at least one usable record."""
    lf = read_indicators(indicators)
    days = (pl.lit(as_of, dtype=pl.Date) - pl.col("reference_date")).dt.total_days()
    meets = ((pl.col("_tmonths").is_null() | (pl.col("months").fill_null(0) >= pl.col("_tmonths")))
             & (pl.col("_amin").is_null() | (pl.col("amount").fill_null(0) >= pl.col("_amin")))
             & (pl.col("_amax").is_null() | (pl.col("amount").fill_null(0) <= pl.col("_amax"))))
    per_kind = (
        lf.join(_rules(catalogue, as_of), on="indicator_code", how="inner")
        .with_columns(_days=days)
        .filter((pl.col("_days") >= 0) & (pl.col("_days") <= pl.col("_within")))
        .group_by("household_id", "indicator_code")
        .agg(
            present=meets.max().cast(pl.Float32),
            months=pl.col("months").max().fill_null(0).cast(pl.Float32),
            amount=(pl.col("amount").sum() / 10_000).cast(pl.Float32),
            recency=pl.col("_days").min().cast(pl.Float32),
        )
        .collect()
    )
    return _wide(per_kind, catalogue.active(as_of))


def _wide(per_kind: pl.DataFrame, active: tuple[Indicator, ...]) -> pl.DataFrame:
    """(household, kind) rows -> one row per household, by scattering into preallocated columns (a Polars
    pivot of the same rows costs ten times more)."""
    codes = [i.code for i in active]
    ids = per_kind["household_id"].to_numpy()
    households, row = np.unique(ids, return_inverse=True)
    kind = per_kind["indicator_code"].replace_strict({c: k for k, c in enumerate(codes)},
                                                     return_dtype=pl.Int32).to_numpy()
    columns: dict[str, Any] = {"household_id": households}
    blocks: dict[str, np.ndarray] = {}
    for feature in ("present", "months", "amount", "recency"):
        block = np.full((len(codes), len(households)), np.nan if feature == "recency" else 0.0, dtype=np.float32)
        block[kind, row] = per_kind[feature].to_numpy()
        blocks[feature] = block
    for k, ind in enumerate(active):
        for feature in ind.features:
            values = pl.Series(f"{ind.code}_{feature}", blocks[feature][k])
            columns[values.name] = values.fill_nan(None) if feature == "recency" else values
    columns[COUNT_FEATURE] = blocks["present"].sum(axis=0, dtype=np.float32)
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
