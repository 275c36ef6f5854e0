"""One real browser (Debian's Chromium): plan → referral refused without consent → consent → referral →
the partner worker accepts, records a delivery and the completion → the case manager sees it on the timeline."""

from __future__ import annotations

import re

import pytest

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.referrals.models import Referral, ReferralStatus
from dolbom.testing.browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, base, username)  # the password, then the second factor where the role needs it


def test_a_referral_goes_round_the_closed_loop_in_the_browser(live_server, browser_page, manager, partner, case,
                                                              plan_line, nursing_service):
    page, base = browser_page, live_server.url
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(base) else None)

    # The case manager refers from the support plan: refused, the client has not consented yet.
    _login(page, base, "jeongwoo")
    page.goto(f"{base}/cases/{case.pk}/")
    page.click("[data-testid=refer-link]")
    page.wait_for_url(re.compile(r"/referrals/cases/\d+/new/$"))
    form = page.locator("[data-testid=referral-form]")
    form.locator("[name=plan_line]").select_option(str(plan_line.pk))
    form.locator("[name=service]").select_option(str(nursing_service.pk))
    form.locator("[name=note]").fill("주 1회 혈압 관리 부탁드립니다")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "정보 제공에 동의하지 않았습니다" in page.inner_text("[data-testid=referral-error]")
    assert not Referral.objects.exists()

    # Consent to share with that institution, chosen from the directory, then the referral goes through.
    consent = page.locator("[data-testid=share-consent-form]")
    assert consent.locator("[name=institution]").input_value() == "JJ-HN-001"
    consent.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/referrals/cases/\d+/new/$"))
    form = page.locator("[data-testid=referral-form]")
    form.locator("[name=plan_line]").select_option(str(plan_line.pk))
    form.locator("[name=service]").select_option(str(nursing_service.pk))
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/cases/{case.pk}/"))
    assert "의뢰됨" in page.inner_text("[data-testid=case-referrals]")

    # The partner worker sees the client, accepts, records the start, a visit and the completion.
    _login(page, base, "sujin")
    page.click("text=연계 대상자")
    page.locator("[data-testid=partner-referrals]").get_by_role("link", name="김영숙").click()
    client = page.inner_text("[data-testid=referral-client]")
    assert "010-1234-5678" in client and "******" not in page.inner_text("main")
    page.locator('form[data-action="accept"] button[type=submit]').click()
    page.wait_for_load_state("load")
    page.locator('form[data-action="start"] button[type=submit]').click()
    page.wait_for_load_state("load")
    page.locator('form[data-action="delivery"] [name=note]').fill("혈압 130/85, 복약 확인")
    page.locator('form[data-action="delivery"] button[type=submit]').click()
    page.wait_for_load_state("load")
    assert "혈압 130/85" in page.inner_text("[data-testid=referral-activities]")
    page.click("summary:has-text('서비스 종료 기록')")
    page.locator('form[data-action="complete"] [name=outcome]').fill("혈압 안정, 자가 관리 가능")
    page.locator('form[data-action="complete"] button[type=submit]').click()
    page.wait_for_url(f"{base}/referrals/partner/")
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.COMPLETED
    assert AccessLog.objects.filter(actor=partner, action=AccessAction.VIEW, record_type="referral").exists()

    # The case manager sees every step on the case timeline.
    _login(page, base, "jeongwoo")
    page.goto(f"{base}/cases/{case.pk}/")
    events = page.locator("[data-testid=timeline] li").evaluate_all("els => els.map(e => e.dataset.event)")
    assert [e for e in events if e.startswith("referral_")] == [
        "referral_created", "referral_accepted", "referral_started", "referral_delivery", "referral_completed"]
    assert "서비스 종료" in page.inner_text("[data-testid=case-referrals]")
    assert external == []
