from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from dolbom.accounts.models import Role, StaffProfile
from dolbom.referrals.models import Institution, InstitutionKind, Service
from dolbom.registry.models import Consent, ConsentPurpose, Resident
from dolbom.registry.services import consent_record
from dolbom.testing import personas

NURSING_CODE = "JJ-HN-001"
HOSPITAL_CODE = "JJ-HP-001"


@pytest.fixture
def nursing(db) -> Institution:
    return Institution.objects.create(code=NURSING_CODE, name="전주 방문간호센터",
                                      kind=InstitutionKind.HOME_NURSING_AGENCY, phone="063-000-0001")


@pytest.fixture
def hospital(db) -> Institution:
    return Institution.objects.create(code=HOSPITAL_CODE, name="전주 새봄병원", kind=InstitutionKind.HOSPITAL)


@pytest.fixture
def nursing_service(nursing) -> Service:
    return Service.objects.create(institution=nursing, code="SV-HN-1", name="방문간호", category_code="A02",
                                  citywide=True, capacity=40)


@pytest.fixture
def hospital_service(hospital) -> Service:
    return Service.objects.create(institution=hospital, code="SV-HP-1", name="퇴원환자 방문", category_code="A05",
                                  citywide=True)


@pytest.fixture
def partner(partner, nursing) -> User:
    """이수진 of 전주 방문간호센터, scoped by the institution's code."""
    StaffProfile.objects.filter(user=partner).update(institution_code=nursing.code)
    partner.refresh_from_db()
    partner.staff.refresh_from_db()
    return partner


@pytest.fixture
def hospital_worker(db, hospital) -> User:
    user = personas.make_staff("nurse_hp", "오지현", Role.PARTNER, institution=hospital.name)
    StaffProfile.objects.filter(user=user).update(institution_code=hospital.code)
    user.staff.refresh_from_db()
    return user


@pytest.fixture
def case(officer, manager, resident):
    """김영숙's case, managed by 박정우, with a support plan (병원동행 line)."""
    c = personas.open_case(officer, resident, manager=manager)
    personas.survey(officer, c)
    personas.decide(officer, c)
    personas.plan(officer, c)
    c.refresh_from_db()
    return c


@pytest.fixture
def plan_line(case):
    return case.plans.get().lines.get()


def share_with(actor: User, resident: Resident, institution: Institution, **kwargs: Any) -> Consent:
    return consent_record(actor=actor, resident=resident, purpose=ConsentPurpose.INFORMATION_SHARING,
                          recipient=institution.name, recipient_code=institution.code, **kwargs)


@pytest.fixture
def consent(officer, resident, nursing) -> Consent:
    return share_with(officer, resident, nursing)
