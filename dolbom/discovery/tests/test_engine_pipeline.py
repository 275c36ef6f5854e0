import json

import polars as pl
import pyarrow as pa

from dolbom.discovery.engine import build_features, quality_report, run_cycle, score, write_quality_report
from dolbom.discovery.tests.engine_data import AS_OF, data  # noqa: F401


def _cycle(data, tmp_path, **kw):  # noqa: F811
    return run_cycle(households=data.fresh.households_path, indicators=data.fresh.out_dir / "sources",
                     model=data.model, catalogue=data.catalogue, as_of=AS_OF, out_dir=tmp_path, keep_scores=True, **kw)


def test_the_fast_path_scores_every_household_exactly_as_the_full_feature_table(data, tmp_path):  # noqa: F811
    result = _cycle(data, tmp_path, capacity=0.02)
    households = pl.read_parquet(data.fresh.households_path)
    full = build_features(data.fresh.out_dir / "sources", data.catalogue, AS_OF, households=households)
    plain = score(full, data.model, reasons=False)
    joined = plain.join(result.scores, on="household_id", suffix="_fast")
    assert joined.height == households.height == result.scores.height
    assert (joined["probability"] == joined["probability_fast"]).all()
    assert (joined["indicator_count"] == joined["indicator_count_fast"]).all()


def test_each_dong_gets_its_capacity_ranked_by_probability_without_excluded_households(data, tmp_path):  # noqa: F811
    households = pl.read_parquet(data.fresh.households_path)
    first = _cycle(data, tmp_path / "a", capacity=25)
    excluded = first.lists.filter(pl.col("rank") <= 2)["household_id"]
    result = _cycle(data, tmp_path / "b", capacity=25, exclude=pa.array(excluded.to_list(), pa.int64()))
    lists = pl.read_parquet(result.lists_path)
    assert set(lists["dong"].unique()) == set(households["dong"].unique())
    per_dong = lists.group_by("dong").agg(n=pl.len(), ranks=pl.col("rank").sort(),
                                          monotone=(pl.col("probability").diff().fill_null(0) <= 0).all())
    assert per_dong["n"].to_list() == [25] * per_dong.height
    assert all(r == list(range(1, 26)) for r in per_dong["ranks"].to_list())
    assert per_dong["monotone"].all()
    assert not lists["household_id"].is_in(excluded.implode()).any()
    assert lists["reasons"].list.len().min() >= 1
    assert set(lists["model_version"]) == {data.model.version}


def test_the_quality_report_compares_model_and_rule_by_group_on_a_city_never_trained_on(data, tmp_path):  # noqa: F811
    result = _cycle(data, tmp_path, capacity=0.02)
    truth = pl.read_parquet(data.fresh.truth_path)
    households = pl.read_parquet(data.fresh.households_path)
    report = quality_report(result.scores, truth, households, 0.02)
    overall = report["overall"]
    assert overall["households"] == households.height
    assert overall["auc_model"] > overall["auc_baseline"]
    assert overall["listed_model"] == overall["listed_baseline"] == result.lists.height
    assert abs(overall["mean_probability"] - overall["prevalence"]) < 0.02  # calibrated on other households
    assert {g["group"] for g in report["groups"]["sex"]} == {"F", "M"}
    assert {g["group"] for g in report["groups"]["age_group"]} <= {"<40", "40-64", "65-79", "80+"}
    assert sum(b["households"] for b in report["calibration"]) == households.height
    written = write_quality_report(report, tmp_path / "quality.json")
    assert json.loads(written.read_text(encoding="utf-8"))["model_version"] == data.model.version
    page = write_quality_report(report, tmp_path / "quality.html").read_text(encoding="utf-8")
    assert "<svg" in page and "품질 보고서" in page


def test_the_feature_table_spark_is_given_scores_like_the_batches_built_from_the_records(data):  # noqa: F811
    """Spark scores a feature table; the local engine scatters the records into each batch. Same numbers."""
    from dolbom.discovery.engine.features import feature_names
    from dolbom.discovery.engine.pipeline import _records_frame, read_households, score_households

    hh = read_households(data.fresh.households_path)
    local, scoring = score_households(hh, data.fresh.out_dir / "sources", data.model, data.catalogue, AS_OF)
    names = [n for n in feature_names(data.catalogue, AS_OF) if n != "indicator_count"]
    table = _records_frame(scoring.records, scoring.register, names)
    plain = score(table, data.model, reasons=False).join(local, on="household_id", suffix="_fast")
    assert plain.height == scoring.records.households == table.height > 0
    assert (plain["score"] == plain["score_fast"]).all()
    assert (plain["indicator_count"] == plain["indicator_count_fast"]).all()
