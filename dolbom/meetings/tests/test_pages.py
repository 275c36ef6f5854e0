"""The meeting pages: the same scoping as the API, refusals logged, lists without N+1 queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.cases.models import CaseEvent, CaseEventType
from dolbom.meetings import services
from dolbom.meetings.models import AgendaItem, Council, CouncilKind, Decision, Meeting
from dolbom.testing import personas

from .conftest import planned_case, share_with


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_officer_builds_the_agenda_and_decides_on_the_page(officer, meeting, case):
    web = _as(officer)
    page = web.get(f"/meetings/{meeting.pk}/")
    assert page.status_code == 200 and "안건 후보" in page.content.decode() and case.number in page.content.decode()
    r = web.post(f"/meetings/{meeting.pk}/agenda/", {"case_id": case.pk})
    assert r.status_code == 302
    item = AgendaItem.objects.get(meeting=meeting, case=case)
    r = web.post(f"/meetings/{meeting.pk}/agenda/{item.pk}/", {"decision": "approve_plan", "note": "원안 승인"})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.decision == Decision.APPROVE_PLAN
    assert CaseEvent.objects.filter(case=case, type=CaseEventType.MEETING_DECISION).exists()
    web.post(f"/meetings/{meeting.pk}/minutes/", {"minutes": "원안 승인", "topics": "1. 지원계획 승인 요청 사례"})
    r = web.post(f"/meetings/{meeting.pk}/minutes/sign/", follow=True)
    assert "회의록이 서명되었습니다" in r.content.decode()
    meeting.refresh_from_db()
    assert meeting.is_signed
    page = web.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'data-testid="minutes-form"' not in page and 'data-testid="sign"' not in page


def test_a_decision_refused_by_the_service_shows_why_and_changes_nothing(officer, meeting, item):
    r = _as(officer).post(f"/meetings/{meeting.pk}/agenda/{item.pk}/", {"decision": "escalate", "note": ""})
    assert r.status_code == 400
    item.refresh_from_db()
    assert item.decision == ""


def test_the_partner_page_hides_cases_without_consent_and_refuses_direct_reads(officer, meeting, item,
                                                                                invited_partner):
    web = _as(invited_partner)
    page = web.get(f"/meetings/{meeting.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "김영숙" not in body and item.case.number not in body and 'data-testid="hidden-count"' in body
    for url in (f"/meetings/{meeting.pk}/agenda/{item.pk}/", f"/meetings/cases/{item.case_id}/"):
        r = web.get(url)
        assert r.status_code == 404 and "김영숙" not in r.content.decode()
    r = web.post(f"/meetings/{meeting.pk}/agenda/{item.pk}/", {"decision": "approve_plan"})
    assert r.status_code == 404
    assert AccessLog.objects.filter(actor=invited_partner, action=AccessAction.DENIED,
                                    resident_id=item.case.resident_id).count() == 3
    share_with(officer, item.case.resident)
    page = web.get(f"/meetings/{meeting.pk}/agenda/{item.pk}/")
    assert page.status_code == 200 and "김영숙" in page.content.decode()
    assert 'data-testid="decision-form"' not in page.content.decode()


def test_a_partner_not_invited_and_the_auditor_are_refused(meeting, item, partner, auditor):
    assert _as(partner).get(f"/meetings/{meeting.pk}/").status_code == 404
    assert AccessLog.objects.filter(actor=partner, action=AccessAction.DENIED, record_type="meeting").exists()
    assert _as(auditor).get("/meetings/").status_code == 403
    assert _as(auditor).get(f"/meetings/{meeting.pk}/").status_code == 403


def test_the_case_page_links_to_its_meeting_items(manager, item):
    web = _as(manager)
    page = web.get(f"/cases/{item.case_id}/")
    assert f"/meetings/cases/{item.case_id}/" in page.content.decode()
    listing = web.get(f"/meetings/cases/{item.case_id}/").content.decode()
    assert "서신동 통합지원회의" in listing


def test_the_meeting_page_does_not_grow_queries_with_the_agenda(officer, manager, meeting):
    web = _as(officer)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert web.get(f"/meetings/{meeting.pk}/").status_code == 200
        return len(ctx.captured_queries)

    services.agenda_add(actor=officer, meeting=meeting,
                        case=planned_case(officer, manager, personas.make_resident(officer, name="가나다")))
    count()  # warm: the menu and the header are kept a minute per user (web/nav.py)
    few = count()
    for name in ("라마바", "사아자", "차카타"):
        services.agenda_add(actor=officer, meeting=meeting,
                            case=planned_case(officer, manager, personas.make_resident(officer, name=name)))
    assert count() == few


def test_the_list_pages_do_not_grow_queries_with_rows(officer, city, manager):
    services.councils_seed()
    web = _as(city)
    council = Council.objects.get(kind=CouncilKind.DONG_COUNCIL, dong=officer.staff.dong)
    services.council_sessions_schedule(actor=city, council=council, count=1)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert web.get(url).status_code == 200
        return len(ctx.captured_queries)

    meeting = Meeting.objects.get(council=council)
    services.action_item_add(actor=city, meeting=meeting, title="a", owner=manager,
                             due_on=timezone.localdate() - dt.timedelta(days=2))
    urls = ("/meetings/", "/meetings/action-items/overdue/", "/meetings/councils/")
    count(urls[0])  # warm: the menu and the header are kept a minute per user (web/nav.py)
    before = {u: count(u) for u in urls}
    services.council_sessions_schedule(actor=city, council=council, count=4)
    for i in range(3):
        services.action_item_add(actor=city, meeting=meeting, title=f"b{i}", owner=officer,
                                 due_on=timezone.localdate() - dt.timedelta(days=3))
    assert {u: count(u) for u in before} == before


def test_the_overdue_page_lists_each_owner(officer, manager, meeting):
    services.action_item_add(actor=officer, meeting=meeting, title="집수리 견적 확인", owner=manager,
                             due_on=timezone.localdate() - dt.timedelta(days=3))
    body = _as(officer).get("/meetings/action-items/overdue/").content.decode()
    assert "박정우" in body and "집수리 견적 확인" in body


@pytest.mark.parametrize("url", ["/meetings/", "/meetings/new/", "/meetings/councils/",
                                 "/meetings/action-items/overdue/"])
def test_pages_render_in_korean(officer, url):
    services.councils_seed()
    r = _as(officer).get(url)
    assert r.status_code == 200 and 'lang="ko"' in r.content.decode()


def test_every_meeting_is_listed_newest_first_in_pages_with_the_total(officer, monkeypatch):
    from dolbom.meetings import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)  # 50 in use
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    for i in range(5):
        services.meeting_schedule(actor=officer, title=f"회의{i}", scheduled_at=start + dt.timedelta(days=i),
                                  place="주민센터", chair=officer, dong=officer.staff.dong)
    web = _as(officer)
    first = web.get("/meetings/?past=1").content.decode()
    assert "회의4" in first and "회의3" in first and "회의2" not in first and 'rel="next"' in first
    assert "5" in first.split('data-testid="total"')[1].split("</span>")[0]
    last = web.get("/meetings/?past=1&page=3").content.decode()
    assert "회의0" in last and "회의1" not in last and 'rel="next"' not in last
    upcoming = web.get("/meetings/").content.decode()
    assert "회의0" in upcoming and "회의1" in upcoming and "회의2" not in upcoming
