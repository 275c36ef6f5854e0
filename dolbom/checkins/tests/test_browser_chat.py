"""The check-in chat page as a case manager plays a call, in a real browser: the newest line is in view, one
fall is one incident with one alert listing its signals, the caller never says the same line twice in a
row, never recalls an ailment the client did not mention, and addresses the client by sex and name."""

from __future__ import annotations

import datetime as dt

import pytest

from dolbom.checkins import services
from dolbom.checkins.demo import play_script
from dolbom.checkins.models import Alert
from dolbom.checkins.risk import SIGNALS, Analysis
from dolbom.checkins.tests.conftest import enrol
from dolbom.testing import personas
from dolbom.testing.browser import chat_say, log_in, outside_requests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _start(page, live_server, enrolment) -> None:
    page.goto(f"{live_server.url}/checkins/enrolments/{enrolment.pk}/")
    page.click("[data-testid=call-now]")
    page.click("[data-testid=call-start]")
    page.wait_for_selector("[data-testid=say-form]")


def _caller_lines(page) -> list[str]:
    return page.locator("[data-testid=transcript] > div[data-role=system]").evaluate_all(
        "els => els.map(e => e.innerText.split('\\n').slice(1).join(' ').trim())")


def test_a_fall_is_one_alert_listing_its_signals_the_chat_shows_the_newest_line_and_never_repeats_a_line(
        live_server, browser_page, manager, enrolment):
    page = browser_page
    external = outside_requests(page, live_server.url)
    log_in(page, live_server.url, "jeongwoo")
    _start(page, live_server, enrolment)
    chat_say(page, "네, 괜찮아요")
    chat_say(page, "어제 넘어졌는데 무릎이 아파요")
    for line in ("집이에요", "네", "네", "네", "네"):
        chat_say(page, line)
    at_bottom = page.evaluate("""() => { const t = document.querySelector('[data-testid=transcript]');
        return t.scrollHeight > t.clientHeight && t.scrollTop + t.clientHeight >= t.scrollHeight - 4; }""")
    assert at_bottom
    lines = _caller_lines(page)
    assert all(a != b for a, b in zip(lines, lines[1:], strict=False)), lines

    page.click("[data-testid=hang-up]")
    page.wait_for_selector("[data-testid=call-result]")
    alerts = list(Alert.objects.filter(case=enrolment.case))
    assert len(alerts) == 1
    assert alerts[0].kind == "emergency" and alerts[0].severity == "high"
    assert "응급" in alerts[0].excerpt and "건강" in alerts[0].excerpt
    assert page.locator("[data-testid=call-alerts]").inner_text().count("(") == 1
    assert external == []


def test_the_caller_never_recalls_an_ailment_the_client_did_not_mention(live_server, browser_page, monkeypatch,
                                                                        manager, enrolment):
    from dolbom.checkins.services import analysis

    said = "병원 예약을 기다리는 게 힘들고 요즘 속상해서 눈물이 나요"

    def analyse(text: str, previous_caller_line: str | None = None) -> Analysis:
        signals: dict = {k: None for k in SIGNALS}
        evidence: dict = {k: [] for k in SIGNALS}
        if "속상" in text:
            signals["health"], evidence["health"] = "medium", ["기다리는 게 힘들고 요즘 속상해서 눈물이 나요"]
        return Analysis(signals=signals, evidence=evidence, needs_followup=bool(signals["health"]))

    monkeypatch.setattr(analysis, "analyse_utterance", analyse)
    call, result = play_script(manager, enrolment, ["네", said, "네", "네", "네", "네", "네", "네"])
    if not result.ended:
        services.call_hang_up(actor=manager, call=call)
    page = browser_page
    log_in(page, live_server.url, "jeongwoo")
    _start(page, live_server, enrolment)
    chat_say(page, "네")
    asked = " ".join(_caller_lines(page))
    for invented in ("다리가", "속이 안 좋", "눈이 불편", "이가 아프"):
        assert invented not in asked
    assert "속상" in asked  # what the client did say is what the caller quotes


@pytest.mark.parametrize(("birth", "sex", "honorific", "expected", "never"), [
    (dt.date(1960, 4, 2), "M", "할머니", "철수 어르신", "할머니"),
    (dt.date(1986, 4, 2), "F", "어르신", "영희 님", "어르신"),
])
def test_the_caller_addresses_the_client_by_sex_age_and_preferred_name(
        live_server, browser_page, officer, manager, birth, sex, honorific, expected, never):
    client = personas.make_resident(officer, name="김철수" if sex == "M" else "이영희", birth=birth, sex=sex)
    case = personas.open_case(officer, client, manager=manager)
    enrolment = enrol(manager, case, preferred_name="철수" if sex == "M" else "영희", honorific=honorific)
    page = browser_page
    log_in(page, live_server.url, "jeongwoo")
    _start(page, live_server, enrolment)
    greeting = _caller_lines(page)[0]
    assert expected in greeting and never not in greeting
