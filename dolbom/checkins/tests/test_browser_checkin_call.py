"""One real browser: a case manager enrols a client, plays a call in which the client mentions a fall,
sees the signals and the alert, and acknowledges it. Runs on the trained risk-signal analyser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dolbom.cases.models import CaseEventType
from dolbom.checkins.models import Alert, AlertStatus
from dolbom.checkins.risk import analyse_utterance
from dolbom.testing import personas
from dolbom.testing.browser import log_in

SCREENSHOT = Path("/tmp/dolbom-checkin-call.png")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.real_signals,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _say(page, text: str) -> None:
    turns = page.locator("[data-testid=transcript] > div")
    before = turns.count()
    page.fill("#id_text", text)
    page.locator("[data-testid=say-form] button[type=submit]").click()
    # The caller's answer is the second new line (a locator wait: the CSP forbids wait_for_function's eval).
    turns.nth(before + 1).wait_for(timeout=60_000)


def test_a_case_manager_enrols_plays_a_call_with_a_fall_and_acknowledges_the_alert(
        live_server, browser_page, officer, manager, resident):
    case = personas.open_case(officer, resident, manager=manager)
    # Load the morphological analyser and the model before the clock of the first turn starts.
    analyse_utterance("네")
    page = browser_page
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)

    log_in(page, live_server.url, "jeongwoo")  # the password, then the second factor (issue 18)
    page.click("header >> text=안부전화")
    page.click("text=등록 대상자")

    form = page.locator("[data-testid=enrol-form]")
    form.locator("[name=case]").select_option(str(case.pk))
    form.locator("[name=weekday]").select_option("2")
    form.locator("[name=preferred_name]").fill("영숙")
    form.locator("[name=honorific]").fill("어르신")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/checkins/enrolments/\d+/$"))
    assert page.inner_text("[data-testid=enrolment-status]") == "진행 중"

    page.click("[data-testid=call-now]")
    page.wait_for_url(re.compile(r"/checkins/calls/\d+/$"))
    page.click("[data-testid=call-start]")
    page.wait_for_selector("[data-testid=say-form]")
    assert "안녕하세요, 영숙 어르신" in page.inner_text("[data-testid=transcript]")

    _say(page, "네, 괜찮아요")
    _say(page, "어제 화장실에서 넘어졌는데 혼자 못 일어나겠어요")
    transcript = page.inner_text("[data-testid=transcript]")
    assert "119" in transcript and "어디에 계세요" in transcript
    assert page.locator("[data-testid=transcript] [data-signal=emergency]").count() == 1
    assert "응급" in page.inner_text("[data-testid=call-alerts]")

    _say(page, "집이에요")
    page.click("[data-testid=hang-up]")
    page.wait_for_selector("[data-testid=call-result]")
    assert page.locator("[data-call-signal=emergency]").count() == 1
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.click("text=경보 목록")
    alert_card = page.locator("[data-testid=alert]").filter(has_text="응급")
    assert "넘어졌는데" in alert_card.inner_text()
    alert_card.locator("[data-testid=acknowledge]").click()
    page.wait_for_load_state("load")
    assert page.locator("[data-testid=alert][data-status=acknowledged]").filter(has_text="응급").count() == 1

    alert = Alert.objects.get(case=case, kind="emergency")
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == manager
    types = set(case.events.values_list("type", flat=True))
    assert {CaseEventType.CHECKIN_ENROLLED, CaseEventType.CHECKIN_CALL, CaseEventType.CHECKIN_ALERT} <= types
    assert external == []
