"""The case workflow through the API, end to end, and the steps it refuses."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from dolbom.cases.errors import CaseErrorCode
from dolbom.cases.models import (
    Case,
    CaseEvent,
    CaseEventType,
    CaseStatus,
    CitySettings,
    SupportPlan,
)
from dolbom.cases.rules import ADL_ITEMS, IADL_ITEMS
from dolbom.registry.models import Consent, ConsentPurpose
from dolbom.testing import personas
from dolbom.testing.api import api_as

TODAY = timezone.localdate()
HANGUL = re.compile("[가-힣]")


def survey_body() -> dict:
    return {
        "surveyed_on": TODAY.isoformat(),
        "household_environment": {"housing": "단독주택", "lives_alone": True},
        "benefits_received": ["기초연금"],
        "adl": {k: 2 for k in ADL_ITEMS}, "iadl": {k: 3 for k in IADL_ITEMS},
        "health": {"diagnoses": "고혈압"}, "needs": ["병원동행"],
    }


def decision_body() -> dict:
    return {
        "decided_on": TODAY.isoformat(), "physical_function": "보행 보조 필요", "medical_need": "투약 관리",
        "nutrition": "결식", "housing": "계단 난간 없음", "medical_need_level": "medium",
        "care_need_level": "high", "explanation": "본인에게 설명함", "explained_at": timezone.now().isoformat(),
    }


def plan_body(goals: str = "혼자서도 안전하게 생활") -> dict:
    return {
        "goals": goals, "starts_on": TODAY.isoformat(), "client_opinion": "집에서 지내고 싶음",
        "lines": [{"domain": "medical", "content": "병원동행", "method": "방문", "quantity": "월 2회",
                   "starts_on": TODAY.isoformat(), "ends_on": (TODAY + dt.timedelta(days=180)).isoformat(),
                   "provider": "전주시 보건소"}],
    }


def test_it_walks_a_case_from_application_to_closure_and_reopening(officer, resident):
    api = api_as(officer)
    r = api.post("/api/cases", {"resident_id": resident.pk, "applicant_type": "self"})
    assert r.status_code == 201, r.content
    case = r.json()
    assert case["status"] == "applied" and case["manager"]["name"] == "김민지" and case["next_step"] == "survey"
    assert case["resident"]["rrn_masked"] == "480302-2******"
    url = f"/api/cases/{case['id']}"

    r = api.post(f"{url}/surveys", survey_body())
    assert r.status_code == 201 and r.json()["adl_total"] == 2 * len(ADL_ITEMS)
    assert api.post(f"{url}/decisions", decision_body()).status_code == 201
    r = api.post(f"{url}/plans", plan_body())
    assert r.status_code == 201 and r.json()["version"] == 1 and r.json()["lines"][0]["provider"] == "전주시 보건소"
    r = api.post(f"{url}/plans", plan_body("식사 지원 추가"))
    assert r.json()["version"] == 2
    assert [p["version"] for p in api.get(f"{url}/plans").json()] == [2, 1]
    assert api.get(f"{url}/plans/1").json()["goals"] == "혼자서도 안전하게 생활"

    assert api.post(f"{url}/meeting", {"reason": "주거 문제"}).json()["meeting_requested"] is True
    assert api.post(f"{url}/meeting/outcome", {"outcome": "주거개선 연계"}).json()["meeting_outcome"] == "주거개선 연계"
    r = api.post(f"{url}/follow-ups", {"done_on": TODAY.isoformat(), "outcome": "continue", "note": "정상 제공"})
    assert r.status_code == 201
    detail = api.get(url).json()
    assert detail["status"] == "in_service"
    assert detail["next_follow_up_due"] == (TODAY + dt.timedelta(days=90)).isoformat()

    r = api.post(f"{url}/close", {"reason": "no_longer_needed", "note": "목표 달성"})
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["closure_reason"] == "no_longer_needed"
    # A closed case is read-only until reopened.
    r = api.post(f"{url}/follow-ups", {"done_on": TODAY.isoformat(), "outcome": "continue", "note": "x"})
    assert (r.status_code, r.json()["code"]) == (400, "case_closed")
    r = api.post(f"{url}/reopen", {"reason": "건강 악화로 재의뢰"})
    assert r.json()["status"] == "reassessment"

    timeline = api.get(f"{url}/timeline").json()
    assert [e["type"] for e in timeline] == [
        "application_recorded", "survey_recorded", "decision_recorded", "plan_created", "plan_created",
        "meeting_requested", "meeting_outcome_noted", "follow_up_recorded", "closed", "reopened",
    ]
    assert timeline[0]["actor"]["name"] == "김민지"


def test_a_discovered_case_becomes_an_ex_officio_application(officer, resident):
    api = api_as(officer)
    r = api.post("/api/cases/discover", {"resident_id": resident.pk, "origin": "crisis_discovery",
                                         "note": "단전 3개월"})
    assert r.status_code == 201 and r.json()["status"] == "discovered" and r.json()["next_step"] == "application"
    now = timezone.now()
    r = api.post(f"/api/cases/{r.json()['id']}/application", {
        "applicant_type": "ex_officio", "ex_officio_reason": "emergency_welfare",
        "explained_at": (now - dt.timedelta(hours=1)).isoformat(), "consent_at": (now - dt.timedelta(hours=1)).isoformat(),
    })
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "applied" and body["ex_officio_reason"] == "emergency_welfare"
    assert Consent.objects.get(pk=body["consent_id"]).purpose == ConsentPurpose.EX_OFFICIO


def test_it_refuses_a_plan_before_the_decision_and_changes_nothing(officer, resident):
    case = personas.open_case(officer, resident)
    personas.survey(officer, case)
    events_before = list(CaseEvent.objects.filter(case=case).values_list("pk", flat=True))
    r = api_as(officer).post(f"/api/cases/{case.pk}/plans", plan_body())
    assert r.status_code == 400
    assert r.json()["code"] == "plan_before_decision"
    assert HANGUL.search(r.json()["message"])
    case.refresh_from_db()
    assert case.status == CaseStatus.SURVEYED
    assert not SupportPlan.objects.filter(case=case).exists()
    assert list(CaseEvent.objects.filter(case=case).values_list("pk", flat=True)) == events_before


def test_it_refuses_to_close_without_a_legal_reason(officer, resident):
    case = personas.open_case(officer, resident)
    api = api_as(officer)
    r = api.post(f"/api/cases/{case.pk}/close", {"note": "연락 두절"})
    assert (r.status_code, r.json()["code"]) == (400, "closure_reason_required")
    r = api.post(f"/api/cases/{case.pk}/close", {"reason": "refusal", "note": "  "})
    assert (r.status_code, r.json()["code"]) == (400, "closure_note_required")
    case.refresh_from_db()
    assert case.status == CaseStatus.APPLIED and case.closed_at is None
    assert not case.events.filter(type=CaseEventType.CLOSED).exists()


@pytest.mark.parametrize("extra, code", [
    ({}, "ex_officio_reason_required"),
    ({"ex_officio_reason": "hospital_discharge"}, "ex_officio_explanation_required"),
    ({"ex_officio_reason": "hospital_discharge", "explained_at": "2026-01-01T10:00:00+09:00"},
     "ex_officio_explanation_required"),
])
def test_it_refuses_an_ex_officio_application_without_reason_and_consent(officer, resident, extra, code):
    r = api_as(officer).post("/api/cases", {"resident_id": resident.pk, "applicant_type": "ex_officio", **extra})
    assert (r.status_code, r.json()["code"]) == (400, code)
    assert not Case.objects.exists()
    assert not Consent.objects.exists()


def test_refusals_are_in_korean_by_default_and_english_on_request(officer, resident):
    case = personas.open_case(officer, resident)
    api = api_as(officer)
    ko = api.post(f"/api/cases/{case.pk}/close", {})
    en = api.post(f"/api/cases/{case.pk}/close", {}, **{"Accept-Language": "en"})
    assert ko.headers["Content-Language"] == "ko"
    assert en.headers["Content-Language"] == "en"
    assert en.json() == {"code": "closure_reason_required", "message": "Closing needs one of the five legal reasons."}
    assert ko.json()["code"] == en.json()["code"]
    with translation.override("ko"):
        assert ko.json()["message"] == str(CaseErrorCode.messages()[CaseErrorCode.CLOSURE_REASON_REQUIRED])
    assert HANGUL.search(ko.json()["message"])


def test_invalid_input_is_answered_with_a_code_and_the_fields(officer, resident):
    r = api_as(officer).post("/api/cases", {"resident_id": resident.pk, "applicant_type": "neighbour"})
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    assert any("applicant_type" in e["loc"] for e in r.json()["errors"])


def test_it_assigns_a_case_manager(officer, manager, resident):
    case = personas.open_case(officer, resident)
    r = api_as(officer).put(f"/api/cases/{case.pk}/manager", {"manager_id": manager.pk})
    assert r.status_code == 200 and r.json()["manager"] == {"id": manager.pk, "name": "박정우", "role": "case_manager"}
    assert case.events.filter(type=CaseEventType.MANAGER_ASSIGNED).exists()


def test_it_refuses_a_partner_as_case_manager(officer, partner, resident):
    case = personas.open_case(officer, resident)
    r = api_as(officer).put(f"/api/cases/{case.pk}/manager", {"manager_id": partner.pk})
    assert (r.status_code, r.json()["code"]) == (400, "manager_invalid")


def test_case_list_filters_and_does_not_grow_queries_with_rows(officer, manager, django_assert_max_num_queries):
    for i in range(3):
        personas.open_case(officer, personas.make_resident(officer, name=f"김순{i}"), manager=manager)
    discovered = personas.make_resident(officer, name="이말순")
    api = api_as(officer)
    api.post("/api/cases/discover", {"resident_id": discovered.pk, "origin": "community_referral"})
    with django_assert_max_num_queries(8):
        rows = api.get("/api/cases").json()
    assert len(rows) == 4
    assert {c["status"] for c in api.get("/api/cases", {"status": "discovered"}).json()} == {"discovered"}
    assert len(api.get("/api/cases", {"manager_id": manager.pk}).json()) == 3
    assert [c["resident"]["name"] for c in api.get("/api/cases", {"mine": True}).json()] == ["이말순"]


def test_only_the_city_team_changes_the_follow_up_intervals(officer, city):
    r = api_as(officer).put("/api/city-settings", {"first_follow_up_days": 60, "follow_up_interval_days": 120})
    assert (r.status_code, r.json()["code"]) == (403, "not_allowed")
    r = api_as(city).put("/api/city-settings", {"first_follow_up_days": 60, "follow_up_interval_days": 200})
    assert (r.status_code, r.json()["code"]) == (400, "interval_out_of_range")
    r = api_as(city).put("/api/city-settings", {"first_follow_up_days": 60, "follow_up_interval_days": 120})
    assert r.status_code == 200
    assert api_as(officer).get("/api/city-settings").json() == {"first_follow_up_days": 60,
                                                                 "follow_up_interval_days": 120}
    assert CitySettings.current().follow_up_interval_days == 120


def test_the_csv_export_needs_a_reason_and_is_logged(officer, resident):
    from dolbom.audit.models import AccessAction, AccessLog

    case = personas.open_case(officer, resident)
    api = api_as(officer)
    refused = api.get("/api/cases/export")
    assert refused.status_code == 400 and refused.json()["code"] == CaseErrorCode.EXPORT_REASON_REQUIRED
    response = api.get("/api/cases/export", {"reason": "통합지원회의 준비", "status": "applied"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert case.number in response.content.decode("utf-8-sig")
    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert entry.subject_ids == [resident.pk] and entry.purpose == "통합지원회의 준비"
