from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.cases.models import CaseEventType
from dolbom.cases.services import case_close
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.referrals.models import Referral, ReferralStatus
from dolbom.referrals.services import referral_create
from dolbom.referrals.tests.conftest import share_with
from dolbom.registry.models import ConsentPurpose
from dolbom.registry.services import consent_record, consent_withdraw


def test_it_refuses_a_referral_without_consent(manager, case, nursing_service, plan_line):
    with pytest.raises(DomainError) as exc:
        referral_create(actor=manager, case=case, service=nursing_service, plan_line=plan_line)
    assert exc.value.code == "consent_required"
    assert "전주 방문간호센터" in exc.value.message
    assert not Referral.objects.exists()
    assert not case.events.filter(type=CaseEventType.REFERRAL_CREATED).exists()


def test_it_refuses_when_the_consent_names_the_institution_but_not_its_code(officer, manager, case, resident,
                                                                         nursing_service):
    consent_record(actor=officer, resident=resident, purpose=ConsentPurpose.INFORMATION_SHARING,
                   recipient="전주 방문간호센터")
    with pytest.raises(DomainError) as exc:
        referral_create(actor=manager, case=case, service=nursing_service)
    assert exc.value.code == "consent_required"


def test_it_refuses_with_consent_to_another_institution_or_another_purpose(officer, manager, case, resident,
                                                                          nursing_service, hospital):
    share_with(officer, resident, hospital)
    consent_record(actor=officer, resident=resident, purpose=ConsentPurpose.CASE_MANAGEMENT,
                   recipient="전주 방문간호센터", recipient_code=nursing_service.institution.code)
    with pytest.raises(DomainError):
        referral_create(actor=manager, case=case, service=nursing_service)


def test_it_refuses_after_the_consent_was_withdrawn_or_expired(officer, manager, case, resident, nursing_service):
    c = share_with(officer, resident, nursing_service.institution)
    consent_withdraw(actor=officer, consent=c)
    with pytest.raises(DomainError):
        referral_create(actor=manager, case=case, service=nursing_service)
    share_with(officer, resident, nursing_service.institution,
               given_at=timezone.now() - dt.timedelta(days=30), expires_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(DomainError):
        referral_create(actor=manager, case=case, service=nursing_service)


def test_it_refers_with_consent_and_writes_the_timeline(manager, case, consent, nursing_service, plan_line):
    referral = referral_create(actor=manager, case=case, service=nursing_service, plan_line=plan_line,
                               note="주 1회 혈압 관리", due_days=5)
    assert referral.status == ReferralStatus.REQUESTED
    assert referral.institution == nursing_service.institution and referral.consent == consent
    assert referral.respond_by == timezone.localdate() + dt.timedelta(days=5)
    event = case.events.get(type=CaseEventType.REFERRAL_CREATED)
    assert event.actor == manager and event.new["referral_id"] == referral.pk
    assert "전주 방문간호센터" in event.new["summary"]


def test_it_refuses_out_of_scope_cases_and_roles(other_officer, partner, case, consent, nursing_service):
    with pytest.raises(NotFound):
        referral_create(actor=other_officer, case=case, service=nursing_service)
    with pytest.raises(Forbidden):
        referral_create(actor=partner, case=case, service=nursing_service)


def test_it_refuses_a_plan_line_of_another_case_closed_cases_and_odd_deadlines(officer, manager, case, consent,
                                                                               nursing_service):
    from dolbom.testing import personas

    other = personas.make_resident(officer, name="이복순")
    other_case = personas.open_case(officer, other, manager=manager)
    personas.survey(officer, other_case)
    personas.decide(officer, other_case)
    personas.plan(officer, other_case)
    foreign_line = other_case.plans.get().lines.get()
    with pytest.raises(DomainError) as exc:
        referral_create(actor=manager, case=case, service=nursing_service, plan_line=foreign_line)
    assert exc.value.code == "plan_line_not_in_case"
    with pytest.raises(DomainError) as exc:
        referral_create(actor=manager, case=case, service=nursing_service, due_days=0)
    assert exc.value.code == "due_days_out_of_range"
    case_close(actor=manager, case=case, reason="refusal", note="본인 거부")
    with pytest.raises(DomainError) as exc:
        referral_create(actor=manager, case=case, service=nursing_service)
    assert exc.value.code == "case_closed"
