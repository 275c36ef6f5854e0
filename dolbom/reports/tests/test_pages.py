"""The report pages and downloads as the city team, a dong officer, a partner and an auditor meet them."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.testing import personas

pytestmark = pytest.mark.django_db

DONGS = ["서신동", "효자1동", "중앙동", "풍남동", "노송동", "완산동", "동서학동", "서서학동", "중화산1동", "중화산2동"]


@pytest.fixture
def published(test_indicator, publish):
    """A count (one dong small) and a share, published for June 2025 and the months around it."""
    count, rows = test_indicator("test.count", label="시험 건수", tags=("headline",))
    share, share_rows = test_indicator("test.share", label="시험 비율", unit="%", denominator="전체",
                                       numerator="해당")
    for month in ("2025-04", "2025-05", "2025-06"):
        for name in DONGS:
            rows.add(month, name, 2 if (name, month) == ("완산동", "2025-06") else 40)
            share_rows.add(month, name, 30, 60)
    publish(count.key, share.key)
    return count, share


def test_the_city_dashboard_shows_every_figure_and_hides_the_small_one(login, city, published):
    page = login(city).get("/reports/?period=2025-06")
    assert page.status_code == 200
    text = page.content.decode()
    assert "시험 건수" in text and "비공개" in text
    assert 'data-testid="choropleth"' in text and 'viewBox="0 0 900' in text


def test_the_city_dashboard_reads_a_bounded_number_of_queries(login, city, published):
    client = login(city)
    client.get("/reports/?period=2025-06")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/reports/?period=2025-06").status_code == 200
    assert len(queries) <= 20, [q["sql"][:120] for q in queries]


def test_the_indicator_page_lists_every_dong_against_the_city_average(login, officer, published):
    count, _share = published
    text = login(officer).get(f"/reports/indicators/{count.key}/?period=2025-06").content.decode()
    assert text.count('data-testid="row-dong"') == 34, "June 2025: the dongs after the merger"
    row = text[text.index('data-dong="완산동"'):]
    row = row[:row.index("</tr>")]
    assert "비공개" in row and ">2<" not in row


def test_a_dong_dashboard_compares_with_the_city(login, officer, published):
    dong = personas.dong("서신동")
    text = login(officer).get(f"/reports/dongs/{dong.pk}/?period=2025-06").content.decode()
    assert "서신동" in text and "시 평균" in text


def test_a_merged_dongs_page_explains_its_comparable_series(login, officer, published):
    from dolbom.areas.models import Dong

    geumam = Dong.objects.get(name="금암동")
    text = login(officer).get(f"/reports/dongs/{geumam.pk}/?period=2025-06").content.decode()
    assert 'data-testid="merger-note"' in text and "금암1동" in text and "금암2동" in text


def test_the_map_draws_35_dongs_before_the_merger_and_34_after(login, city, published):
    client = login(city)
    before = client.get("/reports/map/?indicator=test.count&period=2025-02").content.decode()
    after = client.get("/reports/map/?indicator=test.count&period=2025-03").content.decode()
    assert 'data-dongs="35"' in before and 'data-dong="금암1동"' in before and 'data-dong="금암동"' not in before
    assert 'data-dongs="34"' in after and 'data-dong="금암동"' in after and 'data-dong="금암1동"' not in after


def test_partners_and_auditors_see_no_report_page(login, partner, auditor):
    for user in (partner, auditor):
        assert login(user).get("/reports/").status_code == 403
        assert login(user).get("/reports/indicators/").status_code == 403


def test_an_unknown_period_is_a_korean_error_not_a_free_range(login, city):
    answer = login(city).get("/reports/indicators/visits.done/?period=2025-01-01..2025-03-31")
    assert answer.status_code == 400 and "분기" in answer.content.decode()


def _export(client, **data):
    return client.post("/reports/export/", {"period": "2025-06", "dong": "", **data})


def test_a_download_without_a_reason_is_refused_and_nothing_is_logged(login, city, published):
    answer = _export(login(city), indicator="test.count", format="xlsx", reason="")
    assert answer.status_code == 400
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_the_excel_file_is_real_xlsx_with_the_hidden_figure_as_a_word(login, city, published):
    from openpyxl import load_workbook

    answer = _export(login(city), indicator="test.count", format="xlsx", reason="시 보고")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    rows = {r[0]: r[1] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["완산동"] == "비공개" and rows["서신동"] == 40
    log = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert (log.record_type, log.purpose, log.subject_ids) == ("report", "시 보고", [])
    assert "test.count" in log.record_id


def test_the_csv_opens_in_excel_and_no_cell_is_a_formula(login, city, test_indicator, publish):
    ind, rows = test_indicator("test.csv", label="=HYPERLINK(\"http://x\")")
    for name in DONGS:
        rows.add("2025-06", name, 10)
    publish(ind.key)
    answer = _export(login(city), indicator=ind.key, format="csv", reason="엑셀 확인")
    assert answer.content.startswith("\ufeff".encode())
    cells = [c for row in csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))) for c in row]
    assert all(not c.startswith(("=", "+", "@")) for c in cells)
    assert any(c.startswith("'=HYPERLINK") for c in cells)


def test_the_pdf_carries_its_korean_text(login, city, published):
    from pypdf import PdfReader

    answer = _export(login(city), indicator="test.count", format="pdf", reason="인쇄용")
    assert answer["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert "시험 건수" in text and "서신동" in text and "비공개" in text


def test_the_people_behind_overdue_follow_ups_are_only_the_case_lists_own_download(login, officer, partner,
                                                                                    resident):
    import datetime as dt

    from django.utils import timezone

    from dolbom.cases.services import PlanLine, plan_create

    case = personas.open_case(officer, resident)
    personas.survey(officer, case)
    personas.decide(officer, case)
    start = timezone.localdate() - dt.timedelta(days=120)
    plan_create(actor=officer, case=case, goals="안전", starts_on=start, lines=[PlanLine(
        domain="medical", content="방문간호", method="방문", quantity="월 1회", starts_on=start,
        ends_on=start + dt.timedelta(days=200), provider="보건소")])
    data = {"indicator": "cases.follow_ups_overdue", "dong": str(case.dong_id), "reason": "기한 경과 점검"}
    answer = login(officer).post("/reports/export/people/", data)
    assert answer.status_code == 200 and "김영숙" in answer.content.decode("utf-8-sig")
    log = AccessLog.objects.get(action=AccessAction.EXPORT, record_type="case_list")
    assert log.subject_ids == [resident.pk] and log.purpose == "기한 경과 점검"
    refused = login(partner).post("/reports/export/people/", data)
    assert refused.status_code == 403
    assert AccessLog.objects.filter(action=AccessAction.EXPORT).count() == 1


def test_the_monthly_brief_is_one_printable_page(login, city, published):
    text = login(city).get("/reports/brief/?period=2025-06").content.decode()
    assert 'data-testid="brief"' in text and "합동간부회의" in text and "data-print" in text


def test_the_catalogue_lists_every_registered_indicator(login, officer):
    from dolbom.lib.metrics import indicators

    text = login(officer).get("/reports/indicators/").content.decode()
    assert all(f'data-indicator="{i.key}"' in text for i in indicators())


def test_the_city_dashboard_is_rendered_once_per_snapshot(login, city, officer, published):
    client = login(city)
    client.get("/reports/?period=2025-06")
    with CaptureQueriesContext(connection) as queries:
        again = login(officer).get("/reports/?period=2025-06")
    assert again.status_code == 200 and "시험 건수" in again.content.decode()
    cells = [q["sql"] for q in queries if "reports_cell" in q["sql"]]
    assert len(cells) <= 1, cells  # the latest month only: the figures came from the cached fragment


def test_a_refresh_that_publishes_new_figures_shows_on_the_cached_dashboards(login, city, test_indicator, publish):
    ind, rows = test_indicator("test.moving", label="움직이는 지표", tags=("headline",))
    for name in DONGS:
        rows.add("2025-06", name, 40)
    publish(ind.key)
    client = login(city)
    dong = personas.dong("서신동")
    pages = ["/reports/?period=2025-06&map=test.moving", f"/reports/dongs/{dong.pk}/?period=2025-06",
             "/reports/map/?indicator=test.moving&period=2025-06"]
    for page in pages:
        assert "400건" in client.get(page).content.decode(), page  # the city's total
    rows.rows = []
    for name in DONGS:
        rows.add("2025-06", name, 77)
    publish(ind.key)
    for page in pages:
        text = client.get(page).content.decode()
        assert "770건" in text and "400건" not in text, page
