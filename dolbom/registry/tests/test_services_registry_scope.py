"""Registry writes keep to the writer's dong, whatever screen or script calls them."""

from __future__ import annotations

import pytest

from dolbom.lib.errors import Forbidden
from dolbom.registry.errors import RegistryErrorCode
from dolbom.registry.models import Consent, Household, Resident
from dolbom.registry.services import consent_record, consent_withdraw
from dolbom.testing import personas

pytestmark = pytest.mark.django_db


def test_it_refuses_a_dong_officer_registering_a_household_in_another_dong(officer):
    with pytest.raises(Forbidden) as exc:
        personas.make_household(officer, "효자1동")
    assert exc.value.code == RegistryErrorCode.OUTSIDE_DONG
    assert not Household.objects.exists()


def test_it_refuses_a_resident_in_a_household_of_another_dong(officer, other_officer):
    household = personas.make_household(other_officer, "효자1동")
    with pytest.raises(Forbidden):
        personas.make_resident(officer, household=household)
    assert not Resident.objects.exists()


def test_the_city_team_registers_in_any_dong(city):
    resident = personas.make_resident(city, area_name="효자1동")
    assert resident.dong.name == "효자1동"


def test_partner_workers_and_auditors_register_no_one(partner, auditor):
    for user in (partner, auditor):
        with pytest.raises(Forbidden) as exc:
            personas.make_household(user)
        assert exc.value.code == RegistryErrorCode.NOT_ALLOWED


def test_it_refuses_consent_for_a_resident_out_of_scope(officer, other_officer):
    elsewhere = personas.make_resident(other_officer, name="박복례", area_name="효자1동")
    with pytest.raises(Forbidden):
        consent_record(actor=officer, resident=elsewhere, purpose="case_management", recipient="전주시")
    consent = consent_record(actor=other_officer, resident=elsewhere, purpose="case_management", recipient="전주시")
    with pytest.raises(Forbidden):
        consent_withdraw(actor=officer, consent=consent)
    assert Consent.objects.get().withdrawn_at is None
