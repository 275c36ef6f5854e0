import polars as pl
import pytest

from dolbom.discovery.engine import score
from dolbom.discovery.engine.spark import spark_unavailable
from dolbom.discovery.tests.engine_data import data  # noqa: F401

UNAVAILABLE = spark_unavailable()
pytestmark = pytest.mark.skipif(UNAVAILABLE is not None, reason=f"Spark engine not testable here: {UNAVAILABLE}")


def test_spark_and_local_engines_give_identical_scores_and_reasons(data, tmp_path):  # noqa: F811
    features = data.features.filter(pl.col("indicator_count") > 0).head(3000)
    features = pl.concat([features, data.features.filter(pl.col("indicator_count") == 0).head(1000)])
    local = score(features, data.model, engine="local", reasons=True)
    spark = score(features, data.model, engine="spark", reasons=True, batch_rows=512)
    assert isinstance(local, pl.DataFrame) and isinstance(spark, pl.DataFrame)
    assert spark.schema == local.schema
    assert spark.sort("household_id").equals(local.sort("household_id"))

    written = score(features, data.model, engine="spark", reasons=False, out=tmp_path / "scores")
    back = pl.read_parquet(f"{written}/*.parquet")
    assert back.select("household_id", "probability").sort("household_id").equals(
        local.select("household_id", "probability").sort("household_id"))
