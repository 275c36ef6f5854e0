import numpy as np
import polars as pl
import pytest

from dolbom.discovery.engine import load_model, score_batch, split_households, train_model
from dolbom.discovery.engine.model import TEST, compiled_trees_available
from dolbom.discovery.tests.engine_data import data  # noqa: F401


def test_metrics_come_from_held_out_households_only(data):  # noqa: F811
    truth = pl.read_parquet(data.train.truth_path)
    held_out = split_households(truth["household_id"].to_numpy(), 3) == TEST
    assert data.artifact.metrics["n_test"] == int(
        held_out[np.isin(truth["household_id"].to_numpy(), data.features["household_id"].to_numpy())].sum())
    # Flipping every held-out label changes the metrics and nothing the model learnt.
    flipped = truth.with_columns(needs_support=pl.when(pl.Series(held_out)).then(~pl.col("needs_support"))
                                 .otherwise(pl.col("needs_support")))
    again = train_model(data.features, flipped, seed=3, catalogue=data.catalogue)
    assert again.version == data.artifact.version
    assert again.metrics["auc_test"] < 0.5 < data.artifact.metrics["auc_test"]


def test_the_model_beats_the_indicator_count_on_its_held_out_part(data):  # noqa: F811
    m = data.artifact.metrics
    assert m["auc_test"] > m["baseline_auc_test"] + 0.02
    assert abs(m["brier_test"]) < m["prevalence_test"]  # better than always saying "no"


def test_an_artefact_round_trips_and_names_its_version(data):  # noqa: F811
    model = load_model(data.artifact.data, compiled=False)
    assert model.version == data.artifact.version and model.version.startswith(data.catalogue.version + "-")
    assert model.feature_names == data.artifact.feature_names
    batch = data.features.head(200).to_arrow().to_batches()[0]
    out = score_batch(batch, model, reasons=False)
    expected = model.booster.predict(data.features.head(200).select(model.feature_names).to_numpy(), raw_score=True)
    assert np.allclose(out.column("score").to_numpy(), expected, rtol=0, atol=1e-12)
    assert set(out.column("model_version").to_pylist()) == {model.version}


def test_reasons_are_the_strongest_contributions_written_with_the_households_own_values(data):  # noqa: F811
    rows = data.features.filter(pl.col("indicator_count") > 0).head(500)
    out = pl.from_arrow(score_batch(rows.to_arrow().to_batches()[0], data.model, reasons=True))
    values = {r["household_id"]: r for r in rows.iter_rows(named=True)}
    indicators = data.catalogue.by_code()
    checked = 0
    for household_id, codes, texts in out.select("household_id", "reason_codes", "reasons").iter_rows():
        assert len(codes) == len(texts) <= 3
        for code, text in zip(codes, texts, strict=True):
            if code in indicators and indicators[code].measure == "months":
                months = int(values[household_id][f"{code}_months"])
                assert text == indicators[code].reason.replace("{months}", str(months))
                checked += 1
    assert checked > 0
    months_reasons = out.filter(pl.col("reasons").list.join(" ").str.contains("개월 체납"))
    assert months_reasons.height > 0


@pytest.mark.skipif(not compiled_trees_available(), reason="lleaves is not installed (pip install 'dolbom[fast]')")
def test_compiled_trees_give_the_same_scores_as_lightgbm(data, tmp_path, settings):  # noqa: F811
    settings.DOLBOM_CACHE_DIR = tmp_path
    batch = data.features.head(2000).to_arrow().to_batches()[0]
    fast = score_batch(batch, load_model(data.artifact.data, compiled=True), reasons=False)
    plain = score_batch(batch, data.model, reasons=False)
    assert np.allclose(fast.column("score").to_numpy(), plain.column("score").to_numpy(), rtol=0, atol=1e-9)


def test_path_contributions_add_up_to_the_margin_and_name_the_same_kind_of_reasons(data):  # noqa: F811
    rows = data.features.filter(pl.col("indicator_count") > 0).head(400)
    X = rows.select(data.model.feature_names).to_numpy()
    contrib = data.model.path_contributions(X)
    roots = sum(t["tree_structure"].get("internal_value", 0.0) for t in data.model.booster.dump_model()["tree_info"])
    assert np.allclose(contrib.sum(axis=1) + roots, data.model.booster.predict(X, raw_score=True), atol=1e-9)
    batch = rows.to_arrow().to_batches()[0]
    shap = pl.from_arrow(score_batch(batch, data.model, explain_with="shap"))["reason_codes"].to_list()
    path = pl.from_arrow(score_batch(batch, data.model, explain_with="path"))["reason_codes"].to_list()
    same_first = sum(a[:1] == b[:1] for a, b in zip(shap, path, strict=True)) / len(shap)
    assert same_first > 0.5
