import datetime as dt

import polars as pl
import pytest

from dolbom.discovery.engine import build_features, load_catalogue

AS_OF = dt.date(2026, 11, 1)


@pytest.fixture
def features():
    d = dt.date
    records = pl.DataFrame({
        "household_id": [1, 1, 1, 1, 1, 2, 2, 2],
        "indicator_code": ["E02", "E02", "C01", "C01", "J01", "E02", "E01", "Q01"],
        "reference_date": [d(2026, 10, 2), d(2026, 8, 3), d(2026, 5, 5), d(2025, 12, 1), d(2026, 4, 15),
                           d(2026, 10, 22), d(2026, 12, 1), d(2026, 10, 1)],
        "months": [4, 2, None, None, None, 2, None, None],
        "amount": [None, None, 1_500_000, 300_000, None, None, None, None],
    })
    households = pl.DataFrame({
        "household_id": [1, 2, 3], "dong": ["서신동"] * 3, "head_age": [81, 45, 30], "head_sex": ["F", "M", "F"],
        "household_type": ["older_alone", "family", "couple"], "household_size": [1, 4, 2],
    })
    return build_features(records, load_catalogue(), AS_OF, households=households).sort("household_id")


def _row(features, household_id, *names):
    return features.filter(pl.col("household_id") == household_id).select(names).row(0)


def test_arrears_take_the_most_months_and_the_latest_record(features):
    assert _row(features, 1, "E02_present", "E02_months", "E02_recency") == (1.0, 4.0, 30.0)


def test_amounts_add_up_in_manwon_within_two_years(features):
    assert _row(features, 1, "C01_present", "C01_amount", "C01_recency") == (1.0, 180.0, 180.0)


def test_months_below_the_threshold_are_kept_but_do_not_count_as_present(features):
    assert _row(features, 2, "E02_present", "E02_months", "E02_recency") == (0.0, 2.0, 10.0)


def test_old_future_and_retired_records_are_ignored(features):
    assert _row(features, 1, "J01_present", "J01_recency") == (0.0, None)  # 200 days > 180
    assert _row(features, 2, "E01_present", "E01_recency") == (0.0, None)  # dated after the cycle
    assert not [c for c in features.columns if c.startswith("Q01")]  # retired in 2023


def test_the_count_is_the_kinds_present_and_households_without_records_get_defaults(features):
    assert features["indicator_count"].to_list() == [2.0, 0.0, 0.0]
    assert _row(features, 3, "E02_present", "E02_months", "E02_recency", "household_type", "head_age") == (
        0.0, 0.0, None, 4.0, 30.0)
    assert _row(features, 1, "household_type", "household_size") == (0.0, 1.0)


def test_without_households_only_households_with_records_are_rows(features):
    d = dt.date
    records = pl.DataFrame({"household_id": [5], "indicator_code": ["H01"], "reference_date": [d(2026, 9, 1)],
                            "months": [6], "amount": [None]}, schema_overrides={"amount": pl.Int64})
    only = build_features(records, load_catalogue(), AS_OF)
    assert only["household_id"].to_list() == [5]
    assert only.select("H01_present", "H01_months", "indicator_count").row(0) == (1.0, 6.0, 1.0)
    assert only.columns == features.columns
