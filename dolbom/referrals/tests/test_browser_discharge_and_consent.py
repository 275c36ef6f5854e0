"""The discharge form and the consent-then-referral path in a real browser: the forms a hospital worker and
a case manager fill in every day must be readable, refuse what cannot be right, and never lose work."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from dolbom.referrals.models import DischargeNotice, Referral
from dolbom.registry.models import Consent, ConsentPurpose
from dolbom.testing.browser import log_in, outside_requests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_discharge_form_names_the_areas_and_refuses_a_short_phone_and_a_missing_consent(
        live_server, browser_page, hospital_worker, officer):
    page = browser_page
    external = outside_requests(page, live_server.url)
    log_in(page, live_server.url, "nurse_hp")
    page.goto(f"{live_server.url}/referrals/discharge/")
    form = page.locator("[data-testid=discharge-form]")
    labels = form.locator("[name=area] option").all_inner_texts()
    assert not any("object" in label for label in labels)
    assert any("서신동" in label for label in labels)

    form.locator("[name=name]").fill("박순자")
    form.locator("[name=birth_date]").fill("1950-05-05")
    form.locator("[name=rrn]").fill("500505-2345678")
    form.locator("[name=phone]").fill("010-12")
    form.locator("[name=road_address]").fill("전주시 완산구 서신로 12")
    form.locator("[name=area]").select_option(label=next(label for label in labels if "서신동" in label))
    form.locator("button[type=submit]").click()
    page.wait_for_timeout(300)
    # Unticked, the consent stops the form before it is sent (the box is required); nothing was sent.
    assert form.locator("[name=consent_given]").evaluate("e => e.validity.valueMissing")
    assert not DischargeNotice.objects.exists()

    form.locator("[name=consent_given]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    form = page.locator("[data-testid=discharge-form]")
    phone_error = form.locator(".field", has=page.locator("[name=phone]")).locator(".errorlist")
    assert phone_error.count() == 1 and "전화번호" in phone_error.inner_text()
    assert form.locator("[name=name]").input_value() == "박순자"
    assert form.locator("[name=phone]").input_value() == "010-12"
    assert not DischargeNotice.objects.exists()
    assert external == []


def test_a_consent_time_in_the_future_is_refused(live_server, browser_page, officer, resident):
    page = browser_page
    log_in(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/residents/{resident.pk}/")
    page.fill("#id_purpose", "동의 기록")
    page.click("text=기록 열기")
    page.click("summary:has-text('동의 기록')")
    form = page.locator("#consents form.stack")
    form.locator("[name=given_at]").fill(_local(timezone.now() + dt.timedelta(days=2)))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "동의를 기록했습니다" not in page.inner_text("main")
    field = page.locator("#consents .field", has=page.locator("[name=given_at]"))
    assert "미래" in field.locator(".errorlist").inner_text()
    assert not Consent.objects.filter(resident=resident).exists()


def test_a_refused_referral_says_which_consent_is_not_yet_in_force(
        live_server, browser_page, officer, manager, case, plan_line, nursing, nursing_service):
    # A consent recorded before future times were refused, to start tomorrow: not in force today.
    Consent.objects.create(resident=case.resident, purpose=ConsentPurpose.INFORMATION_SHARING, recipient=nursing.name,
                           recipient_code=nursing.code, given_at=timezone.now() + dt.timedelta(days=1),
                           recorded_by=officer)
    page = browser_page
    log_in(page, live_server.url, "jeongwoo")
    page.goto(f"{live_server.url}/referrals/cases/{case.pk}/new/")
    form = page.locator("[data-testid=referral-form]")
    form.locator("[name=service]").select_option(str(nursing_service.pk))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    error = page.inner_text("[data-testid=referral-error]")
    assert "전주 방문간호센터" in error
    assert "아직" in error and (timezone.localdate() + dt.timedelta(days=1)).isoformat() in error
    assert not Referral.objects.exists()


def test_recording_the_consent_keeps_the_half_filled_referral(
        live_server, browser_page, manager, case, plan_line, nursing, nursing_service):
    page = browser_page
    log_in(page, live_server.url, "jeongwoo")
    page.goto(f"{live_server.url}/referrals/cases/{case.pk}/new/")
    form = page.locator("[data-testid=referral-form]")
    form.locator("[name=plan_line]").select_option(str(plan_line.pk))
    form.locator("[name=service]").select_option(str(nursing_service.pk))
    form.locator("[name=note]").fill("주 1회 혈압 관리 부탁드립니다")
    form.locator("[name=due_days]").fill("5")

    page.click("summary:has-text('정보 제공 동의 기록')")
    consent = page.locator("[data-testid=share-consent-form]")
    consent.locator("[name=institution]").select_option(nursing.code)
    consent.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/referrals/cases/\d+/new/$"))

    assert "정보 제공 동의를 기록했습니다" in page.inner_text(".messages")
    form = page.locator("[data-testid=referral-form]")
    assert form.locator("[name=plan_line]").input_value() == str(plan_line.pk)
    assert form.locator("[name=service]").input_value() == str(nursing_service.pk)
    assert form.locator("[name=note]").input_value() == "주 1회 혈압 관리 부탁드립니다"
    assert form.locator("[name=due_days]").input_value() == "5"
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/cases/{case.pk}/"))
    referral = Referral.objects.get()
    assert referral.note == "주 1회 혈압 관리 부탁드립니다" and referral.plan_line_id == plan_line.pk
