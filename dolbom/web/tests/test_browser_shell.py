"""The shell every page shares, in a real browser: a skip link first, the menu folded on a phone with nothing
wider than the screen, the header's bell counting what needs the person and sounding a tone for a new high
alert (unless muted), a favicon."""

from __future__ import annotations

import pytest

from dolbom.checkins.models import Alert
from dolbom.testing import personas
from dolbom.testing.browser import log_in
from dolbom.web.services import notification_settings_update

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _overflow(page) -> int:
    """How far the page scrolls sideways, with every folded section opened (a form inside one counts)."""
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _tab_to(page, selector: str, most: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus, as a keyboard user would."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} is not reached with the Tab key")


def test_the_keyboard_alone_skips_to_the_content_and_records_a_step(live_server, browser_page, officer, resident):
    case = personas.case_in_service(officer, resident)
    page = browser_page
    log_in(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.wait_for_selector("[data-testid=case-status]")
    # The first Tab stop is the skip link; Enter on it puts the focus on the page's content.
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.innerText]")
    assert focused == ["skip-link", "본문 바로가기"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # From there, Tab reaches the follow-up's note; typing and Enter on its button record the step.
    _tab_to(page, "form[data-step=follow_up] [name=note]")
    page.keyboard.type("전화로 안부 확인, 서비스 만족")
    _tab_to(page, "form[data-step=follow_up] button[type=submit]", most=5)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "저장했습니다" in page.inner_text(".messages")
    assert case.follow_ups.get().note == "전화로 안부 확인, 서비스 만족"

    # The favicon comes from the app (no outside request, no 404 in the log).
    icon = page.get_attribute("link[rel=icon][type='image/svg+xml']", "href")
    assert icon.startswith("/static/")
    assert page.request.get(f"{live_server.url}{icon}").status == 200
    ico = page.request.get(f"{live_server.url}/favicon.ico")
    assert ico.status == 200 and ico.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")


def test_on_a_phone_the_menu_folds_and_no_page_is_wider_than_the_screen(live_server, browser_page, officer,
                                                                       resident):
    case = personas.case_in_service(officer, resident)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "minji")
    nav = page.locator("#site-nav")
    assert not nav.is_visible()
    page.click(".nav-toggle")
    assert nav.is_visible() and page.get_attribute(".nav-toggle", "aria-expanded") == "true"
    assert nav.locator("a", has_text="사례").is_visible()
    page.keyboard.press("Escape")
    assert not nav.is_visible()
    for path in ("/", f"/cases/{case.pk}/", "/cases/", f"/residents/{resident.pk}/", "/residents/new/",
                 "/visits/plan/", "/checkins/", "/meetings/", "/referrals/"):
        page.goto(f"{live_server.url}{path}")
        purpose = page.locator("input#id_purpose[list=purpose-list]")
        if purpose.count():
            purpose.fill("상담 준비")
            with page.expect_navigation():
                page.click("main button[type=submit]")
        assert page.locator("#site-nav").is_hidden(), path
        assert _overflow(page) <= 0, path


def test_the_bell_counts_new_high_alerts_and_rings_unless_muted(live_server, browser_page, officer, manager,
                                                                 resident):
    from dolbom.checkins import services
    from dolbom.checkins.tests.conftest import enrol

    case = personas.open_case(officer, resident, manager=manager)
    enrolment = enrol(manager, case)
    page = browser_page
    log_in(page, live_server.url, "jeongwoo")
    page.evaluate("window.dolbom.notifyPoll()")
    assert page.locator("[data-testid=bell-count]").is_hidden()
    beeps = page.evaluate("window.dolbom.beeps")

    # A fall on a call: one high alert, unacknowledged.
    call = services.call_now(actor=manager, enrolment=enrolment)
    services.call_start(actor=manager, call=call)
    services.call_reply(actor=manager, call=call, text="어제 넘어졌는데 혼자 못 일어나겠어요")
    assert Alert.objects.filter(severity="high").count() == 1
    page.evaluate("window.dolbom.notifyPoll()")
    assert page.inner_text("[data-testid=bell-count]") == "1"
    assert page.evaluate("window.dolbom.beeps") == beeps + 1
    # The same alert again is no new alert: no second tone.
    page.evaluate("window.dolbom.notifyPoll()")
    assert page.evaluate("window.dolbom.beeps") == beeps + 1

    # Muted: a second high alert is counted, silently.
    notification_settings_update(actor=manager, mute_sound=True)
    services.call_hang_up(actor=manager, call=call)
    other = personas.make_resident(officer, name="이순자")
    second = enrol(manager, personas.open_case(officer, other, manager=manager))
    call = services.call_now(actor=manager, enrolment=second)
    services.call_start(actor=manager, call=call)
    services.call_reply(actor=manager, call=call, text="넘어졌어요 못 일어나겠어요")
    page.evaluate("window.dolbom.notifyPoll()")
    assert page.inner_text("[data-testid=bell-count]") == "2"
    assert page.evaluate("window.dolbom.beeps") == beeps + 1
    assert page.inner_text("[data-testid=mute]") == "알림음 끔"

    page.click("[data-testid=bell]")
    assert "확인하지 않은 긴급 안부전화 경보" in page.inner_text("[data-testid=notification-list]")
