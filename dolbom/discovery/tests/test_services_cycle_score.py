from __future__ import annotations

import datetime as dt

import pytest

from dolbom.discovery import services
from dolbom.discovery.errors import DiscoveryErrorCode
from dolbom.discovery.models import CycleKind, EntrySource, VisitListEntry
from dolbom.lib.errors import DomainError, Forbidden


def test_it_lists_every_household_with_an_indicator_ranked_within_its_dong(scored_world, city):
    entries = VisitListEntry.objects.filter(cycle=scored_world.cycle)
    assert entries.count() > 50
    for dong_id in entries.values_list("dong_id", flat=True).distinct()[:5]:
        rows = list(entries.filter(dong_id=dong_id).order_by("rank").values_list("rank", "score"))
        assert [r for r, _ in rows] == list(range(1, len(rows) + 1))
        scores = [s for _, s in rows]
        assert scores == sorted(scores, reverse=True)


def test_each_entry_carries_probability_korean_reasons_and_model_version(scored_world):
    entry = VisitListEntry.objects.filter(cycle=scored_world.cycle).order_by("-probability").first()
    assert 0.0 <= entry.probability <= 1.0
    assert entry.model_version == scored_world.model
    assert entry.reasons and all(any("\uac00" <= ch <= "\ud7a3" for ch in r) for r in entry.reasons)
    assert entry.source == EntrySource.MODEL


def _listed_household(world, dong_name: str | None = None) -> VisitListEntry:
    qs = VisitListEntry.objects.filter(cycle=world.cycle).select_related("resident", "dong")
    if dong_name:
        qs = qs.filter(dong__name=dong_name)
    return qs.order_by("dong_id", "rank").first()


def test_a_household_in_an_open_case_is_not_listed_again_but_its_manager_sees_the_signals(city_world, city):
    from dolbom.cases.models import Case, CaseEventType, CaseOrigin
    from dolbom.cases.services import case_discover

    services.cycle_score(actor=city, cycle=city_world.cycle)
    entry = _listed_household(city_world)
    household_id, resident = entry.household_id, entry.resident
    entry.delete()
    case = case_discover(actor=city, resident=resident, origin=CaseOrigin.CRISIS_DISCOVERY)

    services.cycle_score(actor=city, cycle=city_world.cycle)

    assert not VisitListEntry.objects.filter(cycle=city_world.cycle, household_id=household_id).exists()
    event = Case.objects.get(pk=case.pk).events.get(type=CaseEventType.DISCOVERY_SIGNALS)
    assert event.new["reasons"] and event.new["model_version"] == city_world.model.version
    assert city_world.cycle.name in event.new["summary"]


def test_a_household_whose_member_objected_is_neither_scored_nor_listed(city_world, city, officer):
    services.cycle_score(actor=city, cycle=city_world.cycle)
    entry = _listed_household(city_world, "서신동")
    services.objection_record(actor=officer, resident=entry.resident, note="서면 거부")
    assert not VisitListEntry.objects.filter(pk=entry.pk).exists()  # taken off the open list at once

    summary = services.cycle_score(actor=city, cycle=city_world.cycle)

    assert summary.objected >= 1
    assert not VisitListEntry.objects.filter(cycle=city_world.cycle, household_id=entry.household_id).exists()


def test_rescoring_keeps_entries_a_person_already_worked_on(scored_world, city, officer):
    from dolbom.discovery.models import Outcome

    entry = _listed_household(scored_world, "서신동")
    services.entry_outcome_record(actor=officer, entry=entry, outcome=Outcome.SUPPORTED_PUBLIC, note="긴급복지 연계")
    before = VisitListEntry.objects.filter(cycle=scored_world.cycle).count()

    services.cycle_score(actor=city, cycle=scored_world.cycle)

    entry.refresh_from_db()
    assert entry.outcome == Outcome.SUPPORTED_PUBLIC
    assert VisitListEntry.objects.filter(cycle=scored_world.cycle).count() == before


def test_only_the_city_team_scores(city_world, officer):
    with pytest.raises(Forbidden):
        services.cycle_score(actor=officer, cycle=city_world.cycle)


