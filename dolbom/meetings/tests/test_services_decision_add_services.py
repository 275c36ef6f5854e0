"""'Add services' creates referrals through referrals.services.referral_create, refused per institution
without the client's consent to share with it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.cases.models import CaseEvent, CaseEventType
from dolbom.meetings import services
from dolbom.meetings.models import Decision, ServiceRequest
from dolbom.meetings.services import DecisionInput

from .conftest import NURSING_CODE, NURSING_NAME, share_with

referrals = pytest.importorskip("dolbom.referrals.services")
if not hasattr(referrals, "referral_create"):
    pytest.skip("the referrals app has no referral_create yet", allow_module_level=True)

from dolbom.referrals.models import Institution, Referral, Service  # noqa: E402


@pytest.fixture
def nursing(db):
    institution = Institution.objects.create(code=NURSING_CODE, name=NURSING_NAME, kind="home_nursing_agency")
    return Service.objects.create(institution=institution, code="SV-HN-1", name="방문간호", category_code="A02",
                                  citywide=True)


@pytest.fixture
def repair(db):
    institution = Institution.objects.create(code="JJ-HR-001", name="전주 집수리 협동조합", kind="housing_repair")
    return Service.objects.create(institution=institution, code="SV-HR-1", name="주거환경 개선", category_code="D01",
                                  citywide=True)


def _add(officer, item, *svc):
    return services.agenda_decision_record(actor=officer, item=item, data=DecisionInput(
        decision=Decision.ADD_SERVICES, note="방문간호와 집수리 연계", service_ids=[s.pk for s in svc]))


def test_it_refers_where_the_client_consented_and_refuses_the_rest(officer, item, nursing, repair):
    share_with(officer, item.case.resident)
    _add(officer, item, nursing, repair)
    ok, refused = ServiceRequest.objects.filter(item=item).order_by("pk")
    referral = Referral.objects.get(case=item.case)
    assert ok.referral_id == referral.pk and referral.service == nursing
    assert refused.referral_id is None and refused.refusal_code == "consent_required"
    assert "전주 집수리 협동조합" in refused.refusal_message
    event = CaseEvent.objects.get(case=item.case, type=CaseEventType.MEETING_DECISION)
    assert event.new["referral_ids"] == [referral.pk] and event.new["refused_service_ids"] == [repair.pk]
    assert CaseEvent.objects.filter(case=item.case, type=CaseEventType.REFERRAL_CREATED).count() == 1


def test_without_any_consent_nothing_is_referred_but_the_decision_stands(officer, item, nursing):
    _add(officer, item, nursing)
    item.refresh_from_db()
    assert item.decision == Decision.ADD_SERVICES
    assert not Referral.objects.exists()
    assert ServiceRequest.objects.get(item=item).refused


def test_a_refused_service_can_be_added_again_once_the_client_consents(officer, item, nursing):
    _add(officer, item, nursing)
    share_with(officer, item.case.resident)
    _add(officer, item, nursing)
    assert Referral.objects.filter(case=item.case, service=nursing).count() == 1
    assert [r.refused for r in ServiceRequest.objects.filter(item=item).order_by("pk")] == [True, False]
    assert CaseEvent.objects.filter(case=item.case, type=CaseEventType.MEETING_DECISION).count() == 2


def test_the_api_shows_each_refused_service_with_its_reason(officer, meeting, item, nursing, repair):
    from dolbom.testing.api import api_as

    share_with(officer, item.case.resident)
    r = api_as(officer).post(f"/api/meetings/{meeting.pk}/agenda/{item.pk}/decision",
                             {"decision": "add_services", "service_ids": [nursing.pk, repair.pk], "due_days": 5})
    assert r.status_code == 200
    rows = {s["service_name"]: s for s in r.json()["services"]}
    assert rows["방문간호"]["referral_id"] == Referral.objects.get().pk
    assert rows["주거환경 개선"]["referral_id"] is None and rows["주거환경 개선"]["refusal_code"] == "consent_required"
    assert Referral.objects.get().respond_by == timezone.localdate() + dt.timedelta(days=5)
