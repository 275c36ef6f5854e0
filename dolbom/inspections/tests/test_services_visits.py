"""Facility visits routed by the visits app's solver, and routine visits scheduled as kitchens fall due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.inspections import services
from dolbom.inspections.models import FacilityVisit, Inspection, InspectionStatus
from dolbom.inspections.tests.conftest import doc, make_facility
from dolbom.lib.errors import Forbidden

pytestmark = pytest.mark.django_db


def test_the_days_facility_visits_are_routed_for_the_inspectors(lead, inspector):
    today = timezone.localdate()
    kitchens = [make_facility(lead, lon=127.10 + 0.01 * k, lat=35.82 + 0.005 * k) for k in range(4)]
    for f in kitchens:
        services.facility_visit_create(actor=lead, facility=f, kind="reinspection", due_on=today, duration_minutes=40)
    plan = services.facility_visits_plan(actor=lead, date=today, time_limit=1)
    planned = FacilityVisit.objects.filter(planned_on=today)
    assert planned.count() == 4 and plan.unassigned == {}
    assert {v.assigned_to_id for v in planned} <= {lead.pk, inspector.pk}
    for route in plan.routes:
        starts = [FacilityVisit.objects.get(pk=v).planned_start for v in route["visit_ids"]]
        assert starts == sorted(starts)  # in visit order
        assert all(dt.time(9, 30) <= s for s in starts)


def test_an_inspector_cannot_plan_the_routes(inspector):
    with pytest.raises(Forbidden):
        services.facility_visits_plan(actor=inspector, date=timezone.localdate())


def test_kitchens_falling_due_get_one_routine_visit_however_often_the_job_runs(lead, inspector):
    due = make_facility(lead, risk_level="high")
    services.inspection_sync(actor=inspector, doc=doc(due, submit=True,
                                                      visited_on=timezone.localdate() - dt.timedelta(days=40)),
                             today=timezone.localdate())
    Inspection.objects.filter(facility=due).update(visited_on=timezone.localdate() - dt.timedelta(days=85))
    fresh = make_facility(lead, risk_level="low")
    services.inspection_sync(actor=inspector, doc=doc(fresh, submit=True))
    assert services.schedule_due(actor=lead) == 1
    assert services.schedule_due(actor=lead) == 0
    visit = FacilityVisit.objects.get(kind="routine")
    assert visit.facility_id == due.pk and visit.due_on == timezone.localdate() + dt.timedelta(days=5)
    assert Inspection.objects.filter(status=InspectionStatus.CLOSED).count() == 2
