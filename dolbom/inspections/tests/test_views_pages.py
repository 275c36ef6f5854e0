"""The office's pages, the tablet page and its service worker, and the logged Excel and PDF exports."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.inspections import services
from dolbom.inspections.tests.conftest import action, answers, doc, make_facility, reading

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def season(lead, inspector, facility, hygiena):
    """Two closed inspections of the kitchen, one failed with an open action, in the summer round."""
    rnd = services.summer_round_create(actor=lead, year=2026)
    planned = rnd.inspections.get(facility=facility)
    services.inspection_sync(actor=inspector, doc=doc(
        facility, planned_id=planned.pk, submit=True, answers=answers(failing={"retained_sample": "no"}),
        readings=[reading(hygiena, 6)], actions=[action("retained_sample")]))
    services.inspection_sync(actor=inspector, doc=doc(facility, submit=True, readings=[reading(hygiena, 12)]))
    return rnd


def _list_queries(c: Client) -> int:
    with CaptureQueriesContext(connection) as q:
        assert c.get("/inspections/").status_code == 200
    return len(q.captured_queries)


def test_the_facility_list_query_count_does_not_grow_with_kitchens(lead, inspector):
    c = login(lead)
    for _ in range(2):
        f = make_facility(lead)
        services.inspection_sync(actor=inspector, doc=doc(f, submit=True))
    _list_queries(c)  # warm: the menu and the header are kept a minute per user (web/nav.py)
    few = _list_queries(c)
    for _ in range(6):
        f = make_facility(lead)
        services.inspection_sync(actor=inspector, doc=doc(f, submit=True))
    assert _list_queries(c) == few


def test_the_facility_page_draws_the_score_and_atp_trends(lead, facility, season):
    page = login(lead).get(f"/inspections/facilities/{facility.pk}/").content.decode()
    assert page.count('data-testid="score-trend"') == 1 and page.count('class="point"') >= 2 + 2
    assert 'data-testid="atp-trend"' in page and "도마" in page
    assert "보존식" in page  # the open action's item


def test_the_round_report_ranks_failed_items_and_lists_open_actions(lead, season):
    page = login(lead).get(f"/inspections/rounds/{season.pk}/").content.decode()
    assert 'data-testid="round-failed">1<' in page
    ranking = page.split('data-testid="item-ranking"')[1].split("</table>")[0]
    assert "보존식" in ranking and "제88조제2항제2호" in ranking


def test_an_export_without_a_reason_is_refused_and_not_logged(lead, season):
    r = login(lead).post(f"/inspections/rounds/{season.pk}/export/", {"format": "xlsx", "reason": ""})
    assert r.status_code == 400 and "사유" in r.content.decode()
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_the_round_exports_to_excel_with_its_reason_in_the_access_log(lead, season):
    r = login(lead).post(f"/inspections/rounds/{season.pk}/export/", {"format": "xlsx", "reason": "합동간부회의 보고"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["요약", "항목별 부적합", "ATP", "미이행 시정조치"]
    ranked = [row for row in wb["항목별 부적합"].iter_rows(min_row=2, values_only=True)]
    assert ranked[0][2].startswith("매회 조리·제공한 음식을") and ranked[0][4] == 1
    log = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert (log.record_type, log.record_id, log.purpose) == ("inspection_round", str(season.pk), "합동간부회의 보고")


def test_the_round_pdf_carries_its_korean_text(lead, season):
    r = login(lead).post(f"/inspections/rounds/{season.pk}/export/", {"format": "pdf", "reason": "결과 보고"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "하절기 특별위생점검 결과 보고" in text and "보존식" in text
    fonts = {str(f.get_object()["/BaseFont"]) for p in PdfReader(io.BytesIO(r.content)).pages
             for f in p["/Resources"]["/Font"].values()}
    assert fonts and all("+" in f for f in fonts)  # embedded (subset) fonts: the file prints anywhere


def test_without_a_system_cjk_font_the_pdf_uses_the_shipped_font_decoded_once(settings, tmp_path, monkeypatch):
    from dolbom.inspections import exports

    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(exports, "system_font", lambda: "")
    decoded = []

    class FakeFont:  # decoding the real WOFF2 takes ~15 s: what matters here is that it happens once
        flavor = "woff2"

        def __init__(self, path):
            decoded.append(path)

        def save(self, path):
            Path(path).write_bytes(b"ttf")

    monkeypatch.setattr("fontTools.ttLib.TTFont", FakeFont)
    first, again = exports.font_context(), exports.font_context()
    assert first == again and first["font_family"] == "Pretendard"
    assert first["font_url"].startswith("file://") and first["font_url"].endswith("/cache/fonts/PretendardVariable.ttf")
    assert len(decoded) == 1 and decoded[0].endswith("PretendardVariable.woff2")


def test_the_facility_pdf_and_excel_are_logged_exports(lead, facility, season):
    c = login(lead)
    pdf = c.post(f"/inspections/facilities/{facility.pk}/export/", {"format": "pdf", "reason": "시설 통보"})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"{facility.name} 위생점검 이력" in text and "점검 점수 추이" in text
    xlsx = c.post(f"/inspections/facilities/{facility.pk}/export/", {"format": "xlsx", "reason": "시설 통보"})
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb["점검 이력"].max_row == 3  # a header and two inspections
    assert AccessLog.objects.filter(action=AccessAction.EXPORT, record_type="facility_report").count() == 2


def test_the_tablet_page_embeds_what_it_needs_offline_and_registers_its_worker(inspector, facility):
    page = login(inspector).get("/inspections/field/").content.decode()
    data = json.loads(page.split('id="field-data" type="application/json">')[1].split("</script>")[0])
    urls = json.loads(page.split('id="field-urls" type="application/json">')[1].split("</script>")[0])
    assert [f["id"] for f in data["facilities"]] == [facility.pk]
    assert urls["sw"] == "/inspections/field/sw.js" and urls["sync"] == "/api/inspections/sync"
    assert 'name="csrf-token"' in page and "onclick" not in page


def test_the_service_worker_is_scoped_to_the_tablet_page_and_caches_its_files(inspector):
    r = Client().get("/inspections/field/sw.js")
    body = r.content.decode()
    assert r["Content-Type"].startswith("text/javascript") and r["Service-Worker-Allowed"] == "/inspections/field/"
    assert '"/static/inspections/field.js"' in body and 'const PAGE = "/inspections/field/"' in body
    assert "/api/" not in body.split("const FILES")[1]


def test_the_token_endpoint_answers_401_not_a_login_page_when_the_session_is_gone(inspector):
    assert Client().get("/inspections/field/token/").status_code == 401
    r = login(inspector).get("/inspections/field/token/")
    assert r.status_code == 200 and len(r.json()["csrf"]) > 20


def test_only_inspectors_open_the_tablet_page_and_auditors_no_inspection_page(officer, auditor, partner):
    assert login(officer).get("/inspections/field/").status_code == 403
    assert login(auditor).get("/inspections/").status_code == 403
    assert login(partner).get("/inspections/").status_code == 403
    assert login(officer).get("/inspections/").status_code == 200


def test_an_officer_of_another_dong_gets_404_for_the_kitchen(other_officer, facility):
    assert login(other_officer).get(f"/inspections/facilities/{facility.pk}/").status_code == 404


def test_the_lead_registers_a_kitchen_from_the_form(lead):
    from dolbom.areas.models import BoundaryArea

    r = login(lead).post("/inspections/facilities/new/", {
        "code": "N-001", "name": "새봄경로당", "kind": "senior_centre", "operator": "(사)새봄", "road_address": "서신로 1",
        "area": BoundaryArea.objects.get(name="서신동").pk, "diners_per_day": "25", "contact_name": "시설장",
        "contact_phone": "063 000 5678", "programmes": ["free_lunch"], "risk_level": "medium"})
    assert r.status_code == 302
    from dolbom.inspections.models import Facility

    f = Facility.objects.get(code="N-001")
    assert f.contact_phone == "063-000-5678" and f.dong.name == "서신동"


def test_the_dashboard_shows_the_inspection_panel_to_the_centre(inspector, officer):
    assert 'data-testid="inspections-panel"' in login(inspector).get("/").content.decode()
    assert 'data-testid="inspections-panel"' not in login(officer).get("/").content.decode()


def test_the_office_closes_a_submitted_inspection_once_the_re_test_is_in(lead, inspector, facility, hygiena):
    i = services.inspection_sync(actor=inspector, doc=doc(facility, submit=True,
                                                          readings=[reading(hygiena, 99)])).inspection
    c = login(lead)
    r = c.post(f"/inspections/{i.pk}/close/", follow=True)
    assert "재측정" in r.content.decode()
    page = c.get(f"/inspections/{i.pk}/").content.decode()
    assert "재측정 필요" in page and 'data-testid="close-button"' in page


def test_text_typed_as_a_formula_opens_as_text_in_the_excel_file(lead, inspector, facility):
    i = services.inspection_sync(actor=inspector, doc=doc(facility)).inspection
    services.action_create(actor=inspector, inspection=i, description='=HYPERLINK("http://x.example","보기")',
                           owner="@조리원", due_on=i.visited_on)
    r = login(lead).post(f"/inspections/facilities/{facility.pk}/export/", {"format": "xlsx", "reason": "확인"})
    ws = load_workbook(io.BytesIO(r.content))["미이행 시정조치"]
    cells = [c for c in ws[2]]
    assert [c.data_type for c in cells[:3]] == ["s", "s", "s"]
    assert cells[1].value.startswith("'=HYPERLINK") and cells[2].value == "'@조리원"
