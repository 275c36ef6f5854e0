"""The programmes API: define, list, sign up from the registry, manage the waiting list; scope as on the pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.programmes.models import SignupStatus
from dolbom.testing.api import api_as

from .conftest import public_signup


def test_a_programme_is_defined_and_its_sessions_listed(city, librarian):
    api = api_as(city)
    r = api.post("/api/programmes", {
        "name": "주말 책놀이", "organiser": "전주시립도서관", "venue": "책기둥도서관", "audience": "가족",
        "contact": "063-281-2000", "rrule": "FREQ=MONTHLY;BYDAY=2SA,4SA;BYMONTH=5,6,7,8,9,10,11",
        "season_starts_on": "2027-05-01", "season_ends_on": "2027-11-30", "start_time": "13:30", "capacity": 10,
        "party_counting": "families", "manager_ids": [librarian.pk]})
    assert r.status_code == 201, r.json()
    sessions = api.get(f"/api/programmes/{r.json()['id']}/sessions").json()
    assert len(sessions) == 14 and sessions[0]["free"] == 10 and sessions[0]["waiting"] == 0
    bad = api.post("/api/programmes", {**r.json(), "rrule": "FREQ=DAILY", "season_starts_on": "2027-05-01",
                                       "season_ends_on": "2027-11-30", "start_time": "13:30", "contact": "x"})
    assert bad.status_code == 400 and bad.json()["code"] == "rule_invalid"


def test_the_list_is_logged_and_a_partner_of_another_programme_sees_nobody(session, librarian, partner,
                                                                           message_outbox):
    for _ in range(11):
        public_signup(session, message_outbox)
    rows = api_as(librarian).get(f"/api/programmes/sessions/{session.pk}/signups").json()
    assert len(rows) == 11 and rows[-1]["status"] == "waiting"
    assert AccessLog.objects.filter(actor=librarian, action=AccessAction.SEARCH).exists()
    assert api_as(partner).get(f"/api/programmes/sessions/{session.pk}/signups").json() == []
    summary = api_as(librarian).get(f"/api/programmes/sessions/{session.pk}/summary").json()
    assert summary["confirmed"] == 10 and summary["waiting"] == 1 and summary["fill_rate"] == 1.0


def test_staff_sign_up_a_resident_and_move_the_waiting_list_with_a_reason(session, officer, resident, librarian,
                                                                          message_outbox):
    api = api_as(officer)
    r = api.post(f"/api/programmes/sessions/{session.pk}/signups", {"resident_id": resident.pk, "party_size": 2})
    assert r.status_code == 400 and r.json()["code"] == "consent_required"
    r = api.post(f"/api/programmes/sessions/{session.pk}/signups", {"resident_id": resident.pk, "party_size": 2,
                                                                    "consent": "written"})
    assert r.status_code == 201 and r.json()["status"] == "confirmed"
    for _ in range(11):
        public_signup(session, message_outbox)
    waiting = [s for s in api_as(librarian).get(f"/api/programmes/sessions/{session.pk}/signups").json()
               if s["status"] == SignupStatus.WAITING]
    moved = api_as(librarian).post(f"/api/programmes/signups/{waiting[-1]['id']}/move", {"position": 1, "reason": ""})
    assert moved.status_code == 400 and moved.json()["code"] == "reason_required"
    moved = api_as(librarian).post(f"/api/programmes/signups/{waiting[-1]['id']}/move",
                                   {"position": 1, "reason": "보호자 입원으로 일정 변경 불가"})
    assert moved.status_code == 200 and moved.json()["queue_rank"] == 1


def test_a_signup_outside_scope_answers_404_with_a_denied_row(session, other_officer, message_outbox):
    signup, _ = public_signup(session, message_outbox)
    r = api_as(other_officer).post(f"/api/programmes/signups/{signup.pk}/cancel", {"reason": "x"})
    assert r.status_code == 404 and r.json()["code"] == "signup_not_found"
    assert AccessLog.objects.filter(actor=other_officer, action=AccessAction.DENIED).exists()


def test_the_adviser_day_and_outcome_through_the_api(city, adviser, partner, officer):
    from dolbom.programmes import services
    from dolbom.programmes.models import Adviser

    Adviser.objects.filter(pk=adviser.pk).update(user=partner)
    slot = services.slot_add(actor=city, adviser=adviser, starts_at=timezone.now() + dt.timedelta(hours=3),
                             minutes=30)
    booking, _ = services.booking_register(actor=officer, slot=slot, name="상담주민", phone="", topic="전세 사기")
    day = timezone.localtime(slot.starts_at).date().isoformat()
    rows = api_as(partner).get(f"/api/consultations/advisers/{adviser.pk}/day", {"date": day}).json()
    assert rows[0]["name"] == "상담주민"
    r = api_as(partner).post(f"/api/consultations/bookings/{booking.pk}/outcome",
                             {"attended": True, "outcome": "임차권등기명령 안내", "welfare_need": "주거 위기",
                              "dong_id": adviser.dong_id})
    assert r.status_code == 400 and r.json()["code"] == "consent_required"
    r = api_as(partner).post(f"/api/consultations/bookings/{booking.pk}/outcome",
                             {"attended": True, "outcome": "임차권등기명령 안내", "welfare_need": "주거 위기",
                              "consent_given": True, "dong_id": adviser.dong_id})
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert [x["need"] for x in api_as(officer).get("/api/consultations/referrals").json()] == ["주거 위기"]


def test_an_auditor_gets_no_programme_data(auditor, session):
    assert api_as(auditor).get("/api/programmes").status_code == 403
