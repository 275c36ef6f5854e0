"""The main flow in a real browser: a resident applies online with the code sent to their phone, the
programme officer accepts the documents, runs the selection, approves, and the letter opens as a PDF."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from dolbom.subsidies.models import Application, ApplicationStatus
from dolbom.subsidies.tests.conftest import pdf_bytes, png_bytes
from dolbom.testing.browser import log_in, outside_requests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_resident_applies_online_and_the_officer_approves(live_server, browser_page, slate, city, message_outbox,
                                                             tmp_path):
    slate.rounds.update(opens_at=timezone.now() - dt.timedelta(days=1), closes_at=timezone.now() + dt.timedelta(days=5))
    page = browser_page
    external = outside_requests(page, live_server.url)
    page.goto(f"{live_server.url}/subsidies/public/")
    page.click("[data-testid=board-slate-2026] a.button")
    page.fill("#id_phone", "010-4321-8765")
    page.click("button[type=submit]")
    code = re.search(r"인증번호 (\d{6})", message_outbox[-1].text).group(1)
    page.fill("#id_code", code)
    page.click("button[type=submit]")
    form = page.locator("[data-testid=public-form]")
    form.wait_for()
    page.select_option("#id_category", label="주택 슬레이트 철거·처리")
    page.fill("#id_name", "한복순")
    page.fill("#id_birth_date", "1946-11-03")
    page.fill("#id_address", "전주시 완산구 용머리로 12")
    page.select_option("#id_f-building_use", "house")
    page.select_option("#id_f-roof_material", "slate")
    page.fill("#id_f-building_year", "1975")
    page.fill("#id_f-roof_area_m2", "84")
    page.fill("#id_f-removal_cost", "3900000")
    page.check("#id_f-owner_consent")
    page.select_option("#id_f-income_tier", "near_poor")
    files = {}
    for key in ("resident_register", "building_register", "estimate", "owner_consent", "income_proof"):
        files[key] = tmp_path / f"{key}.pdf"
        files[key].write_bytes(pdf_bytes(key))
        page.set_input_files(f"#doc_{key}", str(files[key]))
    photo = tmp_path / "roof.png"
    photo.write_bytes(png_bytes())
    page.set_input_files("#doc_roof_photo", str(photo))
    page.check("#id_privacy")
    page.click("[data-testid=public-form] button[type=submit]")
    number = page.locator("[data-testid=receipt-number]").inner_text()
    application = Application.objects.get(number=number)
    assert application.status == ApplicationStatus.ELIGIBLE and application.documents.count() == 6
    assert "한복순" not in page.goto(f"{live_server.url}/subsidies/public/").text()

    log_in(page, live_server.url, "haneul")
    page.goto(f"{live_server.url}/subsidies/applications/{application.pk}/")
    for _ in range(6):
        page.locator("[data-testid=documents] button[name=accept][value='1']").first.click()
        page.wait_for_load_state()
    page.goto(f"{live_server.url}/subsidies/slate-2026/")
    page.click("[data-testid=close-round-1]")
    page.wait_for_load_state()
    page.click("[data-testid=run-selection-1]")
    page.wait_for_selector("[data-testid=selection-order]")
    page.goto(f"{live_server.url}/subsidies/applications/{application.pk}/")
    assert "전액 지원" in page.inner_text("[data-testid=explanation]")
    page.click("[data-testid=approve]")
    page.wait_for_selector("[data-testid=notice-link]")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.amount == 3_900_000
    with page.expect_response(lambda r: r.url.endswith("notice.pdf")) as response:
        page.evaluate("url => fetch(url)", page.get_attribute("[data-testid=notice-link]", "href"))
    assert response.value.headers["content-type"] == "application/pdf"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/subsidies/applications/{application.pk}/")
    page.screenshot(path=str(tmp_path / "application-390.png"), full_page=True)
    assert external == []
