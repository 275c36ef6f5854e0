"""The whole cycle on Spark gives the local engine's lists: the same households, scores, ranks and reasons.

One Spark cycle per module (Spark starts once; a cycle of the 40,000-household test city takes tens of
seconds), compared with ``run_cycle`` on the same files: one agency's file as CSV, the others Parquet, some
households excluded."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import polars as pl
import pyarrow as pa
import pytest

from dolbom.discovery.engine import rank_by_dong, run_cycle
from dolbom.discovery.engine.spark import spark_unavailable
from dolbom.discovery.tests.engine_data import AS_OF, engine_data

UNAVAILABLE = spark_unavailable()
pytestmark = pytest.mark.skipif(UNAVAILABLE is not None, reason=f"Spark engine not testable here: {UNAVAILABLE}")

SHARE = 0.05


@dataclass(frozen=True)
class Cycles:
    local: object
    spark: object
    households: pl.DataFrame
    excluded: list[int]
    session: object


@pytest.fixture(scope="module")
def cycles(tmp_path_factory) -> Cycles:
    from dolbom.discovery.engine.spark import spark_session
    from dolbom.discovery.engine.spark_cycle import run_cycle_spark

    data = engine_data()
    root = tmp_path_factory.mktemp("spark-cycle")
    sources = root / "sources"
    shutil.copytree(data.fresh.out_dir / "sources", sources)
    kepco = sources / "kepco.parquet"
    pl.read_parquet(kepco).write_csv(sources / "kepco.csv")  # dates as YYYY-MM-DD, the agencies' layout
    kepco.unlink()
    households = pl.read_parquet(data.fresh.households_path)
    # Every 11th household objects or is in an open case: the next one in its dong takes its place.
    excluded = households["household_id"].gather_every(11).to_list()
    common = dict(households=data.fresh.households_path, indicators=sources, model=data.model,
                  catalogue=data.catalogue, as_of=AS_OF, capacity=SHARE, keep_scores=True)
    local = run_cycle(**common, out_dir=root / "local", exclude=pa.array(excluded, pa.int64()))
    session = spark_session()
    spark = run_cycle_spark(**common, out_dir=root / "spark", exclude=excluded, spark=session, buckets=3)
    return Cycles(local=local, spark=spark, households=households, excluded=excluded, session=session)


def test_it_lists_the_same_households_with_the_same_scores_ranks_and_reasons(cycles):
    local, spark = cycles.local.lists.sort("household_id"), cycles.spark.lists.sort("household_id")
    assert local.height > 500
    assert spark.columns == local.columns
    assert spark.schema == local.schema
    assert spark["household_id"].to_list() == local["household_id"].to_list()
    for column in ("dong", "rank", "score", "probability", "indicator_count", "reason_codes", "reasons"):
        assert spark[column].to_list() == local[column].to_list(), column
    assert local["reason_codes"].list.len().sum() > local.height  # reasons were given, not empty on both sides


def test_it_writes_the_lists_as_parquet_ordered_by_dong_and_rank(cycles):
    back = pl.read_parquet(f"{cycles.spark.lists_path}/*.parquet")
    assert back.height == cycles.local.lists.height
    assert back.select("dong", "rank").rows() == back.select("dong", "rank").sort("dong", "rank").rows()


def test_it_scores_every_household_as_the_local_engine(cycles):
    local = cycles.local.scores.sort("household_id")
    spark = cycles.spark.scores.sort("household_id")
    assert cycles.spark.households == cycles.households.height == local.height
    assert cycles.spark.scored_with_records == cycles.local.scored_with_records
    for column in ("household_id", "dong", "score", "probability", "indicator_count"):
        assert spark[column].to_list() == local[column].to_list(), column


def test_it_leaves_out_the_excluded_and_fills_each_dong_to_its_share(cycles):
    lists = cycles.spark.lists
    assert not set(lists["household_id"].to_list()) & set(cycles.excluded)
    per_dong = dict(lists.group_by("dong").len().iter_rows())
    sizes = dict(cycles.households.group_by("dong").len().iter_rows())
    for dong, n in sizes.items():
        assert per_dong.get(dong, 0) == -(-n * SHARE // 1)


def test_it_ranks_a_capacity_per_dong_as_the_local_engine(cycles):
    from dolbom.discovery.engine.spark_cycle import rank_lists

    scores = cycles.local.scores.drop("model_version")
    dongs = sorted(scores["dong"].unique().to_list())
    capacity = {dongs[0]: 3, dongs[1]: 0, dongs[2]: 10_000}  # the other dongs list nobody
    local = rank_by_dong(scores, cycles.households, capacity)
    frame = cycles.session.createDataFrame(scores.to_arrow())
    spark = pl.from_arrow(rank_lists(cycles.session, frame, capacity).toArrow())
    columns = ["dong", "rank", "household_id"]
    assert spark.select(columns).sort(columns).with_columns(pl.col("rank").cast(pl.Int32)).rows() == \
        local.select(columns).sort(columns).rows()
    assert local.height > 3
