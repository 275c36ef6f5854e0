"""A team leader presses the morning button in a real browser and sees the routes on the Jeonju map."""

from __future__ import annotations

from pathlib import Path

import pytest

from dolbom.testing.browser import log_in
from dolbom.visits.tests.conftest import household_at, make_visit

SCREENSHOT = Path("/tmp/dolbom-visits-plan.png")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_team_leader_plans_the_day_and_sees_the_routes_on_the_map(live_server, browser_page, officer,
                                                                      nurse_worker, today, settings):
    settings.DOLBOM_VISITS_TIME_LIMIT = 1.0  # the server's setting, no longer a field of the form
    for k in range(5):
        make_visit(officer, household_at(officer, 127.105 + 0.004 * k, 35.822 + 0.002 * (k % 3)), due_on=today,
                   minutes=20)
    page = browser_page
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server.url, "minji")

    page.click("text=방문 경로")
    page.wait_for_selector("[data-testid=visit-map]")
    assert page.locator("[data-testid=visit-map] path.dong").count() >= 34
    page.click("[data-testid=plan-button]")
    page.wait_for_selector("[data-testid=map-route]")
    assert page.locator("[data-testid=map-route] circle").count() == 5
    box = page.locator("[data-testid=visit-map]").bounding_box()
    assert box and box["width"] > 400 and box["height"] > 300
    assert "오세영" in page.inner_text("[data-testid=route-card]")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert external == []
