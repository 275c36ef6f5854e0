"""A dong officer goes from the visit list to a recorded outcome and a discovered case, in a real browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dolbom.cases.models import Case, CaseOrigin
from dolbom.discovery import services
from dolbom.discovery.models import Outcome, VisitListEntry
from dolbom.discovery.tests.conftest import build_city, build_cycle, import_all
from dolbom.testing.browser import log_in

SCREENSHOT = Path("/tmp/dolbom-discovery-list.png")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_dong_officer_records_a_visit_and_opens_a_case(live_server, browser_page, officer, city, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    build_city()
    world = build_cycle(actor=city, out_dir=tmp_path / "synthetic")
    import_all(world, city)
    services.model_retrain(actor=city, seed=0, truth_path=world.truth, truth_cycle=world.cycle)
    services.cycle_score(actor=city, cycle=world.cycle)
    top = VisitListEntry.objects.filter(cycle=world.cycle, dong__name="서신동").order_by("rank").first()

    page = browser_page
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    log_in(page, live_server.url, "minji")  # the password, then the second factor (issue 18)

    page.click("header >> text=복지사각지대 발굴")
    page.click(f"text={world.cycle.name}")
    page.click("[data-testid=open-list]")
    rows = page.locator("[data-testid=entry-row]")
    assert rows.count() == VisitListEntry.objects.filter(cycle=world.cycle, dong__name="서신동").count()
    first = rows.first.inner_text()
    assert top.resident.name in first and top.reasons[0] in first
    page.screenshot(path=str(SCREENSHOT), full_page=False)

    rows.first.get_by_role("link", name=top.resident.name).click()
    page.wait_for_url(re.compile(r"/discovery/entries/\d+/$"))
    page.select_option("#id_outcome", Outcome.SUPPORTED_PUBLIC)
    page.fill("#id_note", "긴급복지 생계지원 신청")
    page.click("[data-testid=record-outcome]")
    page.wait_for_selector("text=결과를 기록했습니다")
    page.click("[data-testid=needs-support]")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))

    case = Case.objects.get(resident=top.resident)
    assert case.origin == CaseOrigin.CRISIS_DISCOVERY
    assert "위기정보" in page.inner_text("main")  # the signals are on the new case's timeline
    top.refresh_from_db()
    assert (top.outcome, top.case_id) == (Outcome.SUPPORTED_PUBLIC, case.pk)
    assert external == []
