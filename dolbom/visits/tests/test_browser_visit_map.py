"""The visit map as a team leader reads it in the morning, in a real browser: it opens on the day's visits,
pans and zooms with the mouse or the keyboard, draws the dongs of the plan's date, labels each stop and
shows one marker for two visits at one address; the solver's time limit is not on the form."""

from __future__ import annotations

import re

import pytest

from dolbom.testing import personas
from dolbom.testing.browser import log_in, outside_requests
from dolbom.visits import services
from dolbom.visits.models import Visit, VisitStatus
from dolbom.visits.tests.conftest import household_at, make_visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _view_box(page) -> list[float]:
    return [float(v) for v in page.get_attribute("[data-testid=visit-map]", "viewBox").split()]


@pytest.fixture
def planned_day(officer, nurse_worker, today):
    home = household_at(officer, 127.1100, 35.8235)
    resident = personas.make_resident(officer, household=home)
    case = personas.open_case(officer, resident)
    # Two visits to one client at one address on the same day (nursing and a medical visit).
    make_visit(officer, home, due_on=today, case=case, minutes=20)
    make_visit(officer, home, due_on=today, case=case, minutes=20)
    for k in range(3):
        make_visit(officer, household_at(officer, 127.104 + 0.004 * k, 35.820 + 0.002 * k), due_on=today, minutes=20)
    services.visits_plan(actor=officer, date=today, time_limit=1.0)
    return case


def test_the_map_opens_on_the_days_visits_pans_zooms_and_labels_the_stops(live_server, browser_page, planned_day,
                                                                          today):
    page = browser_page
    external = outside_requests(page, live_server.url)
    log_in(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/visits/plan/?date={today.isoformat()}")
    page.wait_for_selector("[data-testid=map-stop]")

    # The solver's time limit is the server's setting, not a field of the form.
    assert page.locator("[data-testid=plan-form] [name=time_limit]").count() == 0

    # Zoomed to the day's visits, not the whole city (900 units wide).
    x, y, w, h = _view_box(page)
    assert w < 450 and h < 450

    # Four stops for five visits: the two at one address share one marker, labelled with both numbers.
    stops = page.locator("[data-testid=map-stop]")
    assert stops.count() == 4
    shared = page.locator("[data-testid=map-stop][data-visits='2']")
    assert shared.count() == 1
    label = shared.text_content()
    assert re.search(r"\d+·\d+", label) and "김영숙" in label
    assert re.search(r"\d{2}:\d{2}", label)

    # Zoom in with the button, out with the keyboard, pan with the arrow keys.
    page.click("[data-testid=map-zoom-in]")
    assert _view_box(page)[2] < w
    page.focus("[data-testid=visit-map]")
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert _view_box(page)[2] > w
    before = _view_box(page)
    page.keyboard.press("ArrowRight")
    assert _view_box(page)[0] > before[0]
    page.click("[data-testid=map-reset]")
    assert _view_box(page) == pytest.approx([x, y, w, h], abs=0.5)
    assert external == []


def test_the_map_draws_the_dongs_valid_on_the_plans_date(live_server, browser_page, officer):
    page = browser_page
    log_in(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/visits/plan/?date=2025-03-01")
    assert page.locator("[data-testid=visit-map] path.dong").count() == 35
    names = page.locator("[data-testid=visit-map] path.dong").evaluate_all("els => els.map(e => e.dataset.dong)")
    assert "금암1동" in names and "금암동" not in names
    page.goto(f"{live_server.url}/visits/plan/?date=2025-03-10")
    assert page.locator("[data-testid=visit-map] path.dong").count() == 34
    names = page.locator("[data-testid=visit-map] path.dong").evaluate_all("els => els.map(e => e.dataset.dong)")
    assert "금암동" in names and "금암1동" not in names


def test_marking_a_visit_done_asks_for_confirmation(live_server, browser_page, officer, nurse, nurse_worker, today):
    visit = make_visit(officer, household_at(officer, 127.11, 35.82), due_on=today)
    services.visits_plan(actor=officer, date=today, time_limit=1.0)
    page = browser_page
    log_in(page, live_server.url, "seyoung")
    page.goto(f"{live_server.url}/visits/my-day/?date={today.isoformat()}")
    asked: list[str] = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("[data-testid=mark-done]")
    page.wait_for_timeout(300)
    assert asked and "완료" in asked[0]
    visit.refresh_from_db()
    assert visit.status == VisitStatus.OPEN
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=mark-done]")
    page.wait_for_selector("[data-testid=visit-status]:has-text('완료')")
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.DONE
    assert "/visits/my-day/" in page.url
