"""The inspector fills an inspection on the tablet with the network cut, and it arrives once when the
network is back; a session that ended meanwhile asks for a new login and loses nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from dolbom.inspections.models import AtpReading, CorrectiveAction, Inspection, InspectionStatus
from dolbom.inspections.selectors import current_template

SCREENSHOT = Path("/tmp/dolbom-inspections-field.png")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _sign_in(context, user, base_url: str) -> None:
    """A signed-in session for the browser (the login form is the web app's, tested there)."""
    c = Client()
    c.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": base_url}])


def _until(page, expression: str, seconds: float = 15) -> None:
    """Wait for a JavaScript condition by evaluating it (the page's CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def _open_field_page(page, base_url: str) -> None:
    page.goto(f"{base_url}/inspections/field/")
    page.wait_for_selector("[data-testid=field][data-ready='1']", timeout=30_000)
    # The service worker is installed, holds the page and its files, and controls the page.
    assert page.evaluate("navigator.serviceWorker.ready.then(r => Boolean(r.active))")
    _until(page, "Boolean(navigator.serviceWorker.controller)")


def _fill_checklist(page, *, fridge: str) -> None:
    for item in current_template().items.all():
        if item.answer_kind == "measured":
            value = fridge if item.code == "fridge_temperature" else str(
                item.limit_value - 3 if item.limit_op == "le" else item.limit_value + 5)
            field = page.locator(f"[data-testid=value-{item.code}]")
            field.fill(value)
            field.press("Tab")
        else:
            page.click(f"[data-testid=ans-{item.code}-yes]")


def test_an_inspection_filled_offline_arrives_once_with_its_atp_readings_and_action(
        live_server, browser_page, inspector, facility, hygiena):
    page, context = browser_page, browser_page.context
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    _sign_in(context, inspector, live_server.url)
    _open_field_page(page, live_server.url)

    context.set_offline(True)
    page.reload()  # the page opens without network, from the worker's cache
    page.wait_for_selector("[data-testid=field][data-ready='1']", timeout=30_000)
    assert page.evaluate("navigator.onLine") is False
    assert "오프라인" in page.inner_text("[data-testid=net-status]")

    page.select_option("[data-testid=start-facility]", str(facility.pk))
    page.click("[data-testid=start-button]")
    _fill_checklist(page, fridge="12.5")
    assert "부적합" in page.inner_text("[data-testid=item-fridge_temperature]")
    # The cutting board fails its swab, is cleaned again and passes; the cook's hands pass at once.
    page.select_option("[data-testid=atp-instrument]", str(hygiena.pk))
    page.select_option("[data-testid=atp-surface]", "cutting_board")
    page.fill("[data-testid=atp-rlu]", "48")
    page.click("[data-testid=atp-add]")
    assert page.get_attribute("[data-testid=atp-row]", "data-result") == "fail"
    page.click("[data-testid=atp-retest]")
    page.fill("[data-testid=atp-rlu]", "6")
    page.click("[data-testid=atp-add]")
    page.select_option("[data-testid=atp-surface]", "hands")
    page.fill("[data-testid=atp-rlu]", "9")
    page.click("[data-testid=atp-add]")
    assert [page.locator("[data-testid=atp-row]").nth(k).get_attribute("data-result") for k in range(3)] == [
        "fail", "pass", "pass"]
    page.select_option("[data-testid=action-item]", "fridge_temperature")
    page.fill("[data-testid=action-description]", "냉장고 온도를 10도 이하로 조정")
    page.fill("[data-testid=action-owner]", "조리원 김순자")
    page.click("[data-testid=action-add]")
    page.click("[data-testid=submit-button]")
    assert "전송 대기" in page.inner_text("[data-testid=editor-state]")
    assert Inspection.objects.count() == 0  # nothing reached the server

    # Still offline, the tablet is reloaded: the inspection is kept on it.
    page.reload()
    page.wait_for_selector("[data-testid=field][data-ready='1']", timeout=30_000)
    assert page.locator("[data-testid=local-inspection]").count() == 1
    assert "전송 대기" in page.inner_text("[data-testid=local-state]")

    context.set_offline(False)  # back in signal: the page sends by itself
    page.wait_for_selector("[data-testid=local-state]:has-text('전송·종결 완료')", timeout=30_000)
    page.click("[data-testid=sync-button]")  # a second sync, by hand
    page.wait_for_selector("[data-testid=pending-count]:has-text('0')")

    inspection = Inspection.objects.get()
    assert inspection.status == InspectionStatus.CLOSED and inspection.facility_id == facility.pk
    assert sorted(AtpReading.objects.values_list("surface", "result")) == [
        ("cutting_board", "fail"), ("cutting_board", "pass"), ("hands", "pass")]
    assert AtpReading.objects.get(rlu=6).retest_of.rlu == 48
    action = CorrectiveAction.objects.get()
    assert (action.item.code, action.owner) == ("fridge_temperature", "조리원 김순자")
    assert inspection.sync_count == 1

    page.goto(f"{live_server.url}/inspections/list/")  # the office sees it
    assert page.locator("[data-testid=inspection-row]").count() == 1
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert external == []


def test_a_session_that_ended_offline_asks_for_a_new_login_and_keeps_the_inspection(
        live_server, browser_page, inspector, facility):
    page, context = browser_page, browser_page.context
    _sign_in(context, inspector, live_server.url)
    _open_field_page(page, live_server.url)
    context.set_offline(True)
    page.select_option("[data-testid=start-facility]", str(facility.pk))
    page.click("[data-testid=start-button]")
    page.click("[data-testid=ans-retained_sample-yes]")
    page.click("[data-testid=ans-no_expired_food-no]")
    page.click("[data-testid=back-button]")

    context.clear_cookies()  # the session ended while the tablet had no signal
    context.set_offline(False)
    page.wait_for_selector("[data-testid=login-banner]:not(.hidden)", timeout=30_000)
    assert Inspection.objects.count() == 0
    assert "전송 대기" in page.inner_text("[data-testid=local-state]")

    page.click("[data-testid=login-link]")
    page.wait_for_url("**/login/?next=/inspections/field/")
    _sign_in(context, inspector, live_server.url)  # signed in again
    page.goto(f"{live_server.url}/inspections/field/")
    page.wait_for_selector("[data-testid=local-state]:has-text('전송 완료')", timeout=30_000)
    inspection = Inspection.objects.get()
    assert inspection.status == InspectionStatus.IN_PROGRESS
    assert inspection.answers.get(item__code="no_expired_food").compliant is False
