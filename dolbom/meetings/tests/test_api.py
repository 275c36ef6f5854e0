"""The meetings API: a whole meeting through the endpoints, and every endpoint refusing a partner worker
an agenda case of a client not consented to her institution (404 + a DENIED access-log row)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.cases.models import CaseEventType
from dolbom.meetings import services
from dolbom.meetings.models import Council, CouncilKind
from dolbom.testing.api import api_as

from .conftest import share_with


def test_a_meeting_from_scheduling_to_signed_minutes(officer, manager, case, partner):
    api = api_as(officer)
    r = api.post("/api/meetings", {"title": "서신동 통합지원회의", "scheduled_at": timezone.now() + dt.timedelta(days=2),
                                   "place": "서신동 행정복지센터", "chair_id": officer.pk, "dong_id": officer.staff.dong_id})
    assert r.status_code == 201, r.json()
    mid = r.json()["id"]
    candidates = api.get(f"/api/meetings/{mid}/candidates").json()
    assert [c["case_id"] for c in candidates] == [case.pk] and candidates[0]["reason"] == "plan_pending"
    item = api.post(f"/api/meetings/{mid}/agenda", {"case_id": case.pk, "note": "계획 승인 요청"})
    assert item.status_code == 201 and item.json()["client_name"] == "김영숙"
    iid = item.json()["id"]
    assert api.post(f"/api/meetings/{mid}/attendees", {"user_id": partner.pk, "member_kind": "provider_staff"}
                    ).status_code == 201
    r = api.post(f"/api/meetings/{mid}/agenda/{iid}/decision", {"decision": "approve_plan"})
    assert r.status_code == 200 and r.json()["decision"] == "approve_plan" and r.json()["plan_version"] == 1
    timeline = api.get(f"/api/cases/{case.pk}/timeline", {"purpose": "회의 결과 확인"}).json()
    assert CaseEventType.MEETING_DECISION in [e["type"] for e in timeline]
    r = api.post(f"/api/meetings/{mid}/action-items", {"title": "보건소 방문간호 연계 확인", "owner_id": manager.pk,
                                                       "due_on": timezone.localdate() - dt.timedelta(days=1)})
    assert r.status_code == 201 and r.json()["overdue"] is True
    overdue = api.get("/api/meetings/action-items/overdue").json()
    assert overdue[0]["owner"]["id"] == manager.pk and overdue[0]["count"] == 1
    assert api.put(f"/api/meetings/{mid}/minutes", {"minutes": "김영숙 계획 승인"}).status_code == 200
    r = api.post(f"/api/meetings/{mid}/minutes/sign")
    assert r.status_code == 200 and r.json()["status"] == "signed"
    assert api.put(f"/api/meetings/{mid}/minutes", {"minutes": "고침"}).json()["code"] == "meeting_signed"
    assert api_as(manager).post(f"/api/meetings/action-items/{r.json()['action_items'][0]['id']}/done",
                                {"note": "완료"}).json()["done_at"]


def test_the_chair_alone_signs(officer, manager, meeting):
    services.minutes_write(actor=officer, meeting=meeting, minutes="논의")
    r = api_as(manager).post(f"/api/meetings/{meeting.pk}/minutes/sign")
    assert r.status_code == 403 and r.json()["code"] in ("only_chair_signs", "not_allowed")


@pytest.fixture
def refused(officer, meeting, item, invited_partner):
    """The partner is invited, but the client consented to another institution only."""
    share_with(officer, item.case.resident, code="JJ-HR-001", name="전주 집수리 협동조합")
    return api_as(invited_partner)


def _denied(user, resident_id=None) -> int:
    qs = AccessLog.objects.filter(actor=user, action=AccessAction.DENIED)
    return qs.filter(resident_id=resident_id).count() if resident_id else qs.count()


def test_every_agenda_endpoint_refuses_the_partner_and_logs_it(refused, meeting, item, invited_partner):
    rid = item.case.resident_id
    base = f"/api/meetings/{meeting.pk}"
    detail = refused.get(base)
    assert detail.status_code == 200
    assert detail.json()["agenda"] == [] and detail.json()["hidden_agenda_items"] == 1
    assert "김영숙" not in detail.content.decode()
    before = _denied(invited_partner, rid)
    for call in (lambda: refused.get(f"{base}/agenda/{item.pk}"),
                 lambda: refused.post(f"{base}/agenda/{item.pk}/decision", {"decision": "approve_plan"}),
                 lambda: refused.get(f"/api/meetings/cases/{item.case_id}/items")):
        r = call()
        assert r.status_code == 404, r.content
        assert "김영숙" not in r.content.decode()
    assert _denied(invited_partner, rid) == before + 3
    assert refused.get(f"{base}/candidates").json() == []
    assert refused.post(f"{base}/agenda", {"case_id": item.case_id}).status_code == 404
    assert refused.get("/api/meetings/action-items/overdue").status_code == 200


def test_with_consent_the_partner_reads_the_item_but_cannot_decide(officer, meeting, item, invited_partner):
    share_with(officer, item.case.resident)
    api = api_as(invited_partner)
    r = api.get(f"/api/meetings/{meeting.pk}/agenda/{item.pk}")
    assert r.status_code == 200 and r.json()["client_name"] == "김영숙"
    assert api.post(f"/api/meetings/{meeting.pk}/agenda/{item.pk}/decision",
                    {"decision": "approve_plan"}).status_code == 403
    assert api.put(f"/api/meetings/{meeting.pk}/minutes", {"minutes": "x"}).status_code == 403


def test_a_partner_not_invited_gets_404_for_the_meeting_and_it_is_logged(meeting, item, partner):
    api = api_as(partner)
    assert api.get(f"/api/meetings/{meeting.pk}").status_code == 404
    assert api.get(f"/api/meetings/{meeting.pk}/agenda/{item.pk}").status_code == 404
    assert api.get(f"/api/meetings/{meeting.pk}/candidates").status_code == 404
    assert api.get("/api/meetings").json() == []
    assert AccessLog.objects.filter(actor=partner, action=AccessAction.DENIED, record_type="meeting").count() == 3


def test_the_auditor_reads_no_meeting(auditor, meeting, item):
    api = api_as(auditor)
    assert api.get("/api/meetings").json() == []
    assert api.get(f"/api/meetings/{meeting.pk}").status_code == 404
    assert api.get("/api/meetings/councils").json() == []


def test_councils_and_their_sessions(officer, city):
    services.councils_seed()
    api = api_as(officer)
    councils = api.get("/api/meetings/councils").json()
    assert len(councils) == 39
    mine = Council.objects.get(kind=CouncilKind.DONG_COUNCIL, dong=officer.staff.dong)
    detail = api.get(f"/api/meetings/councils/{mine.pk}").json()
    assert len(detail["upcoming"]) == 6 and all(dt.date.fromisoformat(d).weekday() == 1 for d in detail["upcoming"])
    r = api.post(f"/api/meetings/councils/{mine.pk}/sessions", {"count": 2})
    assert r.status_code == 201 and len(r.json()) == 2
    other = Council.objects.get(kind=CouncilKind.DONG_COUNCIL, dong__name="효자1동")
    assert api.post(f"/api/meetings/councils/{other.pk}/sessions", {"count": 2}).status_code == 403
    assert api.post(f"/api/meetings/councils/{mine.pk}/members", {"name": "서신동 주민자치위원장",
                                                                  "title": "위원"}).status_code == 201
    r = api_as(city).post("/api/meetings/councils", {"name": "보건의료 협의체", "kind": "city_council",
                                                    "rrule": "FREQ=MONTHLY;BYDAY=2WE", "starts_on": "2026-01-01",
                                                    "time": "14:00", "place": "시청"})
    assert r.status_code == 201
