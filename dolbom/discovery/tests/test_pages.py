"""Discovery pages: scoping by dong, access logging of every list of people, no N+1, the quality report."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.discovery.models import VisitListEntry


def test_a_dong_officer_sees_only_their_dong_and_the_list_is_logged(scored_world, officer, login):
    c = login(officer)
    response = c.get(f"/discovery/cycles/{scored_world.cycle.pk}/list/")
    assert response.status_code == 200
    shown = {e.dong.name for e in response.context["entries"]}
    assert shown == {"서신동"}
    log = AccessLog.objects.filter(actor=officer, record_type="discovery_visit_list").get()
    assert log.action == AccessAction.SEARCH
    expected = set(VisitListEntry.objects.filter(cycle=scored_world.cycle, dong__name="서신동")
                   .values_list("resident_id", flat=True))
    assert set(log.subject_ids) == expected


def test_the_city_team_sees_every_dong(scored_world, city, login):
    response = login(city).get(f"/discovery/cycles/{scored_world.cycle.pk}/list/")
    assert len({e.dong_id for e in response.context["entries"]}) > 5


def test_an_entry_of_another_dong_answers_404_and_the_attempt_is_logged(scored_world, other_officer, login):
    entry = VisitListEntry.objects.filter(cycle=scored_world.cycle, dong__name="서신동").first()
    response = login(other_officer).get(f"/discovery/entries/{entry.pk}/")
    assert response.status_code == 404
    assert AccessLog.objects.filter(actor=other_officer, action=AccessAction.DENIED, resident_id=entry.resident_id).exists()


def test_auditors_and_partners_get_no_list(scored_world, auditor, partner, login):
    for user in (auditor, partner):
        assert login(user).get(f"/discovery/cycles/{scored_world.cycle.pk}/list/").status_code == 403


def _queries(c, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_visit_list_runs_the_same_number_of_queries_for_few_or_many_rows(scored_world, city, login):
    c = login(city)
    url = f"/discovery/cycles/{scored_world.cycle.pk}/list/"
    dong = VisitListEntry.objects.filter(cycle=scored_world.cycle).values_list("dong_id", flat=True).first()
    entries = VisitListEntry.objects.filter(cycle=scored_world.cycle, dong_id=dong)
    assert entries.count() > 3
    _queries(c, f"{url}?dong={dong}")  # warm: the menu and the header are kept a minute per user (web/nav.py)
    many = _queries(c, f"{url}?dong={dong}")
    entries.exclude(pk=entries.order_by("rank").first().pk).delete()
    few = _queries(c, f"{url}?dong={dong}")
    assert few == many <= 12


def test_the_cycle_page_shows_the_load_per_worker_with_a_warning_above_the_limit(scored_world, city, officer, login):
    cycle = scored_world.cycle
    cycle.households_per_worker_limit = 1
    cycle.save()
    response = login(city).get(f"/discovery/cycles/{cycle.pk}/")
    loads = {r.dong: r for r in response.context["loads"]}
    assert loads["서신동"].workers == 1 and loads["서신동"].over_limit
    assert "data-testid=\"load-warning\"" in response.content.decode()


def test_the_outcome_page_records_and_needs_support_opens_a_case(scored_world, officer, login):
    entry = VisitListEntry.objects.filter(cycle=scored_world.cycle, dong__name="서신동").order_by("rank").first()
    c = login(officer)
    page = c.get(f"/discovery/entries/{entry.pk}/").content.decode()
    for reason in entry.reasons:
        assert reason in page
    assert c.post(f"/discovery/entries/{entry.pk}/outcome/", {"outcome": "bogus"}).status_code == 400
    assert c.post(f"/discovery/entries/{entry.pk}/outcome/", {"outcome": "investigating", "note": "재방문 예정"}
                  ).status_code == 302
    response = c.post(f"/discovery/entries/{entry.pk}/case/")
    entry.refresh_from_db()
    assert entry.outcome == "investigating" and entry.case is not None
    assert response["Location"] == f"/cases/{entry.case_id}/"


def test_the_upload_page_reports_bad_lines_in_korean(scored_world, city, resident, login):
    import io

    import polars as pl

    buf = io.BytesIO()
    pl.DataFrame({"household_id": [str(resident.household_id)], "indicator_code": ["E02"],
                  "reference_date": ["2026.09.30"], "months": ["4"], "amount": [None]},
                 schema={k: pl.Utf8 for k in ("household_id", "indicator_code", "reference_date", "months", "amount")}
                 ).write_parquet(buf)
    buf.seek(0)
    buf.name = "kepco.parquet"
    response = login(city).post(f"/discovery/cycles/{scored_world.cycle.pk}/import/", {"files": [buf]})
    assert response.status_code == 400
    [result] = response.context["results"]
    assert [(e.line, e.column, e.code) for e in result.errors] == [(1, "reference_date", "bad_date")]
    assert "날짜" in response.content.decode()


def test_the_quality_page_draws_its_charts_inline(scored_world, city, login):
    response = login(city).get(f"/discovery/models/{scored_world.model.version}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="calibration-chart"' in body and body.count("<svg") >= 9
    main = re.split(r"<main[^>]*>", body)[1]  # the page's own content (the skip link gives <main> an id)
    assert "http://" not in main and "https://" not in main
    download = login(city).get(f"/discovery/models/{scored_world.model.version}/file/")
    assert download.status_code == 200 and b"overall" in b"".join(download.streaming_content)


def test_the_city_team_sets_the_load_limit_and_new_cycles_use_it(city, officer, login):
    from dolbom.discovery.models import Cycle, DiscoverySettings

    assert login(officer).post("/discovery/limit/", {"households_per_worker_limit": "400"}).status_code == 403
    assert DiscoverySettings.current().households_per_worker_limit == 550
    c = login(city)
    assert c.post("/discovery/limit/", {"households_per_worker_limit": "400"}).status_code == 302
    c.post("/discovery/", {"name": "2027-1차", "kind": "national", "starts_on": "2027-01-01"})
    cycle = Cycle.objects.get(name="2027-1차")
    assert cycle.households_per_worker_limit == 400
    assert (cycle.due_on - cycle.starts_on).days == 56


def test_an_officer_records_an_objection_from_the_search_page(officer, resident, login):
    from dolbom.discovery.models import Objection

    c = login(officer)
    page = c.get("/discovery/objections/", {"q": "김영숙"})
    assert resident.name in page.content.decode()
    assert AccessLog.objects.filter(actor=officer, action=AccessAction.SEARCH, record_type="resident").exists()
    assert c.post("/discovery/objections/", {"resident_id": resident.pk, "note": "전화로 거부"}).status_code == 302
    assert Objection.objects.get().resident == resident
    again = c.post("/discovery/objections/", {"resident_id": resident.pk, "note": "다시"})
    assert again.status_code == 400 and Objection.objects.count() == 1


def test_an_officer_cannot_object_for_a_resident_of_another_dong(other_officer, resident, login):
    from dolbom.discovery.models import Objection

    response = login(other_officer).post("/discovery/objections/", {"resident_id": resident.pk})
    assert response.status_code == 400 and not Objection.objects.exists()
