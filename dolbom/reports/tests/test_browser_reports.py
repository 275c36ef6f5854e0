"""The city dashboard and its map in a real browser: a dong's figure shows when the pointer or the keyboard is
on it, a click opens the dong's dashboard, a hidden dong is hatched, and nothing is fetched from outside."""

from __future__ import annotations

import pytest

from dolbom.testing.browser import log_in, outside_requests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DONGS = ["서신동", "효자1동", "중앙동", "풍남동", "노송동", "완산동", "동서학동", "서서학동", "중화산1동", "중화산2동"]


def test_the_map_shows_a_dongs_figure_on_hover_and_opens_its_dashboard_on_click(live_server, browser_page, city,
                                                                                 test_indicator, publish):
    ind, rows = test_indicator("test.browser", label="시험 방문", tags=("headline",))
    for name in DONGS:
        rows.add("2025-06", name, 3 if name == "완산동" else 40)
    publish(ind.key)
    page = browser_page
    external = outside_requests(page, live_server.url)
    log_in(page, live_server.url, "haneul")
    page.goto(f"{live_server.url}/reports/?period=2025-06&map={ind.key}")
    page.wait_for_selector("[data-testid=choropleth]")
    assert page.locator("[data-testid=choropleth] path.dong").count() == 34
    assert page.locator("[data-testid=kpi][data-indicator='test.browser'] svg.line-chart").count() == 1
    # 완산동's 3 is hidden: hatched on the map, and a second dong with it.
    assert page.locator("path.dong.hidden[data-dong='완산동']").count() == 1
    assert page.locator("path.dong.hidden").count() >= 2
    page.hover("path.dong[data-dong='서신동']")
    detail = page.locator("[data-testid=map-detail]")
    assert "서신동" in detail.inner_text() and "40건" in detail.inner_text()
    # By keyboard too (its box's centre lies on a neighbour, so a pointer would land there).
    page.focus("path.dong[data-dong='완산동']")
    assert "비공개" in detail.inner_text() and "3건" not in detail.inner_text()
    page.click("path.dong[data-dong='서신동']", force=True)
    page.wait_for_selector("[data-testid=report-title]:has-text('서신동')")
    assert "/reports/dongs/" in page.url
    assert external == []
