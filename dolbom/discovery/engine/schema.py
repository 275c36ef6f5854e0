"""Column layouts shared by every part of the engine (source files, households, scores)."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

# One layout for every agency's file, so one reader and one validator serve all of them. ``months`` is
# filled for months-in-arrears indicators, ``amount`` (won) for amount indicators; both empty otherwise.
SOURCE_COLUMNS = ("household_id", "indicator_code", "reference_date", "months", "amount")
SOURCE_SCHEMA = pa.schema([
    ("household_id", pa.int64()),
    ("indicator_code", pa.string()),
    ("reference_date", pa.date32()),
    ("months", pa.int32()),
    ("amount", pa.int64()),
])
SOURCE_POLARS = {"household_id": pl.Int64, "indicator_code": pl.Utf8, "reference_date": pl.Date,
                 "months": pl.Int32, "amount": pl.Int64}

# What the engine needs to know about a household. The Django side builds this from the registry;
# the synthetic generator writes it as households.parquet.
HOUSEHOLD_TYPES = ("older_alone", "adult_alone", "older_couple", "older_with_child", "couple", "single_parent",
                   "family", "family_grand")
HOUSEHOLD_SCHEMA = pa.schema([
    ("household_id", pa.int64()),
    ("dong", pa.string()),
    ("head_age", pa.int16()),
    ("head_sex", pa.string()),  # "M" / "F"; reported on for fairness, never a model feature
    ("household_type", pa.string()),  # one of HOUSEHOLD_TYPES
    ("household_size", pa.int8()),
])

# Household features the model may use besides the indicators. Sex is deliberately not one of them:
# the ranking must not treat men and women differently for the same situation; the quality report
# checks the outcome by sex instead.
CONTEXT_FEATURES = ("household_type", "head_age", "household_size")
COUNT_FEATURE = "indicator_count"

SCORE_SCHEMA = pa.schema([
    ("household_id", pa.int64()),
    ("score", pa.float64()),  # the model's raw margin (log-odds before calibration)
    ("probability", pa.float64()),  # calibrated probability of needing support
    ("indicator_count", pa.int32()),  # the baseline rule: how many indicator kinds are present
    ("reason_codes", pa.list_(pa.string())),
    ("reasons", pa.list_(pa.string())),  # Korean, strongest first; empty when not explained
    ("model_version", pa.string()),
])
