"""The quality report against a plain computation of the same figures (joins, sorts and ranks in Polars),
on the city the model was never trained on: the counts, rates and AUCs must be equal to the last bit, the
sums of probabilities to rounding."""

import math

import numpy as np
import polars as pl
import pytest

from dolbom.discovery.engine import quality_report
from dolbom.discovery.engine.quality import AGE_GROUPS, CALIBRATION_EDGES
from dolbom.discovery.tests.engine_data import data  # noqa: F401
from dolbom.discovery.tests.test_engine_pipeline import _cycle

SHARE = 0.02
EXACT = ("households", "need_support", "prevalence", "listed_model", "found_model", "listed_baseline",
         "found_baseline", "precision_model", "recall_model", "precision_baseline", "recall_baseline", "auc_model",
         "auc_baseline")


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


def _reference(scores: pl.DataFrame, truth: pl.DataFrame, households: pl.DataFrame, seed: int = 0) -> dict:
    """Every figure by group, the plain way: one joined frame, each dong's list by a sort, each AUC from
    mid-ranks (Mann-Whitney), the probabilities tied where they are within 2^-48 as the report says."""
    hh = households.select("household_id", "dong", "head_age", "head_sex", "household_type")
    caps = hh.group_by("dong").len().select(
        "dong", cap=pl.when(pl.col("dong").is_null()).then(0).otherwise((pl.col("len") * SHARE).ceil()))
    f = (scores.select("household_id", "probability", "indicator_count").with_row_index("row")
         .join(truth.select("household_id", "needs_support"), on="household_id")
         .join(hh, on="household_id").sort("row"))
    u = np.random.default_rng(seed).random(f.height) * 0.5
    age = pl.col("head_age")
    age_group = pl.lit(None, pl.Utf8)
    for lo, hi, name in reversed(AGE_GROUPS):
        age_group = pl.when((age >= lo) & (age < hi)).then(pl.lit(name)).otherwise(age_group)
    f = f.with_columns(
        q=pl.Series(np.floor(np.clip(f["probability"].to_numpy(), 0, 1) * 2.0 ** 48)),
        rule=pl.col("indicator_count").fill_null(0).cast(pl.Float64) + pl.Series(u),
        y=pl.col("needs_support").fill_null(False), age_group=age_group, sex=pl.col("head_sex"),
        everyone=pl.lit(0),
    ).join(caps, on="dong", how="left", nulls_equal=True).with_columns(pl.col("cap").fill_null(0))
    for who, value in (("model", "probability"), ("baseline", "rule")):
        f = f.sort(["dong", value, "row"], descending=[False, True, False], nulls_last=True).with_columns(
            (pl.int_range(pl.len()).over("dong") < pl.col("cap")).alias(f"listed_{who}"))
    f = f.sort("row")
    out = {}
    for by in ("everyone", "dong", "age_group", "sex", "household_type"):
        table = f.with_columns(rank_model=pl.col("q").rank("average").over(by),
                               rank_rule=pl.col("indicator_count").fill_null(0).rank("average").over(by)).group_by(
            by).agg(households=pl.len(), need_support=pl.col("y").sum(), probability=pl.col("probability").mean(),
                    negatives=(~pl.col("y")).sum(), ranks_model=pl.col("rank_model").filter("y").sum(),
                    ranks_rule=pl.col("rank_rule").filter("y").sum(),
                    **{f"{k}_{who}": pl.col(f"listed_{who}").filter(c).sum() for who in ("model", "baseline")
                       for k, c in (("listed", True), ("found", pl.col("y")))})
        rows = {}
        for r in table.iter_rows(named=True):
            pos, neg = r["need_support"], r["negatives"]
            row = {k: r[k] for k in ("households", "need_support", "listed_model", "found_model", "listed_baseline",
                                     "found_baseline")}
            row.update(prevalence=_ratio(pos, r["households"]), mean_probability=r["probability"])
            for who in ("model", "baseline"):
                row[f"precision_{who}"] = _ratio(r[f"found_{who}"], r[f"listed_{who}"])
                row[f"recall_{who}"] = _ratio(r[f"found_{who}"], pos)
            for who, ranks in (("model", "ranks_model"), ("baseline", "ranks_rule")):
                row[f"auc_{who}"] = _ratio(r[ranks] - pos * (pos + 1) / 2, pos * neg) if pos and neg else None
            rows[r[by]] = row
        out[by] = rows
    edges = np.array(CALIBRATION_EDGES)
    p, y = f["probability"].to_numpy(), f["y"].to_numpy()
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    out["calibration"] = [(int((which == b).sum()), float(p[which == b].mean()), float(y[which == b].mean()))
                          for b in range(len(edges) - 1) if (which == b).any()]
    return out


def _assert_same(report: dict, reference: dict) -> None:
    overall = reference["everyone"][0]
    for k in EXACT:
        assert report["overall"][k] == overall[k], k
    assert report["overall"]["mean_probability"] == pytest.approx(overall["mean_probability"], rel=1e-12)
    for by, rows in report["groups"].items():
        assert [r["group"] for r in rows] == sorted(reference[by], key=lambda v: (v is not None, v or ""))
        for r in rows:
            expected = reference[by][r["group"]]
            assert {k: r[k] for k in EXACT} == {k: expected[k] for k in EXACT}, (by, r["group"])
            assert r["mean_probability"] == pytest.approx(expected["mean_probability"], rel=1e-12)
    got = [(b["households"], b["mean_probability"], b["observed_rate"]) for b in report["calibration"]]
    assert [g[0] for g in got] == [e[0] for e in reference["calibration"]]
    assert [g[2] for g in got] == [e[2] for e in reference["calibration"]]
    assert [g[1] for g in got] == pytest.approx([e[1] for e in reference["calibration"]], rel=1e-12)


def test_the_quality_report_gives_the_figures_of_a_plain_join_rank_and_sort(data, tmp_path):  # noqa: F811
    scores = _cycle(data, tmp_path, capacity=SHARE).scores
    truth, households = pl.read_parquet(data.fresh.truth_path), pl.read_parquet(data.fresh.households_path)
    report = quality_report(scores, truth, households, SHARE)
    _assert_same(report, _reference(scores, truth, households))
    assert report["overall"]["listed_model"] > 0 and report["overall"]["auc_model"] is not None
    by_path = quality_report(scores, data.fresh.truth_path, data.fresh.households_path, SHARE)
    assert {k: v for k, v in by_path.items() if k != "generated_at"} == \
        {k: v for k, v in report.items() if k != "generated_at"}


def test_households_missing_shuffled_or_without_a_dong_or_age_are_matched_by_id(data, tmp_path):  # noqa: F811
    scores = _cycle(data, tmp_path, capacity=SHARE).scores
    truth = pl.read_parquet(data.fresh.truth_path).sample(fraction=0.9, seed=1, shuffle=True)
    households = pl.read_parquet(data.fresh.households_path).with_row_index("i").with_columns(
        dong=pl.when(pl.col("i") % 97 == 0).then(None).otherwise(pl.col("dong")),
        head_age=pl.when(pl.col("i") % 89 == 0).then(None).otherwise(pl.col("head_age")),
    ).drop("i").sample(fraction=0.85, seed=2, shuffle=True)
    report = quality_report(scores, truth, households, SHARE)
    reference = _reference(scores, truth, households)
    _assert_same(report, reference)
    assert report["groups"]["dong"][0]["group"] is None  # missing first, and on no list
    assert report["groups"]["dong"][0]["listed_model"] == 0
    assert report["groups"]["age_group"][0]["group"] is None
    assert report["overall"]["households"] < math.floor(0.9 * scores.height)