def test_scoring_without_imports_is_refused(city, city_world):
    empty = services.cycle_create(actor=city, name="시 자체 1차", kind=CycleKind.CITY, starts_on=dt.date(2026, 11, 2))
    with pytest.raises(DomainError) as exc:
        services.cycle_score(actor=city, cycle=empty)
    assert exc.value.code == DiscoveryErrorCode.NO_IMPORTS


def test_the_model_only_ranks_every_household_with_an_indicator_is_listed(scored_world):
    import polars as pl

    from dolbom.cases.models import Case
    from dolbom.cases.selectors import OPEN_STATUSES
    from dolbom.discovery.pipeline import stored_paths

    present = set(pl.scan_parquet(stored_paths(list(scored_world.cycle.imports.all()))).select("household_id")
                  .unique().collect().get_column("household_id").to_list())
    in_case = set(Case.objects.filter(status__in=OPEN_STATUSES).values_list("resident__household_id", flat=True))
    listed = set(VisitListEntry.objects.filter(cycle=scored_world.cycle).values_list("household_id", flat=True))
    assert listed == present - in_case


def test_ranks_count_only_the_households_listed_and_rescoring_does_not_repeat_signals(city_world, city):
    from dolbom.cases.models import CaseEvent, CaseEventType, CaseOrigin
    from dolbom.cases.services import case_discover

    services.cycle_score(actor=city, cycle=city_world.cycle)
    top = VisitListEntry.objects.filter(cycle=city_world.cycle).order_by("dong_id", "rank").first()
    dong_id, resident = top.dong_id, top.resident
    top.delete()
    case_discover(actor=city, resident=resident, origin=CaseOrigin.CRISIS_DISCOVERY)

    services.cycle_score(actor=city, cycle=city_world.cycle)
    services.cycle_score(actor=city, cycle=city_world.cycle)

    ranks = list(VisitListEntry.objects.filter(cycle=city_world.cycle, dong_id=dong_id).order_by("rank")
                 .values_list("rank", flat=True))
    assert ranks == list(range(1, len(ranks) + 1))
    assert CaseEvent.objects.filter(type=CaseEventType.DISCOVERY_SIGNALS).count() == 1


@pytest.fixture
def scoring_spy(monkeypatch):
    """Notes how many transactions are open while the engine computes the scores, and runs ``during()``
    then, as another user would."""
    from django.db import connection

    from dolbom.discovery import pipeline

    real, seen = pipeline.score_imports, {}

    def spy(**kw):
        seen["open"] = len(connection.atomic_blocks)
        seen.get("during", lambda: None)()
        return real(**kw)

    monkeypatch.setattr(pipeline, "score_imports", spy)
    return seen


def test_scoring_holds_no_transaction_while_it_computes(city_world, city, scoring_spy):
    """Only the test's own transaction is open while the scores are computed: on SQLite, where a transaction
    holds the one write lock, everyone else can write meanwhile; writing the lists is the one transaction."""
    from django.db import connection

    outside = len(connection.atomic_blocks)  # the test's own
    summary = services.cycle_score(actor=city, cycle=city_world.cycle)

    assert scoring_spy["open"] == outside
    assert summary.listed == VisitListEntry.objects.filter(cycle=city_world.cycle).count() > 0


def test_an_objection_recorded_while_the_scores_are_computed_still_keeps_the_household_off(
        city_world, city, officer, scoring_spy):
    services.cycle_score(actor=city, cycle=city_world.cycle)
    entry = _listed_household(city_world, "서신동")
    scoring_spy["during"] = lambda: services.objection_record(actor=officer, resident=entry.resident, note="전화로 거부")

    services.cycle_score(actor=city, cycle=city_world.cycle)

    assert not VisitListEntry.objects.filter(cycle=city_world.cycle, household_id=entry.household_id).exists()


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_another_connection_takes_the_write_lock_while_the_scores_are_computed(city_world, city,
                                                                                       scoring_spy):
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the one write lock is SQLite's")
    result = {}

    def another_writer():
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0.5, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # refused after 0.5 s while anyone holds the write lock
            other.execute("ROLLBACK")
            result["other"] = "wrote"
        except sqlite3.OperationalError as e:
            result["other"] = str(e)
        finally:
            other.close()

    scoring_spy["during"] = another_writer
    services.cycle_score(actor=city, cycle=city_world.cycle)

    assert result["other"] == "wrote"
    assert VisitListEntry.objects.filter(cycle=city_world.cycle).exists()
