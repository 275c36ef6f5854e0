"""Finding (high): a visit opened any household.

As the case manager, ``POST /api/visits`` with any ``household_id`` and one of their own ``case_id``
answered 201 with that household's dong and coordinates, and the nurse given the visit could then read its
residents; as the dong officer the call answered 404 but wrote the visit anyway. A visit's household must be
the case's or in the writer's scope, and a refusal writes nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.audit.models import AccessAction, AccessLog
from dolbom.lib.errors import NotFound
from dolbom.testing import personas
from dolbom.testing.api import api_as
from dolbom.visits import services
from dolbom.visits.models import Visit


@pytest.fixture
def elsewhere(other_officer):
    """한 가구 in 효자1동, outside 서신동's officer and case manager, with one resident."""
    return personas.make_resident(other_officer, name="김말순", area_name="효자1동").household


@pytest.fixture
def own_case(officer, manager):
    return personas.open_case(officer, personas.make_resident(officer), manager=manager)


def _body(household_id: int, case_id: int | None) -> dict:
    return {"household_id": household_id, "case_id": case_id, "visit_type": "home_nursing", "skill": "nurse",
            "duration_minutes": 30, "window_start": "09:00", "window_end": "12:00",
            "due_on": timezone.localdate().isoformat()}


@pytest.mark.parametrize("writer", ["manager", "officer"])
def test_a_visit_to_a_household_outside_scope_is_refused_and_writes_nothing(request, writer, own_case, elsewhere):
    user = request.getfixturevalue(writer)
    r = api_as(user).post("/api/visits", _body(elsewhere.pk, own_case.pk))
    assert (r.status_code, r.json()["code"]) == (404, "visit_not_found")
    assert "효자1동" not in r.content.decode()
    assert not Visit.objects.exists()
    # The attempt names the household's people in the access log, not only the case's client.
    denied = AccessLog.objects.get(actor=user, action=AccessAction.DENIED)
    assert denied.record_type == "household" and denied.subject_ids == [elsewhere.members.get().pk]


def test_the_service_refuses_it_too_whoever_calls_it(manager, own_case, elsewhere):
    with pytest.raises(NotFound):
        services.visit_create(actor=manager, household=elsewhere, case=own_case, visit_type="home_nursing",
                              skill="nurse", duration_minutes=30, window_start=dt.time(9), window_end=dt.time(12),
                              due_on=timezone.localdate())
    assert not Visit.objects.exists()


def test_a_nurse_given_such_a_visit_could_not_read_the_household(db, manager, own_case, elsewhere):
    nurse = personas.make_staff("seyoung", "오세영", Role.NURSE, "서신동")
    api_as(manager).post("/api/visits", _body(elsewhere.pk, own_case.pk))
    Visit.objects.update(assigned_to=nurse, planned_on=timezone.localdate())  # as the morning plan would
    assert api_as(nurse).get(f"/api/households/{elsewhere.pk}").status_code == 404


@pytest.mark.parametrize("writer", ["manager", "officer"])
def test_the_case_household_and_households_in_scope_are_accepted(request, writer, own_case):
    user = request.getfixturevalue(writer)
    r = api_as(user).post("/api/visits", _body(own_case.resident.household_id, own_case.pk))
    assert r.status_code == 201, r.content
    assert r.json()["household_id"] == own_case.resident.household_id
    other_in_dong = personas.make_household(user)
    r = api_as(user).post("/api/visits", _body(other_in_dong.pk, own_case.pk))
    assert r.status_code == 201, r.content
    assert Visit.objects.count() == 2


def test_a_case_managers_own_client_living_in_another_dong_is_visited_at_home(db, manager, other_officer):
    resident = personas.make_resident(other_officer, name="김순자", area_name="효자1동")
    case = personas.open_case(other_officer, resident, manager=manager)
    r = api_as(manager).post("/api/visits", _body(resident.household_id, case.pk))
    assert r.status_code == 201, r.content
