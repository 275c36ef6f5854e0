"""The registry as a dong office uses it, in a real browser: a mistyped registration number is said to be
mistyped (not "nobody found"), a new resident and household are registered, and a change of phone and of
address keeps what was there before, with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q

from dolbom.areas.models import BoundaryArea
from dolbom.registry.models import RegistryChange, Resident
from dolbom.testing import personas
from dolbom.testing.browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _search(page, text: str) -> str:
    page.fill("#id_q", text)
    with page.expect_response(lambda r: "/residents/" in r.url and r.request.method == "POST"):
        page.press("#id_q", "Enter")
    return page.inner_text("#results")


def test_a_mistyped_number_is_named_and_a_registered_resident_keeps_the_history_of_changes(
        live_server, browser_page, officer, resident):
    page = browser_page
    log_in(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/residents/")
    # One digit off (the check digit no longer matches): a mistake, not an unknown person.
    mistyped = resident.rrn_plain()[:-1] + str((int(resident.rrn_plain()[-1]) + 1) % 10)
    results = _search(page, mistyped)
    assert "주민등록번호가 올바르지 않습니다" in results
    assert page.locator("[data-testid=no-results]").count() == 0

    # Register a person into a new household, as a walk-in applicant would be.
    page.click("[data-testid=register-link]")
    page.wait_for_selector("[data-testid=register-form]")
    rrn = personas.make_rrn(dt.date(1952, 4, 9), "M")
    page.fill("#id_name", "박상철")
    page.fill("#id_rrn", rrn)
    page.fill("#id_phone", "010-2345-6789")
    page.fill("#id_road_address", "전주시 완산구 서신로 25")
    page.select_option("#id_area", str(BoundaryArea.objects.get(name="서신동").pk))
    with page.expect_navigation():
        page.click("[data-testid=register-form] button[type=submit]")
    registered = Resident.objects.get(name="박상철")
    assert page.url.rstrip("/").endswith(f"/residents/{registered.pk}")
    assert "등록했습니다" in page.inner_text(".messages")
    assert registered.dong.name == "서신동" and registered.is_older

    # A new phone number, then a new address in the same dong: each with its reason, the old value kept.
    page.click("#change-details summary")
    page.fill("#id_details_phone", "010-9876-5432")
    page.fill("#id_details_reason", "본인 요청으로 번호 변경")
    with page.expect_navigation():
        page.click("[data-testid=details-form] button[type=submit]")
    page.click("#move-household summary")
    page.fill("#id_move_road_address", "전주시 완산구 서신로 40")
    page.select_option("#id_move_area", str(BoundaryArea.objects.get(name="서신동").pk))
    page.fill("#id_move_reason", "같은 동 안에서 이사")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("[data-testid=move-form] button[type=submit]")
    history = page.inner_text("#history")
    assert "010-2345-6789 → 010-9876-5432" in history
    assert "전주시 완산구 서신로 25 → 전주시 완산구 서신로 40" in history
    assert "본인 요청으로 번호 변경" in history and "같은 동 안에서 이사" in history
    # The registration, the phone, the move: one row each.
    assert RegistryChange.objects.filter(Q(resident=registered) | Q(household=registered.household)).count() == 3
