"""A worker marks a visit done, not at home (it comes back tomorrow) or rescheduled; the case timeline says so."""

from __future__ import annotations

import datetime as dt

import pytest

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.cases.models import CaseEventType
from dolbom.cases.selectors import case_visible
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.registry.selectors import resident_visible
from dolbom.testing import personas
from dolbom.visits import selectors, services
from dolbom.visits.models import Visit, VisitStatus
from dolbom.visits.tests.conftest import make_visit

CTX = AccessContext(path="/test")


@pytest.fixture
def planned(officer, manager, resident, nurse_worker, today):
    case = personas.open_case(officer, resident, manager=manager)
    visit = make_visit(officer, resident.household, due_on=today, case=case)
    services.visits_plan(actor=officer, date=today, time_limit=1)
    visit.refresh_from_db()
    return visit


def test_the_nurse_sees_the_client_of_an_assigned_visit_and_nobody_elses(planned, nurse, officer, today):
    other = make_visit(officer, personas.make_resident(officer, name="이말순").household, due_on=today + dt.timedelta(
        days=30))
    assert planned.assigned_to_id == nurse.pk
    assert list(resident_visible(nurse)) == [planned.case.resident]
    assert list(case_visible(nurse)) == [planned.case]
    assert list(selectors.visit_visible(nurse)) == [planned]
    with pytest.raises(NotFound):
        selectors.visit_get(viewer=nurse, visit_id=other.pk, context=CTX)
    assert AccessLog.objects.filter(actor=nurse, action=AccessAction.DENIED, record_id=str(other.pk)).exists()


def test_done_writes_the_timeline(planned, nurse):
    services.visit_mark(actor=nurse, visit=planned, outcome=VisitStatus.DONE, note="혈압 130/85")
    planned.refresh_from_db()
    assert planned.status == VisitStatus.DONE
    event = planned.case.events.get(type=CaseEventType.VISIT_DONE)
    assert event.actor == nurse and event.note == "혈압 130/85" and event.new["visit_id"] == planned.pk


def test_not_at_home_brings_the_visit_back_the_next_day(planned, nurse, today):
    services.visit_mark(actor=nurse, visit=planned, outcome=VisitStatus.NOT_HOME)
    again = Visit.objects.get(previous=planned)
    assert again.due_on == today + dt.timedelta(days=1)
    assert again.status == VisitStatus.OPEN and again.case == planned.case
    assert planned.case.events.get(type=CaseEventType.VISIT_NOT_HOME).new["next_visit_id"] == again.pk


def test_rescheduling_needs_a_later_date(planned, nurse, today):
    with pytest.raises(DomainError):
        services.visit_mark(actor=nurse, visit=planned, outcome=VisitStatus.RESCHEDULED, reschedule_to=today)
    services.visit_mark(actor=nurse, visit=planned, outcome=VisitStatus.RESCHEDULED,
                        reschedule_to=today + dt.timedelta(days=5))
    assert Visit.objects.get(previous=planned).due_on == today + dt.timedelta(days=5)
    assert planned.case.events.filter(type=CaseEventType.VISIT_RESCHEDULED).count() == 1


def test_a_visit_with_an_outcome_cannot_be_marked_again(planned, nurse):
    services.visit_mark(actor=nurse, visit=planned, outcome=VisitStatus.DONE)
    with pytest.raises(DomainError):
        services.visit_mark(actor=nurse, visit=planned, outcome=VisitStatus.NOT_HOME)


def test_a_nurse_cannot_mark_someone_elses_visit(planned, db):
    other_nurse = personas.make_staff("nurse9", "서다인", personas.Role.NURSE, "서신동")
    with pytest.raises(Forbidden):
        services.visit_mark(actor=other_nurse, visit=planned, outcome=VisitStatus.DONE)
