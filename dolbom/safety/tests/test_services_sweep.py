"""The clock as rows: overdue deadlines fire at the worker's start and on the sweep; absences, faults,
escalation and the automatic check-in call."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.cases.models import CaseEvent, CaseOrigin, CaseStatus
from dolbom.safety import services
from dolbom.safety.models import (
    Cause,
    CheckinStatus,
    Clock,
    DeviceTicket,
    Escalation,
    FaultKind,
    Incident,
    Level,
    LogKind,
    Outcome,
    Severity,
)
from dolbom.safety.services import sweep
from dolbom.safety.tests.conftest import ingest, payload
from dolbom.testing import personas


def _silent_since(home, hours: float) -> dt.datetime:
    """The home's last sign of life ``hours`` ago (as if the worker had been down since)."""
    at = timezone.now() - dt.timedelta(hours=hours)
    Clock.objects.filter(home=home).update(base_at=at, last_activity_at=at, next_level="caution",
                                           due_at=at + dt.timedelta(hours=12))
    return at


def test_an_overdue_caution_fires_on_the_sweep(home):
    _silent_since(home, 12.5)
    report = sweep()
    incident = Incident.objects.get()
    assert report.fired == 1
    assert (incident.cause, incident.level, incident.severity) == (Cause.INACTIVITY, Level.CAUTION, Severity.P3)
    clock = Clock.objects.get(home=home)
    assert clock.next_level == Level.WARNING and clock.due_at > timezone.now()


def test_a_deadline_not_yet_due_does_not_fire(home):
    _silent_since(home, 11.5)
    assert sweep().fired == 0 and Incident.objects.count() == 0


def test_a_deadline_after_the_stored_part_of_the_stream_waits_until_the_stream_is_stored_past_it(home):
    _silent_since(home, 12.5)  # due half an hour ago
    stored_until = timezone.now() - dt.timedelta(hours=1)  # a worker an hour behind: the movement may be queued
    assert sweep(stream_at=stored_until).fired == 0 and Incident.objects.count() == 0
    assert sweep(stream_at=timezone.now()).fired == 1


def test_a_worker_down_for_a_day_fires_the_danger_level_at_once_and_once(home, officer):
    _silent_since(home, 25)
    sweep()
    sweep()
    incident = Incident.objects.get()
    assert (incident.level, incident.severity) == (Level.DANGER, Severity.P1)
    assert Clock.objects.get(home=home).due_at is None


def test_levels_deepen_on_one_incident(home):
    _silent_since(home, 12.5)
    sweep()
    Clock.objects.filter(home=home).update(base_at=timezone.now() - dt.timedelta(hours=18, minutes=1),
                                           due_at=timezone.now() - dt.timedelta(minutes=1))
    sweep()
    incident = Incident.objects.get()
    assert incident.level == Level.WARNING and incident.severity == Severity.P2
    assert list(incident.log.values_list("kind", flat=True)) == [LogKind.OPENED, LogKind.LEVEL]


def test_quiet_hours_do_not_count_towards_inactivity(home, city):
    from dolbom.safety.clock import KST

    services.home_settings_update(actor=city, home=home, caution_minutes=120, warning_minutes=240,
                                  danger_minutes=360, quiet_start=dt.time(22), quiet_end=dt.time(6),
                                  checkin_on_caution=False)
    day = timezone.localdate() - dt.timedelta(days=3)
    base = dt.datetime.combine(day, dt.time(21, 30), tzinfo=KST)
    Clock.objects.filter(home=home).update(base_at=base, last_activity_at=base)
    from dolbom.safety.services.common import clock_recompute

    home.refresh_from_db()
    clock = clock_recompute(home)
    # Half an hour before the quiet hours, ninety minutes after them.
    assert clock.due_at == dt.datetime.combine(day + dt.timedelta(days=1), dt.time(7, 30), tzinfo=KST)
    assert sweep(now=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(5), tzinfo=KST)).fired == 0
    assert sweep(now=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(7, 31), tzinfo=KST)).fired == 1


def test_a_registered_absence_suppresses_inactivity_but_not_the_button(home, worker):
    _silent_since(home, 13)
    now = timezone.now()
    services.absence_register(actor=worker, home=home, starts_at=now - dt.timedelta(hours=12),
                              ends_at=now + dt.timedelta(days=3), reason="hospital", note="전북대병원 입원")
    assert sweep().fired == 0
    ingest(payload("button"))
    assert list(Incident.objects.values_list("cause", flat=True)) == [Cause.BUTTON]


def test_an_absence_is_at_most_31_days(home, worker):
    now = timezone.now()
    with pytest.raises(Exception) as exc:
        services.absence_register(actor=worker, home=home, starts_at=now, ends_at=now + dt.timedelta(days=32),
                                  reason="trip")
    assert getattr(exc.value, "code", None) == "absence_too_long"


def test_activity_during_an_absence_ends_it_early(home, worker):
    now = timezone.now()
    absence = services.absence_register(actor=worker, home=home, starts_at=now - dt.timedelta(hours=1),
                                        ends_at=now + dt.timedelta(days=2), reason="trip")
    Clock.objects.filter(home=home).update(base_at=now - dt.timedelta(hours=2))
    ingest(payload("activity", at=now))
    absence.refresh_from_db()
    assert absence.ended_early_at is not None
    assert Clock.objects.get(home=home).due_at < now + dt.timedelta(hours=13)


