"""The visits API: the morning plan, a worker's day, outcomes, and the refusals."""

from __future__ import annotations

import pytest

from dolbom.cases.models import CaseEventType
from dolbom.testing import personas
from dolbom.testing.api import api_as
from dolbom.visits.models import Skill, Visit, VisitStatus
from dolbom.visits.tests.conftest import household_at, make_visit


@pytest.fixture
def day(officer, manager, resident, nurse_worker, today):
    case = personas.open_case(officer, resident, manager=manager)
    visits = [make_visit(officer, resident.household, due_on=today, case=case)]
    for k in range(3):
        visits.append(make_visit(officer, household_at(officer, 127.11 + 0.004 * k, 35.827), due_on=today))
    visits.append(make_visit(officer, household_at(officer, 127.12, 35.82), due_on=today, skill=Skill.SOCIAL_WORKER))
    return visits


def test_the_morning_button_returns_routes_and_what_was_left_out(officer, nurse, day, today):
    r = api_as(officer).post("/api/visits/plan", {"date": today, "time_limit": 1})
    assert r.status_code == 201, r.content
    body = r.json()
    (route,) = [x for x in body["routes"] if x["visits"]]
    assert route["skill"] == "nurse" and route["base_dong"] == "서신동"
    assert [v["planned_order"] for v in route["visits"]] == [1, 2, 3, 4]
    assert [u["reason"] for u in body["unassigned"]] == ["no_skilled_worker"]
    assert body["unassigned"][0]["reason_text"]
    again = api_as(officer).get("/api/visits/plan", {"date": today})
    assert again.status_code == 200 and again.json()["id"] == body["id"]


def test_the_nurse_gets_her_day_and_marks_a_visit_not_at_home(officer, nurse, day, today):
    api_as(officer).post("/api/visits/plan", {"date": today, "time_limit": 1})
    mine = api_as(nurse).get("/api/visits/my-day", {"date": today}).json()
    assert len(mine) == 4
    first_case_visit = next(v for v in mine if v["case_id"])
    r = api_as(nurse).post(f"/api/visits/{first_case_visit['id']}/outcome", {"outcome": "not_home"})
    assert r.status_code == 200 and r.json()["status"] == VisitStatus.NOT_HOME
    visit = Visit.objects.get(pk=first_case_visit["id"])
    assert visit.case.events.filter(type=CaseEventType.VISIT_NOT_HOME).exists()
    assert Visit.objects.filter(previous=visit, status=VisitStatus.OPEN).exists()


def test_a_nurse_cannot_plan_and_an_unknown_outcome_is_refused(officer, nurse, day, today):
    assert api_as(nurse).post("/api/visits/plan", {"date": today, "time_limit": 1}).status_code == 403
    api_as(officer).post("/api/visits/plan", {"date": today, "time_limit": 1})
    vid = api_as(nurse).get("/api/visits/my-day", {"date": today}).json()[0]["id"]
    r = api_as(nurse).post(f"/api/visits/{vid}/outcome", {"outcome": "lost"})
    assert r.status_code == 400 and r.json()["code"] == "outcome_invalid"


def test_another_dongs_officer_gets_404_for_a_visit(other_officer, day):
    r = api_as(other_officer).post(f"/api/visits/{day[0].pk}/outcome", {"outcome": "done"})
    assert r.status_code == 404


def test_a_visit_is_added_to_a_household_of_the_dong(officer, today):
    hh = household_at(officer, 127.115, 35.826)
    r = api_as(officer).post("/api/visits", {
        "household_id": hh.pk, "visit_type": "discovery", "skill": "social_worker", "duration_minutes": 30,
        "window_start": "09:00", "window_end": "12:00", "due_on": today})
    assert r.status_code == 201, r.content
    assert r.json()["lon"] == pytest.approx(127.115)
    r = api_as(officer).post("/api/visits", {
        "household_id": hh.pk, "visit_type": "discovery", "skill": "social_worker", "duration_minutes": 90,
        "window_start": "09:00", "window_end": "10:00", "due_on": today})
    assert r.json()["code"] == "window_invalid"
