"""The indicators for the reports app, and how long raw events are kept."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dolbom.lib.metrics import indicator_get, month_add, month_floor
from dolbom.safety import services
from dolbom.safety.models import Clock, Event, Incident
from dolbom.safety.services.retention import events_purge
from dolbom.safety.tests.conftest import ingest, payload


def _month() -> tuple[dt.date, dt.date]:
    start = month_floor(timezone.localdate())
    return start, month_add(start, 1)


def test_the_acknowledgement_indicator_counts_alarms_within_a_minute(worker, home):
    ingest(payload("button"))
    ingest(payload("fire"))
    first, second = Incident.objects.order_by("pk")
    services.incident_acknowledge(actor=worker, incident=first)
    Incident.objects.filter(pk=second.pk).update(opened_at=timezone.now() - dt.timedelta(minutes=5))
    services.incident_acknowledge(actor=worker, incident=second)
    rows = list(indicator_get("safety.alarms_acknowledged_60s").compute(*_month()))
    assert [(r["numerator"], r["denominator"]) for r in rows] == [(1, 2)]
    rows = list(indicator_get("safety.alarms_acknowledged_180s").compute(*_month()))
    assert [(r["numerator"], r["denominator"]) for r in rows] == [(1, 2)]


def test_the_false_alarm_rate_is_per_device_kind(worker, home):
    ingest(payload("fire"))
    services.incident_false_alarm(actor=worker, incident=Incident.objects.get(), reason="cooking")
    ingest(payload("button"))
    services.incident_resolve(actor=worker, incident=Incident.objects.get(cause="button"), outcome="safe_by_phone")
    fire = list(indicator_get("safety.false_alarm_rate_fire").compute(*_month()))
    button = list(indicator_get("safety.false_alarm_rate_button").compute(*_month()))
    assert [(r["numerator"], r["denominator"]) for r in fire] == [(1, 1)]
    assert [(r["numerator"], r["denominator"]) for r in button] == [(0, 1)]


def test_homes_with_five_days_of_inactivity_are_counted(home):
    this_month, _end = _month()
    start = month_add(this_month, -1)  # last month: whole days behind us
    opened = dt.datetime.combine(start + dt.timedelta(days=2), dt.time(12), tzinfo=timezone.get_current_timezone())
    Clock.objects.filter(home=home).update(base_at=opened - dt.timedelta(hours=13), due_at=opened - dt.timedelta(hours=1))
    services.sweep(now=opened)
    incident = Incident.objects.get()
    Incident.objects.update(opened_at=opened)
    # Open for three days, then closed: not yet five.
    Incident.objects.update(resolved_at=opened + dt.timedelta(days=2), status="resolved")
    assert list(indicator_get("safety.homes_inactive_5_days").compute(start, this_month)) == []
    Incident.objects.filter(pk=incident.pk).update(resolved_at=opened + dt.timedelta(days=6))
    rows = list(indicator_get("safety.homes_inactive_5_days").compute(start, this_month))
    assert [(r["month"], r["dong_id"], r["numerator"]) for r in rows] == [(start, home.dong_id, 1)]


def test_power_cuts_are_counted_per_month(home):
    ingest(payload("power_off"))
    rows = list(indicator_get("safety.power_cuts").compute(*_month()))
    assert [r["numerator"] for r in rows] == [1]


def test_old_events_are_purged_but_an_incidents_evidence_is_kept(home):
    old = timezone.now() - dt.timedelta(days=400)
    ingest(payload("activity", at=timezone.now()))
    ingest(payload("button"))
    Event.objects.update(occurred_at=old)
    assert events_purge(days=180) == 1
    assert list(Event.objects.values_list("kind", flat=True)) == ["button"]
