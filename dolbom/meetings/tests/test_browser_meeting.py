"""One real browser (Debian's Chromium) takes an integrated support meeting from agenda to signed minutes,
with an 'add services' decision refused without consent, then creating the referral once consent exists;
the invited partner then sees the case only because of that consent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dolbom.cases.models import CaseEvent, CaseEventType
from dolbom.meetings.models import AgendaItem, Meeting, MeetingStatus
from dolbom.testing.browser import log_in

from .conftest import NURSING_CODE, NURSING_NAME, share_with

referrals = pytest.importorskip("dolbom.referrals.services")
if not hasattr(referrals, "referral_create"):
    pytest.skip("the referrals app has no referral_create yet", allow_module_level=True)

from dolbom.referrals.models import Institution, Referral, Service  # noqa: E402

SCREENSHOT = Path("/tmp/dolbom-meeting-page.png")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _login(page, base: str, username: str) -> None:
    log_in(page, base, username)  # the password, then the second factor (issue 18)


def test_a_meeting_goes_from_agenda_to_signed_minutes_and_refers_a_service(
        live_server, browser_page, officer, manager, partner, case):
    institution = Institution.objects.create(code=NURSING_CODE, name=NURSING_NAME, kind="home_nursing_agency")
    service = Service.objects.create(institution=institution, code="SV-HN-1", name="방문간호", category_code="A02",
                                     citywide=True)
    page, base = browser_page, live_server.url
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(base) else None)
    _login(page, base, "minji")

    # Schedule: the dong and the chair default to the officer's own.
    page.click("nav.site-nav >> text=회의")
    page.click("[data-testid=meeting-new]")
    page.fill("#id_title", "서신동 통합지원회의 (12월)")
    page.fill("#id_scheduled_at", "2026-12-01T14:00")
    page.fill("#id_place", "서신동 행정복지센터 2층")
    page.click("[data-testid=meeting-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting = Meeting.objects.get()

    # Agenda from the candidates (김영숙's plan waits for approval), then invite the partner worker.
    row = page.locator(f"[data-testid=candidates] tr[data-case='{case.number}']")
    assert "지원계획 승인 대기" in row.inner_text()
    row.locator("button").click()
    page.wait_for_load_state("load")
    assert "김영숙" in page.inner_text("[data-testid=agenda]")
    page.select_option("#id_att_user", str(partner.pk))
    page.select_option("#id_att_member_kind", "provider_staff")
    page.click("#attendees button[type=submit]")
    page.wait_for_load_state("load")
    assert "이수진" in page.inner_text("[data-testid=attendees]")

    # Decision 'add services': refused without the client's consent to share with the institution.
    page.click(f"[data-testid=agenda] >> text={case.number}")
    page.select_option("#id_decision", "add_services")
    page.check(f"#id_services input[value='{service.pk}']")  # check boxes (keyboard-usable), not a list box
    page.fill("#id_note", "방문간호 주 1회 연계")
    page.click("[data-testid=decision-form] button[type=submit]")
    page.wait_for_load_state("load")
    assert "연계하지 못했습니다" in page.inner_text("main")
    assert "연계 안 됨" in page.inner_text("[data-testid=service-requests]")
    assert not Referral.objects.exists()

    # The client consents (recorded at the dong office); adding the service again creates the referral.
    share_with(officer, case.resident)
    page.reload()
    page.select_option("#id_decision", "add_services")
    page.check(f"#id_services input[value='{service.pk}']")
    page.click("[data-testid=decision-form] button[type=submit]")
    page.wait_for_load_state("load")
    assert "연계됨" in page.inner_text("[data-testid=service-requests]")
    referral = Referral.objects.get()
    assert referral.case == case and referral.service == service

    # Minutes, then the chair signs them off: read-only from then on.
    page.click("main >> text=서신동 통합지원회의 (12월)")
    page.fill("#id_minutes", "안건 1: 방문간호 연계 결정 (동의 확인 후 연계 완료).")
    page.click("[data-testid=minutes-form] button[type=submit]")
    page.wait_for_load_state("load")
    page.once("dialog", lambda dialog: dialog.accept())  # signing asks first
    page.click("[data-testid=sign]")
    page.wait_for_load_state("load")
    assert "회의록이 서명되었습니다" in page.inner_text("main")
    assert page.inner_text("[data-testid=meeting-status]") == "회의록 서명 완료"
    assert page.locator("[data-testid=minutes-form]").count() == 0
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # The decisions are on the case timeline.
    page.goto(f"{base}/cases/{case.pk}/")
    if page.locator("#id_purpose").count():
        page.fill("#id_purpose", "통합지원회의 결과 확인")
        page.click("main button[type=submit]")
        page.wait_for_load_state("load")
    timeline = page.inner_text("[data-testid=timeline]")
    assert "통합지원회의 결정" in timeline and "연계 방문간호" in timeline

    # The invited partner sees the case, because its client consented to her institution.
    page.click("button:has-text('로그아웃')")
    _login(page, base, "sujin")
    page.goto(f"{base}/meetings/{meeting.pk}/")
    assert "김영숙" in page.inner_text("[data-testid=agenda]")
    assert page.locator("[data-testid=sign]").count() == 0

    assert external == []
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SIGNED and meeting.signed_by == officer
    assert CaseEvent.objects.filter(case=case, type=CaseEventType.MEETING_DECISION).count() == 2
    assert CaseEvent.objects.filter(case=case, type=CaseEventType.REFERRAL_CREATED).count() == 1
    assert AgendaItem.objects.get().service_requests.count() == 2
