"""The Korean pages: alert queue, enrolments, the chat page, call-backs, purpose calls, dashboard."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dolbom.checkins import services
from dolbom.checkins.models import Alert, Enrolment
from dolbom.checkins.tests.conftest import enrol, play
from dolbom.testing import personas

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="ko")
    c.force_login(user)
    return c


def test_the_chat_page_plays_a_call_and_shows_the_result(manager, enrolment):
    c = _client(manager)
    page = c.post(f"/checkins/enrolments/{enrolment.pk}/call/", follow=True)
    assert "대상자가 받음" in page.content.decode()
    call_id = page.resolver_match.kwargs["call_id"]
    c.post(f"/checkins/calls/{call_id}/start/")
    c.post(f"/checkins/calls/{call_id}/say/", {"text": "네"})
    fragment = c.post(f"/checkins/calls/{call_id}/say/", {"text": "밥을 못 먹었어요"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<html" not in html and "밥을 못 먹었어요" in html and "식사를 거르신 지" in html
    c.post(f"/checkins/calls/{call_id}/hang-up/")
    page = c.get(f"/checkins/calls/{call_id}/").content.decode()
    assert "결과" in page and "식사" in page and "경보" in page


def test_the_alert_queue_does_not_grow_queries_with_alerts(manager, officer, case):
    enrolment = enrol(manager, case)
    call, _ = play(manager, enrolment, ["네", "무릎이 아파요"])
    services.call_hang_up(actor=manager, call=call)
    c = _client(manager)
    c.get("/checkins/")  # the menu and the header are kept a minute per user (web/nav.py): count the page itself
    with CaptureQueriesContext(connection) as one:
        assert c.get("/checkins/").status_code == 200
    for name in ("이순자", "박말순", "최옥희"):
        other = personas.open_case(officer, personas.make_resident(officer, name=name), manager=manager)
        e = enrol(manager, other)
        play(manager, e, ["네", "넘어졌어요"])
    with CaptureQueriesContext(connection) as many:
        page = c.get("/checkins/")
    assert page.content.decode().count('data-testid="alert"') == 4
    assert len(many) == len(one)


def test_the_enrolment_list_does_not_grow_queries_with_rows(manager, officer, case):
    enrol(manager, case)
    c = _client(manager)
    c.get("/checkins/enrolments/")  # the menu and the header are kept a minute per user (web/nav.py)
    with CaptureQueriesContext(connection) as one:
        c.get("/checkins/enrolments/")
    for name in ("이순자", "박말순"):
        enrol(manager, personas.open_case(officer, personas.make_resident(officer, name=name), manager=manager))
    with CaptureQueriesContext(connection) as many:
        page = c.get("/checkins/enrolments/")
    assert page.content.decode().count("/checkins/enrolments/") >= 3
    assert len(many) == len(one)


def test_the_enrolment_list_pages_past_its_page_size_with_the_total(manager, officer, case, monkeypatch):
    from dolbom.checkins import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)  # 50 in use
    enrol(manager, case)
    for name in ("이순자", "박말순"):
        enrol(manager, personas.open_case(officer, personas.make_resident(officer, name=name), manager=manager))
    c = _client(manager)
    first = c.get("/checkins/enrolments/").content.decode()
    assert "3" in first.split('data-testid="total"')[1].split("</span>")[0] and 'rel="next"' in first
    assert first.count('href="/checkins/enrolments/') - first.count('href="/checkins/enrolments/?') >= 2
    second = c.get("/checkins/enrolments/?page=2").content.decode()
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_a_case_manager_enrols_through_the_form_and_corrects_memory(manager, case):
    c = _client(manager)
    form = c.get("/checkins/enrolments/").content.decode()
    assert "김영숙" in form and "대상자 등록" in form
    response = c.post("/checkins/enrolments/", {
        "case": case.pk, "frequency": "weekly", "weekday": 2, "window_start": "10:00", "window_end": "12:00",
        "preferred_name": "영숙", "honorific": "어르신", "topics": ["health", "meals"]})
    enrolment = Enrolment.objects.get(case=case)
    assert response.status_code == 302 and enrolment.topics == ["health", "meals"]
    c.post(f"/checkins/enrolments/{enrolment.pk}/memory/",
           {"slot": "family", "value": "아들 (서울)", "reason": "상담 중 확인"})
    page = c.get(f"/checkins/enrolments/{enrolment.pk}/").content.decode()
    assert "아들 (서울)" in page and "상담 중 확인" in page


def test_alert_buttons_acknowledge_act_and_close(manager, enrolment):
    play(manager, enrolment, ["네", "넘어졌어요"])
    alert = Alert.objects.get()
    c = _client(manager)
    c.post(f"/checkins/alerts/{alert.pk}/acknowledge/")
    c.post(f"/checkins/alerts/{alert.pk}/act/", {"note": "119 신고, 보호자 연락"})
    c.post(f"/checkins/alerts/{alert.pk}/close/", {"note": "입원 확인"})
    alert.refresh_from_db()
    assert (alert.status, alert.action_note, alert.close_note) == ("closed", "119 신고, 보호자 연락", "입원 확인")


def test_pages_for_call_backs_purpose_calls_and_the_dashboard(manager, city, auditor, enrolment):
    call = services.call_now(actor=manager, enrolment=enrolment)
    for _ in range(3):
        services.call_no_answer(actor=manager, call=call)
    page = _client(manager).get("/checkins/callbacks/").content.decode()
    assert "김영숙" in page and "010-1234-5678" in page
    assert _client(manager).get("/checkins/campaigns/").status_code == 403
    made = _client(city).post("/checkins/campaigns/", {"kind": "notice", "title": "독감 예방접종 안내",
                                                       "message": "보건소에서 무료 접종을 합니다."}, follow=True)
    assert "독감 예방접종 안내" in made.content.decode()
    dashboard = _client(city).get("/checkins/dashboard/").content.decode()
    assert "서신동" in dashboard and "0%" in dashboard
    assert _client(auditor).get("/checkins/").status_code == 403


def test_only_the_city_sets_escalation_and_tries(city, manager):
    from dolbom.checkins.models import CheckinSettings

    _client(city).post("/checkins/settings/", {"max_attempts": 2, "retry_minutes": 15, "escalate_after_minutes": 20,
                                               "missed_in_row_alert": 3})
    assert (CheckinSettings.current().max_attempts, CheckinSettings.current().escalate_after_minutes) == (2, 20)
    _client(manager).post("/checkins/settings/", {"max_attempts": 5, "retry_minutes": 15,
                                                  "escalate_after_minutes": 20, "missed_in_row_alert": 3})
    assert CheckinSettings.current().max_attempts == 2


def test_a_transcript_outside_the_caseload_opens_only_with_a_purpose(manager, officer, enrolment):
    from dolbom.audit.models import AccessLog

    call, _ = play(manager, enrolment, ["네", "무릎이 아파요"])
    c = _client(officer)
    asked = c.get(f"/checkins/calls/{call.pk}/")
    assert asked.status_code == 403 and "목적" in asked.content.decode()
    assert "무릎이 아파요" not in asked.content.decode()
    c.post(f"/checkins/purpose/{enrolment.case_id}/?next=/checkins/calls/{call.pk}/", {"purpose": "긴급 지원"})
    page = c.get(f"/checkins/calls/{call.pk}/")
    assert page.status_code == 200 and "무릎이 아파요" in page.content.decode()
    log = AccessLog.objects.filter(actor=officer, record_type="checkin_call").get()
    assert (log.purpose, log.in_caseload) == ("긴급 지원", False)
    api = c.get(f"/api/checkins/calls/{call.pk}")
    assert api.status_code == 400 and api.json()["code"] == "purpose_required"


def _alerts_box(c: Client) -> str:
    page = c.get("/").content.decode()
    return page.split('data-testid="dashboard-alerts"', 1)[1].split("</section>", 1)[0]


def test_the_start_page_box_lists_open_alerts_in_scope_logged_in_a_fixed_number_of_queries(
        manager, officer, other_officer, case):
    from dolbom.audit.models import AccessAction, AccessLog

    play(manager, enrol(manager, case), ["네", "넘어졌어요"])
    c = _client(manager)
    _alerts_box(c)  # the menu and the header are kept a minute per user (web/nav.py)
    with CaptureQueriesContext(connection) as one:
        box = _alerts_box(c)
    assert "김영숙" in box and "/checkins/calls/" in box
    row = AccessLog.objects.filter(actor=manager, record_type="checkin_alert_list").latest("pk")
    assert row.action == AccessAction.SEARCH and row.subject_ids == [case.resident_id]
    for name in ("이순자", "박말순", "최옥희"):
        other = personas.open_case(officer, personas.make_resident(officer, name=name), manager=manager)
        play(manager, enrol(manager, other), ["네", "넘어졌어요"])
    with CaptureQueriesContext(connection) as many:
        box = _alerts_box(c)
    assert all(name in box for name in ("김영숙", "이순자", "박말순", "최옥희"))
    assert len(many) == len(one)  # the resident's name comes with the alert, not one query per row
    assert "김영숙" not in _alerts_box(_client(other_officer))  # another dong's officer: not in scope
