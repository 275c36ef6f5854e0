"""The auditor's pages in a real browser: Korean names for roles and records, one log row per page a person
opened (not one per chat turn), a start page with the month's refusals, a monthly review that prints short and
downloads, and a reversed date range refused with a message."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.checkins.services import Preferences, Schedule, enrolment_create
from dolbom.testing import personas
from dolbom.testing.browser import chat_say, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _enrolment(officer, manager, resident):
    case = personas.open_case(officer, resident, manager=manager)
    return enrolment_create(actor=manager, case=case,
                            schedule=Schedule(frequency="weekly", weekday=1, window_start=dt.time(10),
                                              window_end=dt.time(12)),
                            preferences=Preferences(preferred_name="영숙", honorific="어르신"))


def test_one_chat_call_is_logged_once_per_page_opened_and_the_auditor_reads_it_in_korean(
        live_server, browser_page, monkeypatch, officer, manager, auditor, resident):
    from dolbom.checkins.services import analysis
    from dolbom.checkins.tests.conftest import keyword_analysis

    # The access log is under test, not the risk model: a keyword stand-in answers at once.
    monkeypatch.setattr(analysis, "analyse_utterance", keyword_analysis)
    enrolment = _enrolment(officer, manager, resident)
    page = browser_page
    log_in(page, live_server.url, "jeongwoo")
    page.goto(f"{live_server.url}/checkins/enrolments/{enrolment.pk}/")
    page.click("[data-testid=call-now]")
    page.click("[data-testid=call-start]")
    page.wait_for_selector("[data-testid=say-form]")
    for line in ("네, 괜찮아요", "잘 먹어요", "잘 자요", "복지관에 다녀요", "좋아요"):
        chat_say(page, line)
    call_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    rows = AccessLog.objects.filter(record_type="checkin_call", record_id=call_id)
    # Opened twice as a page (after "call now" and after "the client answers"); the turns in between
    # re-show the same page to the same person and add no row of their own.
    assert rows.count() == 2
    assert set(rows.values_list("action", flat=True)) == {AccessAction.VIEW}

    page.context.clear_cookies()
    log_in(page, live_server.url, "youngho")
    page.goto(f"{live_server.url}/audit/access-log/")
    table = page.inner_text("[data-testid=access-log]")
    assert "case_manager" not in table and "checkin_call" not in table
    assert "통합사례관리사" in table and "안부전화" in table


def test_the_start_page_counts_the_months_refusals_and_a_reversed_date_range_is_refused(
        live_server, browser_page, auditor, officer, resident):
    AccessLog.objects.create(actor=officer, actor_username="minji", actor_role="dong_officer",
                             action=AccessAction.DENIED, resident=resident, record_type="case", record_id="9",
                             at=timezone.now())
    AccessLog.objects.create(actor=officer, actor_username="minji", actor_role="dong_officer",
                             action=AccessAction.VIEW, resident=resident, record_type="resident",
                             record_id=str(resident.pk), in_caseload=False, at=timezone.now())
    page = browser_page
    log_in(page, live_server.url, "youngho")
    # The start page is the auditor's work this month, not only two buttons.
    assert page.inner_text("[data-testid=audit-denied] b") == "1"
    assert page.inner_text("[data-testid=audit-outside] b") == "1"
    with page.expect_navigation():
        page.click("[data-testid=audit-denied]")
    table = page.inner_text("[data-testid=access-log]")
    assert "거부" in table and "조회" not in table

    today = timezone.localdate()
    page.goto(f"{live_server.url}/audit/access-log/?date_from={today.isoformat()}"
              f"&date_to={(today - dt.timedelta(days=7)).isoformat()}")
    field = page.locator(".field", has=page.locator("[name=date_to]"))
    assert "시작일" in field.locator(".errorlist").inner_text()


def test_the_monthly_review_is_short_on_screen_prints_and_downloads(live_server, browser_page, auditor, officer,
                                                                    resident):
    night = timezone.localtime().replace(hour=23, minute=30)
    for k in range(80):
        AccessLog.objects.create(actor=officer, actor_username="minji", actor_role="dong_officer",
                                 action=AccessAction.VIEW, resident=resident, record_type="resident",
                                 record_id=str(resident.pk), at=night - dt.timedelta(minutes=k))
    page = browser_page
    log_in(page, live_server.url, "youngho")
    page.goto(f"{live_server.url}/audit/monthly-review/")
    assert page.evaluate("document.documentElement.scrollHeight") < 2400
    assert "동 복지담당 공무원" in page.inner_text("[data-testid=review-actors]")
    page.emulate_media(media="print")
    assert page.locator("[data-testid=review-actors]").is_visible()
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.click("[data-testid=review-download]")
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    cells = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "minji" in cells and "동 복지담당 공무원" in cells
    assert any("업무시간 외" in sheet.title for sheet in book)
    after_hours = next(sheet for sheet in book if "업무시간 외" in sheet.title)
    assert after_hours.max_row == 81  # every one of the 80 rows, under the heading
