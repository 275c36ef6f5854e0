"""Two residents on phone-sized pages (390×844) in Debian's Chromium: one takes the last place of a session,
the next joins the waiting list; the first cancels, and the offer reaches the waiting family, who accepts.
The same pages are then shot at an office PC's 1366×768."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dolbom.programmes.models import Signup, SignupStatus

from .conftest import make_programme, new_phone, open_session, public_signup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp")


def _code(outbox, phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return next(re.search(r"\d{6}", m.text).group(0) for m in reversed(outbox) if m.to == digits and "인증번호" in m.text)


def _sign_up(page, base: str, programme, outbox, phone: str, name: str) -> None:
    page.goto(f"{base}/programmes/p/")
    page.click(f"text={programme.name}")
    page.locator("[data-testid=public-sessions] li a.button").first.click()
    page.fill("#id_name", name)
    page.fill("#id_phone", phone)
    page.select_option("#id_party_size", "3")
    page.check("#id_privacy")
    page.click("[data-testid=signup-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/programmes/p/verify/"))
    assert "010-****-" in page.inner_text("main")
    page.fill("#id_code", _code(outbox, phone))
    page.click("[data-testid=code-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/programmes/p/s/"))


def test_a_family_fills_a_session_the_next_waits_and_gets_the_freed_place(live_server, browser_page, city,
                                                                         message_outbox):
    programme = make_programme(city, capacity=2)
    session = open_session(programme)
    public_signup(session, message_outbox, name="먼저온가족")
    base = live_server.url
    external: list[str] = []
    first = browser_page
    first.set_viewport_size(PHONE)
    first.on("request", lambda r: external.append(r.url) if not r.url.startswith(base) else None)

    # The first resident takes the last place.
    phone_a = new_phone()
    _sign_up(first, base, programme, message_outbox, phone_a, "김하늘")
    status = first.inner_text("[data-testid=signup-status]")
    assert "신청이 확정되었습니다" in status and first.inner_text("[data-testid=checkin-code]").strip()
    assert "김하늘" not in first.content(), "the public page shows no name, not even one's own"
    first.screenshot(path=str(SHOTS / "dolbom-programmes-confirmed-390.png"), full_page=True)

    # A second resident, on another phone: the session is full, she joins the waiting list.
    other = first.context.browser.new_context(viewport=PHONE, locale="ko-KR")
    second = other.new_page()
    second.on("request", lambda r: external.append(r.url) if not r.url.startswith(base) else None)
    second.goto(f"{base}/programmes/p/{programme.pk}/")
    assert "대기 0" in second.inner_text("[data-testid=public-sessions]") or "마감" in second.inner_text(
        "[data-testid=public-sessions]")
    phone_b = new_phone()
    _sign_up(second, base, programme, message_outbox, phone_b, "이바다")
    assert "대기 1번" in second.inner_text("[data-testid=signup-status]")
    second.screenshot(path=str(SHOTS / "dolbom-programmes-waiting-390.png"), full_page=True)

    # The first cancels; the offer reaches the waiting family by text and on her page.
    first.click("[data-testid=cancel]")
    first.wait_for_load_state("load")
    assert "신청이 취소되었습니다" in first.inner_text("main")
    offer = [m for m in message_outbox if m.to == re.sub(r"\D", "", phone_b) and "자리가 났습니다" in m.text]
    assert len(offer) == 1
    link = re.search(r"https?://\S+", offer[0].text).group(0)
    second.goto(base + link[link.index("/programmes/"):])
    assert "자리가 났습니다" in second.inner_text("[data-testid=signup-status]")
    second.screenshot(path=str(SHOTS / "dolbom-programmes-offer-390.png"), full_page=True)
    second.click("[data-testid=accept]")
    second.wait_for_load_state("load")
    assert "신청이 확정되었습니다" in second.inner_text("[data-testid=signup-status]")

    # The same pages at an office PC's size.
    second.set_viewport_size({"width": 1366, "height": 768})
    second.screenshot(path=str(SHOTS / "dolbom-programmes-confirmed-1366.png"), full_page=True)
    second.goto(f"{base}/programmes/p/{programme.pk}/")
    second.screenshot(path=str(SHOTS / "dolbom-programmes-sessions-1366.png"), full_page=True)
    first.goto(f"{base}/programmes/p/{programme.pk}/")
    first.screenshot(path=str(SHOTS / "dolbom-programmes-sessions-390.png"), full_page=True)
    widths = first.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], "nothing overflows the phone's width"
    other.close()

    assert external == []
    statuses = sorted(Signup.objects.filter(session=session).values_list("status", flat=True))
    assert statuses == sorted([SignupStatus.CONFIRMED, SignupStatus.CANCELLED, SignupStatus.CONFIRMED])
    session.refresh_from_db()
    assert session.taken == 2
