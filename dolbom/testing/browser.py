"""The real-browser fixture: Debian's Chromium driven by Playwright, at an office PC's 1366×768.

Use it with ``pytest.mark.browser`` and ``pytest.mark.django_db(transaction=True, serialized_rollback=True)``
plus pytest-django's ``live_server``. Without /usr/bin/chromium the test skips and says why.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def chromium():
    """One Chromium for a test module (starting it costs about a second on a busy machine); each test gets
    its own context (``browser_page``), so no cookie, storage or viewport leaks from one test to the next."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
    # itself (fixtures, assertions) are still synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="ko-KR")
    page = context.new_page()
    # Generous waits: the suite shares two cores, and a wait ends as soon as its selector or URL is there.
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(60_000)
    yield page
    context.close()


def log_in(page, base_url: str, username: str, password: str | None = None) -> None:
    """Log in through the login page, as a person would, and wait for the dashboard.

    Every click that leaves a page waits for the page it leads to (not for a fixed time, and not for a
    load state that the old page may still report): under load the redirect to the second factor can
    come after a plain ``wait_for_load_state`` has already returned."""
    from dolbom.testing.personas import PASSWORD

    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    if "/login/" in page.url:
        errors = page.locator(".errorlist, .alert-error").all_inner_texts()
        raise AssertionError(f"{username} could not sign in: {errors}")
    second_factor(page, base_url, username)
    page.wait_for_url(f"{base_url}/")
    page.wait_for_selector("#main")


def second_factor(page, base_url: str, username: str) -> None:
    """After the password, the second factor where the role needs it, as a person would answer it: at the
    first sign-in the enrolment page (its key read off the page, as from the phone that scanned it), the
    recovery codes page after it; later the code of the app (dolbom/testing/second_factor.py)."""
    from django.contrib.auth.models import User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dolbom.testing.second_factor import current_code

    user = User.objects.get(username=username)
    if "/account/second-factor/enrol/" in page.url:
        page.fill("#id_code", current_code(TOTPDevice.objects.get(user=user, confirmed=False)))
        with page.expect_navigation():
            page.click("form.stack button[type=submit]")
        page.wait_for_selector("[data-testid=recovery-codes]")
        with page.expect_navigation():
            page.click("a.button")
    elif "/account/second-factor/" in page.url:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        # A code is good once (django-otp refuses a time step already used): signing in again within the same
        # 30 seconds, a person waits for the app's next code, and so does the test.
        elapsed = time.time() - device.t0
        if device.last_t >= elapsed // device.step:
            time.sleep(device.step - elapsed % device.step + 0.2)
        page.fill("#id_code", current_code(device))
        with page.expect_navigation():
            page.click("form.stack button[type=submit]")


def outside_requests(page, base_url: str) -> list[str]:
    """Every request the page makes to another origin (none may happen: no CDN)."""
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(base_url) else None)
    return external


def chat_say(page, text: str) -> None:
    """Play the client on the check-in chat page: type a line, send it, wait for the caller's answer."""
    turns = page.locator("[data-testid=transcript] > div")
    before = turns.count()
    page.fill("#id_text", text)
    page.locator("[data-testid=say-form] button[type=submit]").click()
    # The caller's answer is the second new line (no wait_for_function: the CSP forbids eval).
    turns.nth(before + 1).wait_for()
