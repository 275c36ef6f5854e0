"""The API: the same scope and the same services as the pages, stable error codes."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dolbom.audit.models import AccessLog
from dolbom.subsidies import programmes
from dolbom.subsidies.tests.conftest import accept_all
from dolbom.testing.api import ApiClient, api_as


def test_the_public_board_needs_no_login_and_names_no_one(slate, application):
    body = ApiClient().get("/api/subsidies/board").json()
    assert body[0]["categories"][0] == {"code": "house", "name": "주택 슬레이트 철거·처리", "announced": 400,
                                        "received": 1, "selected": 0, "approved": 0, "remaining": 400}
    assert "김영숙" not in str(body)


def test_an_application_read_is_scoped_and_logged(application, officer, other_officer):
    ok = api_as(officer).get(f"/api/subsidies/applications/{application.pk}")
    assert ok.status_code == 200 and ok.json()["verified"]["age"] == "registry"
    assert ok.json()["trace"][0]["key"] == "in_city"
    refused = api_as(other_officer).get(f"/api/subsidies/applications/{application.pk}")
    assert refused.status_code == 404 and refused.json()["code"] == "application_not_found"
    assert AccessLog.objects.filter(actor=other_officer, action="denied", record_type="subsidy_application").exists()


def test_the_auditor_sees_no_application(application, auditor):
    assert api_as(auditor).get("/api/subsidies/applications").json() == []


def test_approval_through_the_api_commits_the_budget_and_refusal_codes_are_stable(application, slate, city):
    client = api_as(city)
    early = client.post(f"/api/subsidies/applications/{application.pk}/approve")
    assert early.status_code == 400 and early.json()["code"] == "facts_missing"  # documents not yet accepted
    accept_all(city, application)
    assert client.post(f"/api/subsidies/programmes/{slate.code}/rounds/1/selection").json()["selected"] == 1
    approved = client.post(f"/api/subsidies/applications/{application.pk}/approve")
    assert approved.status_code == 201 and approved.json()["amount"] == 3_520_000
    again = client.post(f"/api/subsidies/applications/{application.pk}/approve")
    assert again.json()["code"] == "bad_status"


def test_a_dry_run_explains_a_candidate_rule_without_saving_it(slate, city):
    definition = programmes.load(programmes.HERE / "slate-2026.json")["rules"]["definition"]
    facts = programmes.golden("slate-2026")["cases"][0]["facts"]
    body = api_as(city).post("/api/subsidies/rules/dry-run", {"definition": definition, "facts": facts}).json()
    assert body["amount"] == 14_870_000 and "전액 지원" in body["explanation"]
    bad = api_as(city).post("/api/subsidies/rules/dry-run", {
        "definition": {**definition, "eligibility": [{"key": "x", "label": "x", "rule": "age >= 65.5"}]},
        "facts": facts})
    assert bad.status_code == 400 and bad.json()["code"] == "rules_invalid"


def test_a_new_rule_version_applies_from_its_date_and_the_old_one_ends_the_day_before(slate, city):
    definition = programmes.load(programmes.HERE / "slate-2026.json")["rules"]["definition"]
    definition["amount"]["tiers"][1]["value"] = "removal_cost < 4000000 ? removal_cost : 4000000"
    created = api_as(city).post(f"/api/subsidies/programmes/{slate.code}/rules", {
        "definition": definition, "effective_from": "2026-07-01", "note": "추경: 일반 가구 한도 400만 원"})
    assert created.status_code == 201 and created.json()["version"] == 2
    v1, v2 = slate.rule_sets.order_by("version")
    assert v1.effective_to == dt.date(2026, 6, 30) and v2.effective_from == dt.date(2026, 7, 1)
    assert api_as(city).get("/api/subsidies/programmes").json()[0]["rules_version"] == (
        2 if timezone.localdate() >= dt.date(2026, 7, 1) else 1)
