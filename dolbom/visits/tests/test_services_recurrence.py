"""A support plan line such as "home nursing twice a week" creates its own visits."""

from __future__ import annotations

import datetime as dt

import pytest

from dolbom.lib.errors import DomainError
from dolbom.testing import personas
from dolbom.visits import services
from dolbom.visits.models import Skill, Visit, VisitType


def test_twice_a_week_creates_visits_on_those_weekdays_once(officer, manager, resident):
    case = personas.open_case(officer, resident, manager=manager)
    monday = dt.date(2026, 11, 23)
    rec = services.visit_recurrence_create(
        actor=officer, case=case, visit_type=VisitType.HOME_NURSING, skill=Skill.NURSE, weekdays=[0, 3],
        duration_minutes=40, window_start=dt.time(9), window_end=dt.time(12), starts_on=monday,
        ends_on=monday + dt.timedelta(days=20))
    assert services.visits_generate(start=monday, end=monday + dt.timedelta(days=13)) == 4
    assert services.visits_generate(start=monday, end=monday + dt.timedelta(days=13)) == 0
    days = list(Visit.objects.filter(recurrence=rec).values_list("due_on", flat=True))
    assert {d.weekday() for d in days} == {0, 3}
    assert all(v.household_id == resident.household_id for v in Visit.objects.filter(recurrence=rec))


def test_it_refuses_an_empty_week_or_a_window_shorter_than_the_visit(officer, resident):
    case = personas.open_case(officer, resident)
    kwargs = dict(actor=officer, case=case, visit_type=VisitType.HOME_NURSING, skill=Skill.NURSE,
                  starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 2, 1), window_start=dt.time(9))
    with pytest.raises(DomainError):
        services.visit_recurrence_create(weekdays=[], duration_minutes=40, window_end=dt.time(12), **kwargs)
    with pytest.raises(DomainError):
        services.visit_recurrence_create(weekdays=[1], duration_minutes=90, window_end=dt.time(10), **kwargs)
