"""The emergency worker's board in a real browser: a button press arrives while the page is open and shows
without reloading; one click logs the phone call."""

from __future__ import annotations

from pathlib import Path

import pytest

from dolbom.safety.models import Incident, IncidentStatus, LogKind
from dolbom.safety.tests.conftest import ingest, payload
from dolbom.testing.personas import PASSWORD

SCREENSHOT = Path("/tmp/dolbom-safety-board.png")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_new_alarm_appears_on_the_open_board_and_one_click_logs_the_call(live_server, browser_page, worker, home):
    page = browser_page
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "bora")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/safety/")
    page.wait_for_selector("[data-testid=no-incident]")
    url = page.url

    ingest(payload("button"))  # the gateway's event, while the page stays open
    page.wait_for_selector("[data-testid=incident][data-severity='1']", timeout=10_000)
    assert page.url == url
    assert "김영숙" in page.inner_text("[data-testid=incident]")

    page.click("[data-testid=incident] [data-testid=phone_call]")
    page.wait_for_selector("[data-testid=incident][data-status=acknowledged]")
    incident = Incident.objects.get()
    assert incident.status == IncidentStatus.ACKNOWLEDGED
    assert incident.log.filter(kind=LogKind.PHONE_CALL).count() == 1
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert external == []