def test_a_fault_holds_the_verdict_until_it_is_fixed_then_the_deadline_fires(home, worker):
    ingest(payload("power_off"))
    _silent_since(home, 13)
    assert sweep().fired == 0
    ticket = DeviceTicket.objects.get(kind=FaultKind.POWER_OFF)
    services.ticket_resolve(actor=worker, ticket=ticket, note="플러그 재연결")
    assert sweep().fired == 1


def test_a_gateway_without_heartbeat_and_a_device_silent_since_install_open_tickets(home, installed):
    from dolbom.safety.models import Device, Gateway

    old = timezone.now() - dt.timedelta(hours=30)
    Gateway.objects.filter(pk=installed.gateway.pk).update(last_seen_at=timezone.now() - dt.timedelta(hours=4))
    Device.objects.filter(home=home).update(created_at=old)
    Device.objects.filter(home=home).exclude(serial="T-G1").update(first_event_at=old)
    opened = services.supervision_check()
    kinds = sorted(DeviceTicket.objects.values_list("kind", "holds_verdict"))
    assert opened == 2
    assert kinds == [(FaultKind.HEARTBEAT_LOST, True), (FaultKind.SILENT_SINCE_INSTALL, False)]
    # A heartbeat closes the gateway's ticket by itself; the care incidents are untouched.
    ingest(payload("heartbeat"))
    assert DeviceTicket.objects.get(kind=FaultKind.HEARTBEAT_LOST).resolved_at is not None
    assert Incident.objects.count() == 0


def test_an_unacknowledged_p1_escalates_to_the_lead_then_the_city(home, lead, message_outbox,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ingest(payload("button"))
    incident = Incident.objects.get()
    # The worker is texted at once: the number, the cause and the dong, never the person.
    assert [m.to for m in message_outbox] == ["01020000001"]
    assert "김영숙" not in message_outbox[0].text and "서신동" in message_outbox[0].text
    message_outbox.clear()
    services.incidents_escalate(now=incident.opened_at + dt.timedelta(seconds=30))
    incident.refresh_from_db()
    assert incident.escalation == Escalation.WORKER
    with django_capture_on_commit_callbacks(execute=True):
        services.incidents_escalate(now=incident.opened_at + dt.timedelta(seconds=61))
    incident.refresh_from_db()
    assert incident.escalation == Escalation.LEAD
    assert [m.to for m in message_outbox] == ["01020000002"]
    services.incidents_escalate(now=incident.opened_at + dt.timedelta(seconds=181))
    incident.refresh_from_db()
    assert incident.escalation == Escalation.CITY
    assert list(incident.log.filter(kind=LogKind.ESCALATED).values_list("data", flat=True)) == [{"to": 1}, {"to": 2}]


def test_an_acknowledged_p1_does_not_escalate(home, worker):
    ingest(payload("fire"))
    incident = Incident.objects.get()
    services.incident_acknowledge(actor=worker, incident=incident)
    assert services.incidents_escalate(now=timezone.now() + dt.timedelta(minutes=10)) == 0


def test_an_inactivity_caution_rings_the_resident_first_and_the_answer_closes_it(home, manager, officer, resident,
                                                                                    monkeypatch, settings):
    from dolbom.checkins import services as checkins
    from dolbom.checkins.services import analysis
    from dolbom.checkins.tests.conftest import keyword_analysis

    # The caller's dialogue is the checkins app's; its risk classifier is tested there.
    monkeypatch.setattr(analysis, "analyse_utterance", keyword_analysis)
    settings.DOLBOM_LLM_URL = settings.DOLBOM_LLM_MODEL = ""
    from dolbom.checkins.demo import play_script
    from dolbom.checkins.models import Call

    case = personas.open_case(officer, resident, manager=manager)
    enrolment = checkins.enrolment_create(
        actor=manager, case=case,
        schedule=checkins.Schedule(frequency="weekly", weekday=1, window_start=dt.time(10), window_end=dt.time(12)),
        preferences=checkins.Preferences(preferred_name="영숙"))
    _silent_since(home, 12.5)
    sweep()
    incident = Incident.objects.get()
    assert incident.checkin_status == CheckinStatus.REQUESTED
    call = Call.objects.get(pk=incident.checkin_call_id)
    assert call.enrolment_id == enrolment.pk
    play_script(manager, enrolment, ["네, 괜찮아요", "잘 지내요", "밥은 잘 먹어요", "잘 자요", "경로당에 가요", "좋아요",
                                     "괜찮아요", "네"])
    sweep()
    incident.refresh_from_db()
    assert incident.checkin_status == CheckinStatus.ANSWERED
    assert incident.outcome == Outcome.CHECKIN_ANSWERED and incident.resolved_at is not None
    assert CaseEvent.objects.filter(case=case, type="safety_incident").exists()
    assert CaseEvent.objects.filter(case=case, type="safety_resolved").exists()


def test_without_enrolment_a_caution_goes_straight_to_the_worker(home):
    _silent_since(home, 12.5)
    sweep()
    assert Incident.objects.get().checkin_status == CheckinStatus.NOT_ENROLLED


def test_a_danger_level_incident_without_a_case_opens_a_discovered_case(home, officer):
    _silent_since(home, 25)
    sweep()
    incident = Incident.objects.get()
    case = incident.case
    assert case is not None and case.status == CaseStatus.DISCOVERED
    assert case.origin == CaseOrigin.CRISIS_DISCOVERY and case.manager == officer
    assert CaseEvent.objects.filter(case=case, type="safety_incident").exists()


def test_activity_after_a_caution_closes_it_by_itself(home):
    _silent_since(home, 12.5)
    sweep()
    ingest(payload("activity"))
    incident = Incident.objects.get()
    assert incident.outcome == Outcome.ACTIVITY_RESUMED and incident.acknowledged_at is None
