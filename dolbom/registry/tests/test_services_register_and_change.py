"""Registering a resident and household, changing their phone and target groups, and a household's move to
another dong: every change keeps what was there before, with who and why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.areas.models import BoundaryArea
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.registry.models import ChangeKind, Consent, Household, RegistryChange, Resident
from dolbom.registry.selectors import resident_history, resident_visible
from dolbom.registry.services import (
    Address,
    TargetGroups,
    consent_record,
    household_move,
    resident_details_change,
    resident_register,
)
from dolbom.testing import personas

pytestmark = pytest.mark.django_db


def _address(area: str = "서신동", road: str = "전주시 완산구 서신로 20") -> Address:
    return Address(road_address=road, address_detail="101호", area=BoundaryArea.objects.get(name=area))


def test_it_registers_a_resident_in_a_new_household_with_the_dong_of_the_address(officer):
    resident = resident_register(actor=officer, name="박순자", rrn=personas.make_rrn(dt.date(1950, 5, 5), "F"),
                                 phone="010-2222-3333", address=_address(),
                                 groups=TargetGroups(has_severe_disability=True))
    assert resident.dong.name == "서신동" and resident.household.size == 1 and resident.lives_alone
    assert resident.is_older and resident.has_severe_disability
    change = RegistryChange.objects.get()
    assert change.kind == ChangeKind.REGISTERED and change.actor == officer and change.resident == resident


def test_a_refused_registration_number_leaves_no_empty_household(officer):
    with pytest.raises(DomainError) as refused:
        resident_register(actor=officer, name="박순자", rrn="500505-2345670", address=_address())
    assert refused.value.code == "rrn_invalid"
    assert not Household.objects.exists() and not RegistryChange.objects.exists()


def test_it_refuses_to_register_a_household_in_another_dong(other_officer):
    with pytest.raises(Forbidden):
        resident_register(actor=other_officer, name="박순자", rrn=personas.make_rrn(dt.date(1950, 5, 5), "F"),
                          address=_address("서신동"))
    assert not Resident.objects.exists()


def test_a_new_member_joins_an_existing_household_and_nobody_lives_alone_any_more(officer, resident):
    spouse = resident_register(actor=officer, name="김철수", rrn=personas.make_rrn(dt.date(1946, 1, 9), "M"),
                               household=resident.household)
    resident.refresh_from_db()
    assert spouse.household == resident.household and not resident.lives_alone and not spouse.lives_alone


def test_a_change_of_phone_and_target_groups_keeps_the_old_values_with_the_reason(officer, resident):
    resident_details_change(actor=officer, resident=resident, phone="010-9999-0000",
                            groups=TargetGroups(is_older=True, has_mental_illness=True), reason="본인 연락처 변경 신고")
    resident.refresh_from_db()
    assert resident.phone == "010-9999-0000" and resident.has_mental_illness
    change = resident_history(resident=resident).first()
    assert change.changes["phone"] == ["010-1234-5678", "010-9999-0000"]
    assert change.changes["target_groups"][1].count(",") == 1
    assert change.reason == "본인 연락처 변경 신고" and change.actor == officer


def test_a_change_needs_a_reason_and_a_difference(officer, resident):
    with pytest.raises(DomainError, match="이력"):
        resident_details_change(actor=officer, resident=resident, phone="010-9999-0000",
                                groups=TargetGroups(is_older=True), reason="")
    with pytest.raises(DomainError) as same:
        resident_details_change(actor=officer, resident=resident, phone=resident.phone,
                                groups=TargetGroups(is_older=True), reason="확인")
    assert same.value.code == "nothing_changed"
    assert not RegistryChange.objects.exists()


def test_a_household_moves_to_another_dong_with_its_members_and_leaves_the_old_dongs_sight(
        officer, other_officer, resident):
    case = personas.open_case(officer, resident)
    household_move(actor=officer, household=resident.household, reason="효자1동으로 전출 신고",
                   address=_address("효자1동", "전주시 완산구 효자로 5"))
    resident.refresh_from_db()
    assert resident.dong.name == "효자1동" and resident.household.dong.name == "효자1동"
    assert resident.household.lon is None  # the old coordinates were the old address's
    assert not resident_visible(officer).filter(pk=resident.pk).exists()
    assert resident_visible(other_officer).filter(pk=resident.pk).exists()
    case.refresh_from_db()
    assert case.dong.name == "서신동"  # a case keeps the dong it was opened in
    change = RegistryChange.objects.get(kind=ChangeKind.ADDRESS)
    assert change.changes["dong"] == ["서신동", "효자1동"]
    assert change.changes["address"][0] == "전주시 완산구 서신로 1"
    assert change in resident_history(resident=resident)


def test_only_the_dong_the_household_lives_in_records_its_move(other_officer, resident):
    with pytest.raises(NotFound):
        household_move(actor=other_officer, household=resident.household, reason="전입", address=_address("효자1동"))


def test_a_consent_given_in_the_future_is_refused(officer, resident):
    with pytest.raises(DomainError) as refused:
        consent_record(actor=officer, resident=resident, purpose="case_management", recipient="전주시",
                       given_at=timezone.now() + dt.timedelta(hours=2))
    assert refused.value.code == "consent_in_future"
    assert not Consent.objects.exists()
    # A few minutes of difference between the office PC's clock and the server's are not refused.
    consent_record(actor=officer, resident=resident, purpose="case_management", recipient="전주시",
                   given_at=timezone.now() + dt.timedelta(minutes=2))
