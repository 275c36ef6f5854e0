"""`dolbom discovery score --engine spark` runs the whole cycle on Spark and writes the local engine's lists,
holding no database transaction while Spark computes."""

from __future__ import annotations

import polars as pl
import pytest
from django.core.management import call_command
from django.db import connection

from dolbom.discovery import services
from dolbom.discovery.engine import spark_cycle
from dolbom.discovery.engine.spark import spark_unavailable
from dolbom.discovery.models import VisitListEntry

UNAVAILABLE = spark_unavailable()
needs_spark = pytest.mark.skipif(UNAVAILABLE is not None, reason=f"Spark engine not testable here: {UNAVAILABLE}")


def _entries(cycle) -> list[tuple]:
    return list(VisitListEntry.objects.filter(cycle=cycle).order_by("household_id").values_list(
        "household_id", "dong_id", "resident_id", "rank", "score", "probability", "reasons", "model_version_id"))


@needs_spark
def test_it_scores_a_cycle_on_spark_into_the_lists_the_local_engine_writes(city_world, city, monkeypatch):
    real, seen = spark_cycle.run_cycle_spark, {"calls": 0}

    def spy(**kw):
        seen["calls"] += 1
        seen["open"] = len(connection.atomic_blocks)
        return real(**kw)

    monkeypatch.setattr(spark_cycle, "run_cycle_spark", spy)
    outside = len(connection.atomic_blocks)  # the test's own
    call_command("discovery", "score", "--cycle", city_world.cycle.name, "--engine", "spark", verbosity=0)
    on_spark = _entries(city_world.cycle)

    services.cycle_score(actor=city, cycle=city_world.cycle, engine="local")
    local = _entries(city_world.cycle)

    assert seen == {"calls": 1, "open": outside}  # Spark computed outside any transaction of the service
    assert len(local) > 100
    assert on_spark == local


def test_it_exports_a_cycle_for_spark_submit_leaving_out_objections(city_world, city, officer, tmp_path):
    from dolbom.registry.models import Resident

    resident = Resident.objects.filter(deceased_on__isnull=True, dong__name="서신동").order_by("pk").first()
    services.objection_record(actor=officer, resident=resident)
    paths = services.cycle_export(actor=city, cycle=city_world.cycle, out_dir=tmp_path / "export")

    households = pl.read_parquet(paths["households"])
    assert households.columns == ["household_id", "dong", "head_age", "head_sex", "household_type", "household_size"]
    assert households.height > 1000
    assert len(list(paths["sources"].glob("*.parquet"))) == city_world.cycle.imports.count()
    assert resident.household_id in pl.read_parquet(paths["exclude"])["household_id"].to_list()
    assert paths["model"].read_bytes() == bytes(city_world.model.artefact)


@needs_spark
def test_the_exported_cycle_runs_under_the_spark_submit_entry_point_with_the_services_scores(
        city_world, city, tmp_path):
    services.cycle_score(actor=city, cycle=city_world.cycle, engine="local")
    paths = services.cycle_export(actor=city, cycle=city_world.cycle, out_dir=tmp_path / "export")
    out = tmp_path / "run"
    assert spark_cycle.main(["--households", str(paths["households"]), "--indicators", str(paths["sources"]),
                             "--model", str(paths["model"]), "--as-of", str(city_world.cycle.starts_on),
                             "--capacity", "1.0", "--exclude", str(paths["exclude"]), "--out", str(out)]) == 0

    lists = pl.read_parquet(f"{out}/lists.parquet/*.parquet")
    entries = pl.DataFrame(list(VisitListEntry.objects.filter(cycle=city_world.cycle).values(
        "household_id", "score", "probability")))
    both = entries.join(lists, on="household_id", suffix="_spark")
    assert both.height == entries.height > 100  # every listed household, scored on Spark too
    assert both["score"].to_list() == both["score_spark"].to_list()
    assert both["probability"].to_list() == both["probability_spark"].to_list()
