"""Starting a case from the resident page: on an application (self, relative, ex officio) or as discovered."""

from __future__ import annotations

from dolbom.cases.models import ApplicantType, Case, CaseStatus
from dolbom.registry.models import Consent


def test_it_starts_a_case_on_an_application(login, officer, resident):
    c = login(officer)
    c.post(f"/residents/{resident.pk}/purpose/", {"purpose": "신청 접수"})
    response = c.post(f"/residents/{resident.pk}/cases/open/", {"applicant_type": "self"})
    case = Case.objects.get(resident=resident)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.status == CaseStatus.APPLIED and case.applicant_type == ApplicantType.SELF

def test_it_refuses_an_ex_officio_application_without_reason_and_consent(login, officer, resident):
    c = login(officer)
    c.post(f"/residents/{resident.pk}/purpose/", {"purpose": "직권 신청"})
    response = c.post(f"/residents/{resident.pk}/cases/open/", {"applicant_type": "ex_officio"})
    assert response.status_code == 400
    assert "직권 신청은 법정 사유 6가지 중 하나가 있어야 합니다" in response.content.decode()
    no_consent = c.post(f"/residents/{resident.pk}/cases/open/",
                        {"applicant_type": "ex_officio", "ex_officio_reason": "hospital_discharge"})
    assert no_consent.status_code == 400
    assert "사전 동의를 받은 일시를 기록해 주세요" in no_consent.content.decode()
    assert not Case.objects.exists() and not Consent.objects.exists()

def test_it_opens_an_ex_officio_application_with_reason_and_consent(login, officer, resident):
    c = login(officer)
    c.post(f"/residents/{resident.pk}/purpose/", {"purpose": "직권 신청"})
    c.post(f"/residents/{resident.pk}/cases/open/", {
        "applicant_type": "ex_officio", "ex_officio_reason": "hospital_discharge",
        "explained_at": "2025-05-01T09:00", "consent_at": "2025-05-01T09:10", "applied_at": "2025-05-01T09:30",
    })
    case = Case.objects.get(resident=resident)
    assert case.ex_officio_reason == "hospital_discharge" and case.consent is not None

def test_it_starts_a_discovered_case(login, officer, resident):
    c = login(officer)
    c.post(f"/residents/{resident.pk}/purpose/", {"purpose": "위기가구 방문"})
    c.post(f"/residents/{resident.pk}/cases/discover/", {"origin": "crisis_discovery", "note": "단전 3개월"})
    case = Case.objects.get(resident=resident)
    assert case.status == CaseStatus.DISCOVERED and case.origin_note == "단전 3개월"
