"""The meeting page's forms by keyboard and with a second thought, in a real browser: signing the minutes asks
first, the attendee list of forty names can be filtered, services to add are check boxes."""

from __future__ import annotations

import pytest

from dolbom.accounts.models import Role
from dolbom.meetings import services
from dolbom.meetings.models import Meeting, MeetingStatus
from dolbom.referrals.models import Institution, Service
from dolbom.testing import personas
from dolbom.testing.browser import log_in

from .conftest import NURSING_CODE, NURSING_NAME

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_signing_the_minutes_asks_for_confirmation(live_server, browser_page, officer, meeting):
    services.minutes_write(actor=officer, meeting=meeting, minutes="안건 없음. 다음 회의 일정 확인.")
    page = browser_page
    log_in(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    asked: list[str] = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("[data-testid=sign]")
    page.wait_for_timeout(300)
    assert asked and "서명" in asked[0]
    assert Meeting.objects.get(pk=meeting.pk).status != MeetingStatus.SIGNED
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=sign]")
    page.wait_for_selector("[data-testid=signed]")
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SIGNED


def test_the_attendee_list_can_be_filtered_and_chosen_by_keyboard(live_server, browser_page, officer, meeting):
    for k in range(40):
        personas.make_staff(f"staff{k:02d}", f"직원{k:02d}", Role.DONG_OFFICER, "서신동")
    target = personas.make_staff("bora", "홍보라", Role.CASE_MANAGER, "서신동")
    page = browser_page
    log_in(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    search = page.locator("#attendees [data-filter-for]")
    search.focus()
    page.keyboard.type("홍보")
    visible = page.locator("#id_att_user option:not([hidden])").all_inner_texts()
    assert len(visible) == 1 and "홍보라" in visible[0]
    # Tab into the list: the only match is chosen, and the form is sent with the keyboard alone.
    page.keyboard.press("Tab")
    assert page.locator("#id_att_user").input_value() == str(target.pk)
    page.select_option("#id_att_member_kind", "health_centre_dong_staff")
    page.locator("#attendees button[type=submit]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "홍보라" in page.inner_text("[data-testid=attendees]")


def test_services_to_add_are_check_boxes(live_server, browser_page, officer, meeting, item):
    institution = Institution.objects.create(code=NURSING_CODE, name=NURSING_NAME, kind="home_nursing_agency")
    service = Service.objects.create(institution=institution, code="SV-HN-1", name="방문간호", category_code="A02",
                                     citywide=True)
    page = browser_page
    log_in(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/agenda/{item.pk}/")
    assert page.locator("select[name=services]").count() == 0
    box = page.locator(f"input[type=checkbox][name=services][value='{service.pk}']")
    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()
