"""The officers' pages: programmes, an application taken at the office, its page, the decision and letter."""

from __future__ import annotations

import io

import pypdf
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dolbom.audit.models import AccessLog
from dolbom.subsidies import services
from dolbom.subsidies.models import Application, ApplicationStatus
from dolbom.subsidies.tests.conftest import SLATE_FACTS, accept_all, pdf_bytes, submit_slate
from dolbom.testing import personas


def test_the_programme_list_shows_budget_and_board(login, slate, officer, application):
    page = login(officer).get(reverse("subsidies:programme_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026년 주택 슬레이트 처리 지원사업" in html and "1,400,000,000" in html


def test_the_programme_page_and_rules_page_render(login, slate, city, application):
    client = login(city)
    assert client.get(reverse("subsidies:programme_detail", args=[slate.code])).status_code == 200
    rules = client.get(reverse("subsidies:rules", args=[slate.code]))
    assert rules.status_code == 200
    assert rules.content.decode().count('badge s-eligible') >= 7  # every golden case as the notice says


def test_the_application_page_shows_the_trace_and_logs_the_view(login, officer, application):
    page = login(officer).get(reverse("subsidies:application_detail", args=[application.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "동당 352만 원 한도 지원" in html and "building_use in" in html
    assert AccessLog.objects.filter(record_type="subsidy_application", record_id=str(application.pk),
                                    action="view").exists()


def test_an_officer_of_another_dong_gets_404_and_a_denied_row(login, other_officer, application):
    page = login(other_officer).get(reverse("subsidies:application_detail", args=[application.pk]))
    assert page.status_code == 404
    assert AccessLog.objects.filter(record_type="subsidy_application", action="denied").exists()


def test_an_office_application_through_the_form(login, slate, officer, resident, settings):
    client = login(officer)
    url = reverse("subsidies:application_new", args=[slate.code])
    slate.rounds.update(opens_at="2026-01-01T00:00:00+09:00", closes_at="2099-01-01T00:00:00+09:00")
    page = client.get(url, {"resident": resident.pk})
    assert page.status_code == 200 and "김영숙" in page.content.decode()
    data = {"resident": resident.pk, "category": slate.categories.get().pk, "name": "김영숙", "birth_date": "1948-03-02",
            "phone": "010-1234-5678", "address": "전주시 완산구 서신로 1", "rrn": "", "dong": "",
            **{f"f-{k}": ("on" if v is True else "" if v is False else v) for k, v in SLATE_FACTS.items()}}
    files = {f"doc_{k}": io.BytesIO(pdf_bytes(k)) for k in ("building_register", "roof_photo", "estimate", "owner_consent")}
    for k, fh in files.items():
        fh.name = f"{k}.pdf"
    response = client.post(url, {**data, **files})
    assert response.status_code == 302, response.content.decode()[:2000]
    app = Application.objects.get()
    assert app.status == ApplicationStatus.ELIGIBLE and app.documents.count() == 4


def test_approval_from_the_page_gives_a_korean_pdf_letter(login, city, slate, application):
    accept_all(city, application)
    services.selection_run(actor=city, round=slate.rounds.get(number=1))
    client = login(city)
    response = client.post(reverse("subsidies:application_action", args=[application.pk, "approve"]), {"legal_basis": ""})
    assert response.status_code == 302
    decision = application.decisions.get()
    pdf = client.get(reverse("subsidies:notice_download", args=[decision.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "지원 결정 통지서" in text and "3,520,000원" in text and "동당 352만 원 한도 지원" in text
    assert "이의신청" in text


def test_the_application_list_costs_the_same_queries_for_three_applications_as_for_one(
        login, slate, officer, resident, django_assert_max_num_queries):
    client = login(officer)
    url = reverse("subsidies:application_list", args=[slate.code])
    submit_slate(officer, slate, resident=resident)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(2):
        other = personas.make_resident(officer, name=f"목록{i}")
        submit_slate(officer, slate, resident=other, address=f"전주시 완산구 목록로 {i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("SLATE-2026-0000") == 3
