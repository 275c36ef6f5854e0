from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.areas.models import BoundaryArea
from dolbom.registry.models import Household
from dolbom.registry.services import household_create
from dolbom.testing import personas
from dolbom.visits import services
from dolbom.visits.models import Priority, Skill, Visit, VisitType

_serial = itertools.count(1)


@pytest.fixture
def nurse(db) -> User:
    """오세영, visiting nurse based at the 서신동 office."""
    return personas.make_staff("seyoung", "오세영", Role.NURSE, "서신동")


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


def household_at(actor: User, lon: float, lat: float, area: str = "서신동") -> Household:
    return household_create(actor=actor, number=f"H-V{next(_serial):07d}", road_address="전주시 완산구 서신로 9",
                            area=BoundaryArea.objects.get(name=area), lon=lon, lat=lat)


def make_visit(actor: User, household: Household, *, due_on: dt.date, skill: str = Skill.NURSE,
               priority: int = Priority.NORMAL, case=None, minutes: int = 30,
               window: tuple[dt.time, dt.time] = (dt.time(9), dt.time(17))) -> Visit:
    return services.visit_create(actor=actor, household=household, case=case, visit_type=VisitType.HOME_NURSING,
                                 skill=skill, duration_minutes=minutes, window_start=window[0],
                                 window_end=window[1], due_on=due_on, priority=priority)


@pytest.fixture
def nurse_worker(officer, nurse):
    return services.worker_set(actor=officer, user=nurse, skill=Skill.NURSE,
                               base_dong=personas.dong("서신동"))


@pytest.fixture(autouse=True)
def _short_solver_time(settings):
    """The morning plan's solver time is the server's setting (10 s by default); tests need 1 s."""
    settings.DOLBOM_VISITS_TIME_LIMIT = 1.0
