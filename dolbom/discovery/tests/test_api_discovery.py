from __future__ import annotations

from dolbom.audit.models import AccessLog
from dolbom.discovery.models import VisitListEntry


def test_the_api_lists_a_dong_and_records_an_outcome(scored_world, officer, login):
    c = login(officer)
    rows = c.get(f"/api/discovery/cycles/{scored_world.cycle.pk}/list").json()
    assert rows and {r["dong"] for r in rows} == {"서신동"}
    assert rows[0]["reasons"] and rows[0]["model_version"] == scored_world.model.version
    assert AccessLog.objects.filter(actor=officer, record_type="discovery_visit_list").exists()

    entry_id = rows[0]["id"]
    bad = c.post(f"/api/discovery/entries/{entry_id}/outcome", {"outcome": "maybe"}, content_type="application/json")
    assert bad.status_code == 422
    ok = c.post(f"/api/discovery/entries/{entry_id}/outcome", {"outcome": "supported_private", "note": "푸드뱅크"},
                content_type="application/json")
    assert ok.status_code == 200 and ok.json()["outcome"] == "supported_private"
    case = c.post(f"/api/discovery/entries/{entry_id}/case", content_type="application/json")
    assert case.status_code == 201 and VisitListEntry.objects.get(pk=entry_id).case_id == case.json()["id"]


def test_the_api_refuses_an_entry_of_another_dong(scored_world, other_officer, login):
    entry = VisitListEntry.objects.filter(cycle=scored_world.cycle, dong__name="서신동").first()
    response = login(other_officer).get(f"/api/discovery/entries/{entry.pk}")
    assert response.status_code == 404 and response.json()["code"] == "entry_not_found"


def test_the_api_shows_support_rates_beside_the_national_figure(scored_world, city, login):
    [rate] = login(city).get("/api/discovery/cycles").json()
    assert rate["national_rate"] == 0.584 and rate["listed"] == VisitListEntry.objects.count()
    loads = login(city).get(f"/api/discovery/cycles/{scored_world.cycle.pk}/loads").json()
    assert sum(r["listed"] for r in loads) == rate["listed"]


def test_the_city_team_scores_through_the_api_and_an_officer_cannot(city_world, city, officer, login):
    url = f"/api/discovery/cycles/{city_world.cycle.pk}/score"
    refused = login(officer).post(url, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    done = login(city).post(url, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["listed"] == VisitListEntry.objects.count() > 0
    assert done.json()["model_version"] == city_world.model.version
