from __future__ import annotations

import datetime as dt

from dolbom.areas.models import BoundaryArea
from dolbom.cases.models import Case
from dolbom.registry.models import Household, Resident
from dolbom.registry.services import dong_assignments_refresh, household_create
from dolbom.testing import personas


def test_after_the_merge_households_move_to_the_new_dong_but_cases_keep_the_old_one(city):
    area = BoundaryArea.objects.get(name="금암2동")
    household = household_create(actor=city, number="H-GEUMAM-1", road_address="전주시 덕진구 기린대로 1",
                                 area=area, on=dt.date(2025, 3, 1))
    assert household.dong.name == "금암2동"
    person = personas.make_resident(city, name="오순자", household=household)
    Resident.objects.filter(pk=person.pk).update(dong=household.dong)
    case = personas.open_case(city, Resident.objects.get(pk=person.pk), manager=city)
    assert case.dong.name == "금암2동"

    assert dong_assignments_refresh(on=dt.date(2025, 4, 1)) == 1
    assert Household.objects.get(pk=household.pk).dong.name == "금암동"
    assert Resident.objects.get(pk=person.pk).dong.name == "금암동"
    assert Case.objects.get(pk=case.pk).dong.name == "금암2동"
    assert dong_assignments_refresh(on=dt.date(2025, 4, 1)) == 0
