"""Staff pages: programmes, the session list (logged), the door, sign-up from the resident page, consultations."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.programmes import services
from dolbom.programmes.models import Attendance, ConsultationSlot, Programme, Signup, SignupStatus

from .conftest import open_session, public_signup


def test_the_city_team_defines_a_programme_and_its_season_on_the_page(login, city, librarian):
    web = login(city)
    assert web.get("/programmes/new/").status_code == 200
    r = web.post("/programmes/new/", {
        "name": "주말 책놀이", "organiser": "전주시립도서관", "venue": "책기둥도서관", "audience": "만 13세 미만 자녀 가족",
        "contact": "063-281-2000", "rrule": "FREQ=MONTHLY;BYDAY=2SA,4SA;BYMONTH=5,6,7,8,9,10,11",
        "season_starts_on": "2027-05-01", "season_ends_on": "2027-11-30", "start_time": "13:30",
        "duration_minutes": 90, "capacity": 10, "party_counting": "families", "max_party_size": 5,
        "allocation": "first_come", "reserved": 2, "reserve_release_hours": 72, "limit_per_month": 1,
        "signup_opens_days": 14, "signup_opens_time": "10:00", "signup_closes_hours": 24, "offer_hours": 24,
        "managers": [librarian.pk]})
    assert r.status_code == 302, r.content.decode()[:800]
    programme = Programme.objects.get()
    days = [timezone.localtime(s.starts_at) for s in programme.sessions.all()]
    assert len(days) == 14 and all(d.weekday() == 5 and d.strftime("%H:%M") == "13:30" for d in days)
    assert {d.month for d in days} == set(range(5, 12))
    page = web.get(f"/programmes/{programme.pk}/").content.decode()
    assert "매월 둘째·넷째 토요일 (5–11월)" in page


def test_a_partner_cannot_define_programmes(login, partner):
    assert login(partner).get("/programmes/new/").status_code == 403


def test_the_session_list_shows_people_to_the_staff_in_charge_and_is_logged(login, librarian, session,
                                                                           message_outbox):
    for n in range(12):
        public_signup(session, message_outbox, name=f"가족{n}")
    web = login(librarian)
    with CaptureQueriesContext(connection) as queries:
        page = web.get(f"/programmes/sessions/{session.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "가족0" in html and "가족11" in html
    assert len(queries) < 40, "the list does not query per sign-up"
    row = AccessLog.objects.get(actor=librarian, record_type="programme_session")
    assert row.action == AccessAction.SEARCH and row.record_id == str(session.pk)


def test_an_officer_of_another_dong_sees_no_one_on_a_city_wide_session(login, other_officer, session, message_outbox):
    public_signup(session, message_outbox, name="비공개가족")
    page = login(other_officer).get(f"/programmes/sessions/{session.pk}/").content.decode()
    assert "비공개가족" not in page and not AccessLog.objects.filter(actor=other_officer).exists()


def test_an_auditor_gets_no_programme_pages(login, auditor, session):
    assert login(auditor).get(f"/programmes/sessions/{session.pk}/").status_code == 403


def test_a_signup_outside_scope_answers_404_and_is_logged_as_denied(login, other_officer, session, message_outbox):
    signup, _ = public_signup(session, message_outbox)
    r = login(other_officer).post(f"/programmes/signups/{signup.pk}/cancel/", {"reason": "x"})
    assert r.status_code == 404
    assert AccessLog.objects.filter(actor=other_officer, action=AccessAction.DENIED, record_type="programme_signup",
                                    record_id=str(signup.pk)).exists()
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CONFIRMED


def test_the_door_finds_a_family_by_phone_and_checks_it_in(login, librarian, session, message_outbox):
    signup, _ = public_signup(session, message_outbox, name="문앞가족")
    web = login(librarian)
    page = web.get(f"/programmes/sessions/{session.pk}/door/", {"q": signup.phone[-4:]}).content.decode()
    assert "문앞가족" in page
    web.post(f"/programmes/signups/{signup.pk}/checkin/", {"next": f"/programmes/sessions/{session.pk}/door/"})
    signup.refresh_from_db()
    assert signup.attendance == Attendance.ATTENDED
    assert AccessLog.objects.filter(actor=librarian, record_type="programme_checkin").exists()


def test_staff_sign_up_a_resident_from_the_resident_page_with_consent(login, officer, resident, session):
    web = login(officer)
    web.post(f"/residents/{resident.pk}/purpose/", {"purpose": "주말 책놀이 신청 접수"})
    page = web.get(f"/residents/{resident.pk}/").content.decode()
    assert 'data-testid="staff-signup"' in page and session.programme.name in page
    refused = web.post(f"/programmes/residents/{resident.pk}/signup/", {"session": session.pk, "party_size": 2})
    assert refused.status_code == 400 and "동의가 필요합니다" in refused.content.decode()
    ok = web.post(f"/programmes/residents/{resident.pk}/signup/", {"session": session.pk, "party_size": 2,
                                                                     "consent": "verbal"})
    assert ok.status_code == 302
    signup = Signup.objects.get()
    assert signup.resident == resident and signup.status == SignupStatus.CONFIRMED
    assert session.programme.name in web.get(f"/residents/{resident.pk}/").content.decode()


def test_the_waiting_list_is_reordered_on_the_page_with_a_reason(login, librarian, session, message_outbox):
    for _ in range(10):
        public_signup(session, message_outbox)
    a, _ = public_signup(session, message_outbox)
    b, _ = public_signup(session, message_outbox)
    web = login(librarian)
    r = web.post(f"/programmes/signups/{b.pk}/move/", {"position": 1, "reason": ""}, follow=True)
    assert "사유" in r.content.decode()
    web.post(f"/programmes/signups/{b.pk}/move/", {"position": 1, "reason": "돌봄 대상 가족"})
    b.refresh_from_db()
    a.refresh_from_db()
    assert b.queue_rank < a.queue_rank
    assert "돌봄 대상 가족" in web.get(f"/programmes/sessions/{session.pk}/").content.decode()


def test_the_adviser_sees_the_day_list_and_notes_the_outcome(login, city, adviser, partner, officer):
    from dolbom.programmes.models import Adviser, WelfareReferral

    Adviser.objects.filter(pk=adviser.pk).update(user=partner)
    slot = services.slot_add(actor=city, adviser=adviser, starts_at=timezone.now() + dt.timedelta(hours=2),
                             minutes=20)
    booking, _ = services.booking_register(actor=officer, slot=slot, name="상담주민", phone="", topic="월세 세액공제")
    web = login(partner)
    day = timezone.localtime(slot.starts_at).date().isoformat()
    page = web.get(f"/programmes/advisers/{adviser.pk}/day/", {"date": day}).content.decode()
    assert "상담주민" in page and "월세 세액공제" in page
    web.post(f"/programmes/bookings/{booking.pk}/outcome/", {"attended": "1", "outcome": "공제 요건 안내",
                                                             "welfare_need": "임대료 체납", "consent_given": "on",
                                                             "dong": adviser.dong_id})
    assert WelfareReferral.objects.get().need == "임대료 체납"
    dashboard = login(officer).get("/").content.decode()
    assert 'data-testid="dashboard-referrals"' in dashboard


def test_the_adviser_calendar_shows_booked_and_free_slots_without_names(login, city, adviser, officer):
    services.schedule_create(actor=city, adviser=adviser, rrule="FREQ=MONTHLY;BYDAY=4MO",
                             starts_on=timezone.localdate(), ends_on=timezone.localdate() + dt.timedelta(days=40),
                             start_time=dt.time(15), end_time=dt.time(17), slot_minutes=30)
    slot = ConsultationSlot.objects.order_by("starts_at").first()
    services.booking_register(actor=officer, slot=slot, name="달력주민", phone="", topic="상속")
    page = login(city).get(f"/programmes/advisers/{adviser.pk}/").content.decode()
    assert "●" in page and "달력주민" not in page


def test_the_programme_list_for_a_dong_officer(login, officer, session):
    page = login(officer).get("/programmes/").content.decode()
    assert session.programme.name in page and 'data-testid="programme-new"' in page


def test_closing_attendance_on_the_page(login, librarian, city, message_outbox):
    from .conftest import make_programme

    programme = make_programme(city, managers=[librarian])
    session = open_session(programme)
    signup, _ = public_signup(session, message_outbox)
    from dolbom.programmes.models import Session

    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=1))
    login(librarian).post(f"/programmes/sessions/{session.pk}/close/")
    signup.refresh_from_db()
    assert signup.attendance == Attendance.NO_SHOW


def test_staff_move_a_booking_from_the_day_list(login, city, adviser, officer):
    a = services.slot_add(actor=city, adviser=adviser, starts_at=timezone.now() + dt.timedelta(hours=5), minutes=20)
    b = services.slot_add(actor=city, adviser=adviser, starts_at=timezone.now() + dt.timedelta(days=2), minutes=20)
    booking, _ = services.booking_register(actor=officer, slot=a, name="전화주민", phone="", topic="상속")
    web = login(officer)
    page = web.get(f"/programmes/advisers/{adviser.pk}/day/",
                   {"date": timezone.localtime(a.starts_at).date().isoformat()}).content.decode()
    assert f'<option value="{b.pk}">' in page
    web.post(f"/programmes/bookings/{booking.pk}/move/", {"slot": b.pk})
    booking.refresh_from_db()
    assert booking.slot == b


def test_the_staff_in_charge_edit_what_a_programme_says_and_stop_it(login, librarian, partner, session):
    programme = session.programme
    web = login(librarian)
    data = {"name": "주말 책놀이 (개편)", "organiser": programme.organiser, "venue": "시청 2층 회의실",
            "audience": programme.audience, "contact": programme.contact, "managers": [librarian.pk]}
    assert web.post(f"/programmes/{programme.pk}/edit/", data).status_code == 302
    programme.refresh_from_db()
    assert programme.venue == "시청 2층 회의실" and not programme.active
    assert "주말 책놀이 (개편)" not in login(partner).get("/programmes/p/").content.decode()
    assert login(partner).get(f"/programmes/{programme.pk}/edit/").status_code == 403
    refused = web.post(f"/programmes/{programme.pk}/edit/", {**data, "venue": ""})
    assert refused.status_code == 400
