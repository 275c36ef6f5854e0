from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.cases.errors import CaseErrorCode
from dolbom.cases.models import ApplicantType, Case, CaseEventType, CaseOrigin, CaseStatus, ExOfficioReason
from dolbom.cases.services import Application, case_application_record, case_discover, case_open
from dolbom.lib.errors import DomainError, NotFound
from dolbom.registry.models import Consent, ConsentPurpose


def _refused(code, fn, **kwargs):
    with pytest.raises(DomainError) as exc:
        fn(**kwargs)
    assert exc.value.code == code
    return exc.value


def test_it_opens_a_case_on_the_persons_own_application(officer, resident):
    case = case_open(actor=officer, resident=resident, application=Application(applicant_type=ApplicantType.SELF))
    assert case.status == CaseStatus.APPLIED
    assert case.dong == resident.dong and case.manager == officer
    assert case.number.startswith(f"{timezone.now():%Y}-")
    event = case.events.get()
    assert event.type == CaseEventType.APPLICATION_RECORDED and event.new["applicant_type"] == "self"


def test_it_refuses_an_ex_officio_application_without_a_legal_reason(officer, resident):
    now = timezone.now()
    _refused(CaseErrorCode.EX_OFFICIO_REASON_REQUIRED, case_open, actor=officer, resident=resident,
             application=Application(applicant_type=ApplicantType.EX_OFFICIO, explained_at=now, consent_at=now))
    assert not Case.objects.exists() and not Consent.objects.exists()


def test_it_refuses_an_ex_officio_application_without_explanation_and_consent(officer, resident):
    _refused(CaseErrorCode.EX_OFFICIO_EXPLANATION_REQUIRED, case_open, actor=officer, resident=resident,
             application=Application(applicant_type=ApplicantType.EX_OFFICIO,
                                     ex_officio_reason=ExOfficioReason.HOSPITAL_DISCHARGE))
    assert not Case.objects.exists()


def test_it_refuses_consent_given_after_the_application(officer, resident):
    now = timezone.now()
    _refused(CaseErrorCode.CONSENT_AFTER_APPLICATION, case_open, actor=officer, resident=resident,
             application=Application(applicant_type=ApplicantType.EX_OFFICIO, applied_at=now - dt.timedelta(hours=2),
                                     ex_officio_reason=ExOfficioReason.DISASTER, explained_at=now - dt.timedelta(hours=3),
                                     consent_at=now - dt.timedelta(hours=1)))
    assert not Case.objects.exists()


def test_an_ex_officio_application_records_reason_explanation_and_prior_consent(officer, resident):
    now = timezone.now()
    case = case_open(actor=officer, resident=resident, application=Application(
        applicant_type=ApplicantType.EX_OFFICIO, ex_officio_reason=ExOfficioReason.CANNOT_LIVE_ALONE,
        explained_at=now - dt.timedelta(minutes=30), consent_at=now - dt.timedelta(minutes=20)))
    assert case.ex_officio_reason == ExOfficioReason.CANNOT_LIVE_ALONE
    assert case.consent.purpose == ConsentPurpose.EX_OFFICIO
    assert case.consent.given_at == now - dt.timedelta(minutes=20)


def test_it_refuses_an_institution_application_without_the_persons_consent(officer, resident):
    _refused(CaseErrorCode.CONSENT_REQUIRED, case_open, actor=officer, resident=resident,
             application=Application(applicant_type=ApplicantType.INSTITUTION_STAFF, applicant_name="전주병원 사회사업팀",
                                     applicant_relation="퇴원 담당"))


def test_it_refuses_a_relatives_application_without_name_and_relation(officer, resident):
    _refused(CaseErrorCode.APPLICANT_NAME_REQUIRED, case_open, actor=officer, resident=resident,
             application=Application(applicant_type=ApplicantType.RELATIVE))


def test_a_discovered_case_becomes_an_application(officer, resident):
    case = case_discover(actor=officer, resident=resident, origin=CaseOrigin.COMMUNITY_REFERRAL, note="이웃 신고")
    assert case.status == CaseStatus.DISCOVERED
    case = case_application_record(actor=officer, case=case,
                                   application=Application(applicant_type=ApplicantType.SELF))
    assert case.status == CaseStatus.APPLIED
    assert list(case.events.values_list("type", flat=True)) == [CaseEventType.DISCOVERED,
                                                                 CaseEventType.APPLICATION_RECORDED]


def test_it_refuses_to_open_a_case_for_a_resident_outside_the_actors_dong(other_officer, resident):
    with pytest.raises(NotFound):
        case_open(actor=other_officer, resident=resident, application=Application(applicant_type=ApplicantType.SELF))
    assert not Case.objects.exists()


def test_partner_and_auditor_cannot_open_cases(partner, auditor, resident):
    for actor in (partner, auditor):
        _refused(CaseErrorCode.NOT_ALLOWED, case_open, actor=actor, resident=resident,
                 application=Application(applicant_type=ApplicantType.SELF))
