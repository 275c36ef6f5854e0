"""A partner worker reaches a client only through a referral to their institution, with consent in force, while
the case is open; every read is logged; every refusal is a 404 and a DENIED row. Each endpoint and page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.cases.services import case_close
from dolbom.referrals import services
from dolbom.referrals.models import Referral, ReferralStatus
from dolbom.referrals.tests.conftest import share_with
from dolbom.registry.services import consent_withdraw
from dolbom.testing.api import api_as

API_READS = ["/api/referrals/{id}"]
API_WRITES = [("accept", {}), ("decline", {"reason": "인력 부족"}), ("start", {}), ("deliveries", {"note": "방문"}),
              ("changes", {"note": "변경"}), ("complete", {"outcome": "종료"}), ("cancel", {})]
PAGE_WRITES = [("accept", {}), ("decline", {"reason": "인력 부족"}), ("start", {"started_on": "2026-01-05"}),
               ("delivery", {"on": "2026-01-05", "note": "방문"}), ("change", {"on": "2026-01-05", "note": "변경"}),
               ("complete", {"completed_on": "2026-01-05", "outcome": "종료"}), ("cancel", {})]


@pytest.fixture
def referral(manager, case, consent, nursing_service, plan_line) -> Referral:
    return services.referral_create(actor=manager, case=case, service=nursing_service, plan_line=plan_line,
                                    note="주 1회 방문")


@pytest.fixture
def foreign(officer, manager, hospital, hospital_service) -> Referral:
    """A client referred to another institution (the hospital), with consent to the hospital only."""
    from dolbom.testing import personas

    r = personas.make_resident(officer, name="박말자")
    c = personas.open_case(officer, r, manager=manager)
    share_with(officer, r, hospital)
    return services.referral_create(actor=manager, case=c, service=hospital_service)


def _withdrawn(officer, consent, referral) -> Referral:
    consent_withdraw(actor=officer, consent=consent)
    return referral


def _closed(manager, referral) -> Referral:
    case_close(actor=manager, case=referral.case, reason="refusal", note="거부")
    return referral


OUT_OF_SCOPE = ["other_institution", "consent_withdrawn", "case_closed"]


@pytest.fixture(params=OUT_OF_SCOPE)
def hidden(request, officer, manager, consent, referral, foreign) -> Referral:
    if request.param == "other_institution":
        return foreign
    if request.param == "consent_withdrawn":
        return _withdrawn(officer, consent, referral)
    return _closed(manager, referral)


def _denied(partner, r: Referral) -> int:
    return AccessLog.objects.filter(actor=partner, action=AccessAction.DENIED, resident_id=r.case.resident_id).count()


def test_the_partner_reads_the_minimal_fields_and_the_read_is_logged(partner, referral, resident):
    r = api_as(partner).get(f"/api/referrals/{referral.pk}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body["client"]) == {"name", "age", "sex", "address", "phone"}
    assert (body["client"]["name"], body["client"]["age"], body["client"]["phone"]) == (
        "김영숙", resident.age_on(timezone.localdate()), "010-1234-5678")
    assert body["plan_line"].startswith("병원동행") and body["note"] == "주 1회 방문"
    text = r.content.decode()
    for secret in ("rrn", resident.rrn_masked[:6] + "-", "adl", "survey", "diagnos", "household_environment"):
        assert secret not in text
    row = AccessLog.objects.get(actor=partner, action=AccessAction.VIEW)
    assert (row.record_type, row.resident_id) == ("referral", resident.pk)


def test_the_partner_list_holds_only_their_referrals_and_is_logged(partner, referral, foreign):
    r = api_as(partner).get("/api/referrals")
    assert r.status_code == 200 and [x["id"] for x in r.json()] == [referral.pk]
    assert AccessLog.objects.get(actor=partner, action=AccessAction.SEARCH).subject_ids == [referral.case.resident_id]
    page = Client()
    page.force_login(partner)
    html = page.get("/referrals/partner/").content.decode()
    assert "김영숙" in html and "박말자" not in html
    assert AccessLog.objects.filter(actor=partner, action=AccessAction.SEARCH).count() == 2


@pytest.mark.parametrize("url", API_READS)
def test_api_reads_out_of_scope_are_refused_and_logged(partner, hidden, url):
    r = api_as(partner).get(url.format(id=hidden.pk))
    assert (r.status_code, r.json()["code"]) == (404, "referral_not_found")
    assert hidden.case.resident.name not in r.content.decode()
    assert _denied(partner, hidden) == 1
    assert hidden.pk not in [x["id"] for x in api_as(partner).get("/api/referrals").json()]


@pytest.mark.parametrize("action, body", API_WRITES, ids=[a for a, _ in API_WRITES])
def test_api_writes_out_of_scope_are_refused_logged_and_change_nothing(partner, hidden, action, body):
    before = Referral.objects.get(pk=hidden.pk).status
    r = api_as(partner).post(f"/api/referrals/{hidden.pk}/{action}", body)
    assert (r.status_code, r.json()["code"]) == (404, "referral_not_found")
    assert Referral.objects.get(pk=hidden.pk).status == before
    assert _denied(partner, hidden) == 1


def test_the_detail_page_out_of_scope_is_refused_and_logged(partner, hidden):
    c = Client()
    c.force_login(partner)
    r = c.get(f"/referrals/{hidden.pk}/")
    assert r.status_code == 404 and hidden.case.resident.name not in r.content.decode()
    assert _denied(partner, hidden) == 1


@pytest.mark.parametrize("action, body", PAGE_WRITES, ids=[a for a, _ in PAGE_WRITES])
def test_page_actions_out_of_scope_are_refused_and_logged(partner, hidden, action, body):
    c = Client()
    c.force_login(partner)
    before = Referral.objects.get(pk=hidden.pk).status
    r = c.post(f"/referrals/{hidden.pk}/{action}/", body)
    assert r.status_code == 404
    assert Referral.objects.get(pk=hidden.pk).status == before
    assert _denied(partner, hidden) == 1


def test_withdrawal_refuses_the_very_next_request(officer, partner, consent, referral):
    api = api_as(partner)
    assert api.get(f"/api/referrals/{referral.pk}").status_code == 200
    consent_withdraw(actor=officer, consent=consent)
    assert api.get(f"/api/referrals/{referral.pk}").status_code == 404
    actions = list(AccessLog.objects.filter(actor=partner).order_by("pk").values_list("action", flat=True))
    assert actions == [AccessAction.VIEW, AccessAction.DENIED]


def test_partners_never_reach_the_full_records_of_a_referred_client(partner, referral):
    api = api_as(partner)
    case, resident = referral.case, referral.case.resident
    for url in [f"/api/residents/{resident.pk}", f"/api/cases/{case.pk}", f"/api/cases/{case.pk}/timeline",
                f"/api/cases/{case.pk}/plans/1", f"/api/residents/{resident.pk}/consents"]:
        assert api.get(url, {"purpose": "x"}).status_code == 404, url
    c = Client()
    c.force_login(partner)
    assert c.get(f"/cases/{case.pk}/").status_code in (403, 404)
    assert c.get(f"/residents/{resident.pk}/").status_code in (403, 404)


def test_partner_pages_for_staff_only_are_refused(partner, case):
    c = Client()
    c.force_login(partner)
    assert c.get(f"/referrals/cases/{case.pk}/new/").status_code == 403
    assert c.post(f"/referrals/cases/{case.pk}/consent/", {}).status_code == 403
    assert c.get("/referrals/").status_code == 302
    assert c.get("/referrals/discharge/").status_code == 403
    r = api_as(partner).post("/api/referrals", {"case_id": case.pk, "service_id": 1})
    assert r.status_code == 404


def test_the_partner_accepts_and_reports_through_the_pages(partner, referral, case):
    c = Client()
    c.force_login(partner)
    page = c.get(f"/referrals/{referral.pk}/").content.decode()
    assert "김영숙" in page and "010-1234-5678" in page and referral.case.resident.rrn_masked not in page
    assert c.post(f"/referrals/{referral.pk}/accept/").status_code == 302
    assert c.post(f"/referrals/{referral.pk}/start/", {"started_on": "2026-01-05"}).status_code == 302
    assert c.post(f"/referrals/{referral.pk}/delivery/", {"on": "2026-01-06", "note": "혈압 측정"}).status_code == 302
    r = c.post(f"/referrals/{referral.pk}/complete/", {"completed_on": "2026-01-07", "outcome": "안정"})
    assert r.status_code == 302 and r["Location"] == "/referrals/partner/"
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED


def test_other_roles_out_of_scope_are_refused_too(other_officer, auditor, referral):
    for user in (other_officer, auditor):
        r = api_as(user).get(f"/api/referrals/{referral.pk}")
        assert r.status_code == 404
        assert AccessLog.objects.filter(actor=user, action=AccessAction.DENIED).count() == 1
