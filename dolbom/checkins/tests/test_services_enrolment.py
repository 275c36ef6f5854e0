"""Enrolment by a case manager, pause, resume, stop, and the schedule of due calls."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.cases.models import CaseEventType
from dolbom.checkins import services
from dolbom.checkins.models import Call, CallStatus, EnrolmentStatus
from dolbom.checkins.tests.conftest import enrol
from dolbom.lib.errors import DomainError, Forbidden, NotFound

pytestmark = pytest.mark.django_db


def test_it_enrols_a_client_with_a_case_and_schedules_the_first_call_in_the_window(manager, case):
    e = enrol(manager, case, weekday=3, window_start=dt.time(14), window_end=dt.time(16), opted_out=["mood"])
    local = timezone.localtime(e.next_due_at)
    assert local.weekday() == 3 and local.time() == dt.time(14) and e.next_due_at > timezone.now()
    assert "mood" not in e.topics and e.status == EnrolmentStatus.ACTIVE
    event = case.events.get(type=CaseEventType.CHECKIN_ENROLLED)
    assert event.actor == manager and "14:00-16:00" in event.new["summary"]


def test_it_refuses_a_second_enrolment_a_closed_window_and_an_unknown_topic(manager, case):
    with pytest.raises(DomainError) as exc:
        enrol(manager, case, window_start=dt.time(12), window_end=dt.time(10))
    assert exc.value.code == "schedule_invalid"
    with pytest.raises(DomainError) as exc:
        enrol(manager, case, topics=["politics"])
    assert exc.value.code == "topic_invalid"
    enrol(manager, case)
    with pytest.raises(DomainError) as exc:
        enrol(manager, case)
    assert exc.value.code == "already_enrolled"


def test_another_dong_cannot_enrol_and_a_partner_is_refused(other_officer, partner, case):
    with pytest.raises(NotFound):
        enrol(other_officer, case)
    with pytest.raises(Forbidden):
        enrol(partner, case)


def test_pausing_cancels_due_calls_and_resuming_reschedules(manager, enrolment):
    call = services.call_now(actor=manager, enrolment=enrolment)
    paused = services.enrolment_set_status(actor=manager, enrolment=enrolment, status="paused", note="입원")
    call.refresh_from_db()
    assert paused.status == EnrolmentStatus.PAUSED and paused.next_due_at is None
    assert call.status == CallStatus.CANCELLED
    with pytest.raises(DomainError):
        services.call_now(actor=manager, enrolment=enrolment)
    resumed = services.enrolment_set_status(actor=manager, enrolment=enrolment, status="active")
    assert resumed.next_due_at is not None
    stopped = services.enrolment_set_status(actor=manager, enrolment=enrolment, status="stopped")
    with pytest.raises(DomainError) as exc:
        services.enrolment_set_status(actor=manager, enrolment=stopped, status="active")
    assert exc.value.code == "enrolment_stopped"
    changes = enrolment.case.events.filter(type=CaseEventType.CHECKIN_CHANGED)
    assert [e.new["enrolment_status"] for e in changes] == ["paused", "active", "stopped"]


def test_the_schedule_follows_the_frequency(manager, case, officer):
    weekly = enrol(manager, case, frequency="twice_weekly", weekday=0, second_weekday=3)
    start = dt.datetime(2026, 6, 1, 9, tzinfo=timezone.get_current_timezone())  # a Monday
    first = services.next_due(weekly, after=start)
    second = services.next_due(weekly, after=first)
    assert (first.weekday(), second.weekday()) == (0, 3)
    weekly.frequency = "twice_monthly"
    a = services.next_due(weekly, after=start)
    b = services.next_due(weekly, after=a, previous=a)
    assert (b - a).days >= 13


def test_the_runner_turns_a_due_enrolment_into_one_call_and_moves_the_schedule_on(manager, enrolment):
    due = enrolment.next_due_at
    assert services.calls_schedule(now=due - dt.timedelta(minutes=1)) == 0
    assert services.calls_schedule(now=due + dt.timedelta(days=30)) == 1
    assert services.calls_schedule(now=due + dt.timedelta(days=30)) == 0
    call = Call.objects.get(enrolment=enrolment)
    assert call.status == CallStatus.DUE and call.due_at == due
    enrolment.refresh_from_db()
    assert enrolment.next_due_at > due + dt.timedelta(days=30)
