"""The HTTP API a telephony gateway drives turn by turn, and the staff endpoints."""

from __future__ import annotations

import pytest

from dolbom.accounts.services import api_token_create
from dolbom.audit.models import AccessAction, AccessLog
from dolbom.checkins.models import Alert, CallStatus
from dolbom.testing.api import ApiClient, api_as

pytestmark = pytest.mark.django_db


def test_a_gateway_plays_a_call_turn_by_turn(manager, enrolment):
    gateway = api_as(manager)
    call = gateway.post(f"/api/checkins/enrolments/{enrolment.pk}/calls").json()
    due = gateway.get("/api/checkins/calls/due").json()
    assert [c["id"] for c in due] == [call["id"]] and due[0]["phone"] == "010-1234-5678"

    first = gateway.post(f"/api/checkins/calls/{call['id']}/start", {"channel": "text_api"}).json()
    assert first["text"].startswith("안녕하세요, 영숙 어르신") and not first["ended"]
    turn = gateway.post(f"/api/checkins/calls/{call['id']}/turns", {"text": "네"}).json()
    assert "여쭤볼게요" in turn["text"]
    turn = gateway.post(f"/api/checkins/calls/{call['id']}/turns", {"text": "욕실에서 넘어졌어요"}).json()
    assert turn["safety"] and "119" in turn["text"] and not turn["ended"]
    ended = gateway.post(f"/api/checkins/calls/{call['id']}/end").json()
    assert ended["status"] == CallStatus.COMPLETED and ended["signals"] == {"emergency": "high"}
    assert [t["role"] for t in ended["turns"]][:2] == ["system", "user"]
    again = gateway.post(f"/api/checkins/calls/{call['id']}/turns", {"text": "여보세요"})
    assert again.status_code == 400 and again.json()["code"] == "call_not_in_progress"


def test_a_bearer_token_drives_no_answer_and_retries(manager, enrolment):
    token = api_token_create(user=manager, name="gateway")
    gateway = ApiClient(token=token)
    call = gateway.post(f"/api/checkins/enrolments/{enrolment.pk}/calls").json()
    out = gateway.post(f"/api/checkins/calls/{call['id']}/no-answer").json()
    assert out["status"] == "due" and out["attempts"] == 1


def test_reading_a_transcript_is_logged_and_out_of_scope_is_a_logged_404(manager, other_officer, enrolment):
    call = api_as(manager).post(f"/api/checkins/enrolments/{enrolment.pk}/calls").json()
    assert api_as(manager).get(f"/api/checkins/calls/{call['id']}").status_code == 200
    assert AccessLog.objects.filter(actor=manager, record_type="checkin_call", action=AccessAction.VIEW,
                                    resident=enrolment.resident).exists()
    refused = api_as(other_officer).get(f"/api/checkins/calls/{call['id']}")
    assert refused.status_code == 404 and refused.json()["code"] == "call_not_found"
    assert AccessLog.objects.filter(actor=other_officer, action=AccessAction.DENIED, record_type="checkin_call").exists()


def test_enrol_correct_memory_and_work_the_alert_queue_over_the_api(manager, case):
    client = api_as(manager)
    made = client.post("/api/checkins/enrolments", {
        "case_id": case.pk, "frequency": "weekly", "weekday": 2, "window_start": "10:00", "window_end": "11:00",
        "preferred_name": "영숙", "honorific": "할머니", "opted_out": ["mood"]})
    assert made.status_code == 201, made.content
    enrolment_id = made.json()["id"]
    memory = client.put(f"/api/checkins/enrolments/{enrolment_id}/memory/pets",
                        {"value": "고양이 나비", "reason": "딸이 알려 줌"})
    assert memory.status_code == 200 and memory.json()["value"] == "고양이 나비"
    refused = client.put(f"/api/checkins/enrolments/{enrolment_id}/memory/pets", {"value": "개", "reason": ""})
    assert refused.json()["code"] == "memory_reason_required"

    call = client.post(f"/api/checkins/enrolments/{enrolment_id}/calls").json()
    client.post(f"/api/checkins/calls/{call['id']}/start", {})
    client.post(f"/api/checkins/calls/{call['id']}/turns", {"text": "네"})
    client.post(f"/api/checkins/calls/{call['id']}/turns", {"text": "나비가 아파서 잠을 못 자요"})
    client.post(f"/api/checkins/calls/{call['id']}/end")
    alerts = client.get("/api/checkins/alerts").json()
    assert [a["kind"] for a in alerts] == ["sleep"]
    alert_id = alerts[0]["id"]
    assert client.post(f"/api/checkins/alerts/{alert_id}/acknowledge").json()["status"] == "acknowledged"
    assert client.post(f"/api/checkins/alerts/{alert_id}/close", {"note": ""}).json()["code"] == "note_required"
    closed = client.post(f"/api/checkins/alerts/{alert_id}/close", {"note": "방문해 확인함"}).json()
    assert closed["status"] == "closed" and Alert.objects.get(pk=alert_id).closed_by == manager


def test_the_city_runs_a_purpose_call_and_a_dong_officer_cannot(city, officer, enrolment):
    refused = api_as(officer).post("/api/checkins/campaigns", {"kind": "heat_wave", "title": "폭염 안부"})
    assert refused.status_code == 403
    made = api_as(city).post("/api/checkins/campaigns", {"kind": "heat_wave", "title": "폭염 안부",
                                                         "message": "폭염경보가 내렸어요."})
    assert made.status_code == 201 and made.json()["calls"] == 1
    due = api_as(city).get("/api/checkins/calls/due").json()
    assert due[0]["kind"] == "purpose"
    first = api_as(city).post(f"/api/checkins/calls/{due[0]['id']}/start", {}).json()
    assert "폭염" in first["text"]


def test_the_dashboard_counts_call_backs_as_responses(manager, enrolment):
    from dolbom.checkins import services
    from dolbom.checkins.models import CallbackTask

    client = api_as(manager)
    call = services.call_now(actor=manager, enrolment=enrolment)
    for _ in range(3):
        services.call_no_answer(actor=manager, call=call)
    rows = client.get("/api/checkins/dashboard").json()
    assert rows[0]["calls"] == 1 and rows[0]["response_rate"] == 0
    services.callback_record(actor=manager, task=CallbackTask.objects.get(call=call), reached=True, note="통화함")
    rows = client.get("/api/checkins/dashboard").json()
    assert rows[0]["dong"] == "서신동" and rows[0]["reached_by_callback"] == 1 and rows[0]["response_rate"] == 1.0
