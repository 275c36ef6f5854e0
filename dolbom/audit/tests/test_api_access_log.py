"""The access log through the API: auditors only, ids but no personal content."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.testing import personas
from dolbom.testing.api import api_as


@pytest.fixture
def logged(officer, resident):
    """Two searches and a view by the officer, one denied attempt by another dong's officer."""
    api = api_as(officer)
    api.get("/api/residents", {"q": "김영숙"})
    api.get("/api/residents", {"q": "ㄱㅇㅅ"})
    api.get(f"/api/residents/{resident.pk}", {"purpose": "상담"})
    return resident


def test_an_auditor_reads_and_filters_the_access_log(auditor, officer, other_officer, logged):
    api_as(other_officer).get(f"/api/residents/{logged.pk}", {"purpose": "호기심"})
    api = api_as(auditor)
    r = api.get("/api/access-log")
    assert r.status_code == 200
    assert r.json()["count"] == 4
    assert [i["action"] for i in r.json()["items"]] == ["denied", "view", "search", "search"]
    searches = api.get("/api/access-log", {"action": "search"}).json()
    assert searches["count"] == 2 and all(i["subject_ids"] == [logged.pk] for i in searches["items"])
    assert api.get("/api/access-log", {"actor": "doyun"}).json()["items"][0]["action"] == "denied"
    assert api.get("/api/access-log", {"resident_id": logged.pk, "action": "view"}).json()["count"] == 1
    assert api.get("/api/access-log", {"outside_caseload_only": True}).json()["count"] == 1
    today = timezone.localdate()
    assert api.get("/api/access-log", {"date_from": today + dt.timedelta(days=1)}).json()["count"] == 0
    assert api.get("/api/access-log", {"limit": 1, "offset": 1}).json()["items"][0]["action"] == "view"


def test_the_auditor_gets_ids_and_purposes_but_no_names(auditor, logged):
    items = api_as(auditor).get("/api/access-log", {"action": "view"}).json()["items"]
    assert [(i["resident_id"], i["purpose"]) for i in items] == [(logged.pk, "상담")]
    assert "김영숙" not in str(items) and "480302" not in str(items)
    assert not {"name", "rrn_masked", "birth_date", "phone"} & set(items[0])


@pytest.mark.parametrize("persona", ["officer", "manager", "city", "partner"])
def test_only_auditors_read_the_access_log(request, persona, logged):
    api = api_as(request.getfixturevalue(persona))
    for url in ["/api/access-log", "/api/access-log/monthly-review"]:
        r = api.get(url)
        assert (r.status_code, r.json()["code"]) == (403, "not_allowed")


def test_the_monthly_review_summarises_a_month(auditor, officer, other_officer, logged):
    api_as(other_officer).get(f"/api/residents/{logged.pk}", {"purpose": "x"})
    # A search two months ago does not count in this month's review.
    AccessLog.objects.create(actor=officer, actor_username="minji", actor_role="dong_officer",
                             action=AccessAction.SEARCH, record_type="resident", subject_ids=[logged.pk],
                             at=timezone.now() - dt.timedelta(days=62))
    today = timezone.localdate()
    r = api_as(auditor).get("/api/access-log/monthly-review", {"month": f"{today:%Y-%m}"})
    assert r.status_code == 200
    review = r.json()
    assert (review["year"], review["month"], review["total"]) == (today.year, today.month, 4)
    assert review["by_action"] == {"search": 2, "view": 1, "denied": 1}
    actors = {a["username"]: a for a in review["actors"]}
    assert actors["doyun"]["denied"] == 1 and actors["minji"]["searches"] == 2
    assert review["actors"][0]["username"] == "doyun"  # the denied attempt sorts first
    assert [d["actor_username"] for d in review["denied"]] == ["doyun"]


def test_the_monthly_review_refuses_a_bad_month(auditor):
    r = api_as(auditor).get("/api/access-log/monthly-review", {"month": "2026-13"})
    assert (r.status_code, r.json()["code"]) == (400, "month_invalid")


def test_the_access_log_cannot_be_written_through_the_api(auditor, logged):
    api = api_as(auditor)
    assert api.post("/api/access-log", {}).status_code == 405
    assert AccessLog.objects.count() == 3


def test_case_list_views_are_logged_with_the_people_shown(officer, resident):
    personas.open_case(officer, resident)
    api_as(officer).get("/api/cases")
    row = AccessLog.objects.get(record_type="case_list")
    assert (row.action, row.subject_ids) == (AccessAction.SEARCH, [resident.pk])
