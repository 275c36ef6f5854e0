"""The sign-in in a real browser (Chromium): password, enrolment of the authenticator app with its QR code,
recovery codes, then pages that run under the strict Content-Security-Policy without one violation."""

from __future__ import annotations

import os

import pytest

from dolbom.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = os.environ.get("DOLBOM_SCREENSHOTS", "")


def test_an_officer_enrols_at_first_sign_in_and_no_page_breaks_the_policy(officer, resident, live_server, browser_page):
    page = browser_page
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "minji")
    page.fill("#id_password", "dolbom-test-1234")
    page.click("button[type=submit]")
    page.wait_for_url("**/account/second-factor/enrol/**")
    assert page.locator("[data-testid=totp-qr] svg").count() == 1
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/enrol-1366.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=f"{SHOTS}/enrol-390.png", full_page=True)
        page.set_viewport_size({"width": 1366, "height": 768})
    page.context.clear_cookies()
    log_in(page, live_server.url, "minji")  # enrols through the page, as above, and reaches the dashboard
    for path in ("/residents/", f"/residents/{resident.pk}/", "/account/security/", "/cases/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/residents/")
    page.fill("#id_q", "김영숙")
    page.wait_for_selector("[data-testid=search-results]")
    # The language switch works by script from this origin (no inline handler).
    page.select_option("#lang-select", "en")
    # The switch reloads the page; wait for the English heading rather than for a load that may be the old one.
    page.locator("h1", has_text="Resident search").wait_for()
    assert "Resident search" in page.inner_text("h1")
    assert violations == []
