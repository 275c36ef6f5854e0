from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.referrals import services
from dolbom.referrals.models import Referral
from dolbom.registry.models import ConsentPurpose
from dolbom.testing import personas


@pytest.fixture
def web(manager) -> Client:
    c = Client()
    c.force_login(manager)
    return c


def test_the_manager_is_refused_without_consent_records_it_and_refers_from_the_plan(web, case, plan_line,
                                                                                     nursing_service):
    page = web.get(f"/referrals/cases/{case.pk}/new/?line={plan_line.pk}")
    assert page.status_code == 200 and "방문간호" in page.content.decode()
    form = {"plan_line": plan_line.pk, "service": nursing_service.pk, "note": "주 1회", "due_days": 3}
    refused = web.post(f"/referrals/cases/{case.pk}/new/", form)
    assert refused.status_code == 400 and "전주 방문간호센터" in refused.content.decode()
    assert not Referral.objects.exists()
    r = web.post(f"/referrals/cases/{case.pk}/consent/", {"institution": nursing_service.institution.code,
                                                          "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                                                          "method": "written"})
    assert r.status_code == 302
    consent = case.resident.consents.get(purpose=ConsentPurpose.INFORMATION_SHARING)
    assert (consent.recipient_code, consent.recipient) == ("JJ-HN-001", "전주 방문간호센터")
    assert web.post(f"/referrals/cases/{case.pk}/new/", form).status_code == 302
    referral = Referral.objects.get()
    assert referral.plan_line == plan_line
    detail = web.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="case-referrals"' in detail and f'data-referral="{referral.pk}"' in detail
    assert "referral_created" in detail


def test_an_officer_of_another_dong_cannot_refer_or_see(other_officer, case, nursing_service):
    c = Client()
    c.force_login(other_officer)
    assert c.get(f"/referrals/cases/{case.pk}/new/").status_code == 404
    assert AccessLog.objects.filter(actor=other_officer, action=AccessAction.DENIED).count() == 1


def test_the_list_flags_overdue_answers_and_does_not_grow_queries_with_rows(officer, manager, web, nursing,
                                                                            nursing_service):
    from dolbom.referrals.tests.conftest import share_with

    def referred(name: str) -> Referral:
        r = personas.make_resident(officer, name=name)
        c = personas.open_case(officer, r, manager=manager)
        share_with(officer, r, nursing)
        return services.referral_create(actor=manager, case=c, service=nursing_service)

    first = referred("가나다")
    Referral.objects.filter(pk=first.pk).update(respond_by=timezone.localdate() - dt.timedelta(days=1))
    web.get("/referrals/")  # warm the session and the menu
    with CaptureQueriesContext(connection) as one:
        page = web.get("/referrals/").content.decode()
    assert 'data-testid="referral-overdue"' in page
    for i in range(5):
        referred(f"라마바{i}")
    with CaptureQueriesContext(connection) as six:
        page = web.get("/referrals/").content.decode()
    assert len(six.captured_queries) == len(one.captured_queries)
    overdue = web.get("/referrals/?overdue=on").content.decode()
    assert "가나다" in overdue and "라마바0" not in overdue


def test_staff_outside_their_caseload_state_a_purpose_to_open_a_referral(officer, manager, case, consent,
                                                                          nursing_service):
    from dolbom.testing.api import api_as

    referral = services.referral_create(actor=manager, case=case, service=nursing_service)
    api = api_as(officer)
    r = api.get(f"/api/referrals/{referral.pk}")
    assert (r.status_code, r.json()["code"]) == (400, "purpose_required")
    assert api.get(f"/api/referrals/{referral.pk}", {"purpose": "동 점검"}).status_code == 200
    row = AccessLog.objects.get(actor=officer, action=AccessAction.VIEW, record_type="referral")
    assert (row.purpose, row.in_caseload) == ("동 점검", False)
    page = Client()
    page.force_login(officer)
    assert page.get(f"/referrals/{referral.pk}/")["Location"] == f"/cases/{case.pk}/"


def test_the_list_pages_past_its_page_size_with_the_total_and_logs_only_the_page_shown(
        officer, manager, web, nursing, nursing_service, monkeypatch):
    from dolbom.referrals import views
    from dolbom.referrals.tests.conftest import share_with

    monkeypatch.setattr(views, "PAGE_SIZE", 2)  # 50 in use; a list of five shows the same behaviour
    names = []
    for i in range(5):
        r = personas.make_resident(officer, name=f"나열{i}")
        share_with(officer, r, nursing)
        services.referral_create(actor=manager, case=personas.open_case(officer, r, manager=manager),
                                 service=nursing_service)
        names.append(r.name)
    first = web.get("/referrals/").content.decode()
    assert "5" in first.split('data-testid="total"')[1].split("</span>")[0]
    assert 'rel="next"' in first and sum(n in first for n in names) == 2
    last = web.get("/referrals/?page=3").content.decode()
    assert sum(n in last for n in names) == 1 and 'rel="prev"' in last and 'rel="next"' not in last
    # Newest first: the oldest referral is on the last page, and the log names only that page's client.
    assert names[0] in last
    entry = AccessLog.objects.filter(record_type="referral_list", actor=manager).latest("pk")
    assert len(entry.subject_ids) == 1
