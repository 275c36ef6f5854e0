"""The morning plan for a dong office, and who may run it."""

from __future__ import annotations

import datetime as dt

import pytest

from dolbom.lib.errors import Forbidden
from dolbom.testing import personas
from dolbom.visits import services
from dolbom.visits.models import DayPlan, Priority, Skill, Visit, VisitStatus
from dolbom.visits.tests.conftest import household_at, make_visit


@pytest.fixture
def day(officer, nurse_worker, manager, today):
    services.worker_set(actor=officer, user=manager, skill=Skill.CASE_MANAGER, base_dong=personas.dong("서신동"))
    visits = []
    for k in range(6):
        hh = household_at(officer, 127.115 + 0.003 * k, 35.824 + 0.002 * (k % 3))
        visits.append(make_visit(officer, hh, due_on=today, skill=Skill.NURSE if k % 2 else Skill.CASE_MANAGER,
                                 priority=Priority.HIGH if k == 0 else Priority.NORMAL))
    return visits


def test_a_dong_officer_plans_the_day_and_every_worker_gets_an_ordered_route(officer, nurse, manager, day, today):
    plan = services.visits_plan(actor=officer, date=today, time_limit=1)
    assert not plan.unassigned
    routes = {r.worker.user_id: r for r in plan.routes.all()}
    assert set(routes) == {nurse.pk, manager.pk}
    for user_id, r in routes.items():
        visits = [Visit.objects.get(pk=i) for i in r.visit_ids]
        assert [v.planned_order for v in visits] == list(range(1, len(visits) + 1))
        assert all(v.assigned_to_id == user_id and v.planned_on == today for v in visits)
        assert [v.planned_start for v in visits] == sorted(v.planned_start for v in visits)
        skill = Skill.NURSE if user_id == nurse.pk else Skill.CASE_MANAGER
        assert all(v.skill == skill for v in visits)


def test_planning_again_replaces_the_earlier_assignment(officer, day, today):
    services.visits_plan(actor=officer, date=today, time_limit=1)
    services.visits_plan(actor=officer, date=today, time_limit=1)
    assert DayPlan.objects.filter(date=today).count() == 2
    latest = DayPlan.objects.first()
    assert sorted(i for r in latest.routes.all() for i in r.visit_ids) == sorted(v.pk for v in day)


def test_a_visit_no_worker_can_do_is_listed_with_its_reason(officer, nurse_worker, today):
    hh = household_at(officer, 127.12, 35.825)
    v = make_visit(officer, hh, due_on=today, skill=Skill.SOCIAL_WORKER)
    plan = services.visits_plan(actor=officer, date=today, time_limit=1)
    assert plan.unassigned == {str(v.pk): "no_skilled_worker"}


def test_a_visit_due_later_that_did_not_fit_is_not_reported_as_left_out(officer, nurse_worker, today):
    hh = household_at(officer, 127.12, 35.825)
    make_visit(officer, hh, due_on=today + dt.timedelta(days=2), skill=Skill.SOCIAL_WORKER)
    plan = services.visits_plan(actor=officer, date=today, time_limit=1)
    assert plan.unassigned == {}


def test_a_nurse_or_an_auditor_cannot_run_the_plan(nurse, auditor, today):
    for user in (nurse, auditor):
        with pytest.raises(Forbidden):
            services.visits_plan(actor=user, date=today, time_limit=1)


def test_another_dong_does_not_plan_this_dongs_visits(other_officer, day, today):
    plan = services.visits_plan(actor=other_officer, date=today, time_limit=1)
    assert not plan.routes.exists()
    assert Visit.objects.filter(status=VisitStatus.OPEN, planned_on__isnull=True).count() == len(day)
