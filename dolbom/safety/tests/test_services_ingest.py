"""Events in: stored once, refused with a code, acted on by the rules in the same transaction."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from dolbom.safety.models import (
    Cause,
    Clock,
    Device,
    DeviceTicket,
    Event,
    FaultKind,
    Incident,
    IncidentLog,
    LogKind,
    Reject,
    Report119,
    Severity,
)
from dolbom.safety.services import sql
from dolbom.safety.tests.conftest import ingest, payload


def test_an_event_is_stored_with_its_raw_payload(home):
    result = ingest(payload("activity"))
    assert result.statuses == ["accepted"]
    event = Event.objects.get()
    assert event.kind == "activity" and event.home_id == home.pk and event.device.serial == "T-A1"
    assert '"status_code":100' in event.raw.replace(" ", "")


def test_a_resent_event_is_stored_once_and_changes_nothing(home):
    body = payload("button")
    first = ingest(body)
    again = ingest(body)
    assert first.statuses == ["accepted"] and again.statuses == ["duplicate"]
    assert Event.objects.count() == 1
    incident = Incident.objects.get()
    assert incident.repeats == 0
    assert IncidentLog.objects.filter(incident=incident).count() == 1


def test_the_same_event_twice_in_one_batch_counts_once(home):
    body = payload("activity")
    assert ingest(body, body).statuses == ["accepted", "duplicate"]
    assert Event.objects.count() == 1


def test_an_unknown_device_is_refused_with_a_code_and_kept(home):
    result = ingest(payload("activity", device="NOPE-1"), payload("activity", gateway="NOPE-GW", device="T-A1"))
    assert result.statuses == ["unknown_device", "unknown_controller"]
    assert sorted(Reject.objects.values_list("code", flat=True)) == ["unknown_controller", "unknown_device"]
    assert Event.objects.count() == 0


def test_a_malformed_event_is_refused_and_counted(home):
    bad = payload("activity")
    del bad["seq"]
    wrong_kind = payload("fire", device="T-A1")
    result = ingest(bad, wrong_kind)
    assert result.statuses == ["device_kind_mismatch"]
    codes = sorted(Reject.objects.values_list("code", flat=True))
    assert codes == ["device_kind_mismatch", "field_missing"]
    assert Reject.objects.get(code="field_missing").raw.startswith("{")


def test_the_button_opens_a_p1_incident_at_once(home):
    result = ingest(payload("button"))
    incident = Incident.objects.get()
    assert result.incidents_opened == [incident.pk]
    assert (incident.cause, incident.severity, incident.report_119) == (Cause.BUTTON, Severity.P1, Report119.NONE)


def test_fire_records_the_gateways_119_report_and_repeats_attach(home):
    ingest(payload("fire", report_119="sent"))
    ingest(payload("fire"), payload("fire"))
    ingest(payload("fire_cleared"))
    incident = Incident.objects.get()
    assert incident.report_119 == Report119.AUTO_SENT and incident.report_119_at is not None
    assert incident.repeats == 2 and incident.resolved_at is None
    kinds = list(incident.log.values_list("kind", flat=True))
    assert kinds == [LogKind.OPENED, LogKind.REPEAT, LogKind.REPEAT, LogKind.CLEARED]


def test_fire_and_the_button_are_separate_incidents_of_one_home(home):
    ingest(payload("fire"), payload("button"), payload("gas"))
    assert sorted(Incident.objects.values_list("cause", flat=True)) == ["button", "fire", "gas"]


def test_activity_restarts_the_inactivity_clock(home):
    Clock.objects.filter(home=home).update(base_at=timezone.now() - dt.timedelta(hours=2))
    at = (timezone.now() - dt.timedelta(minutes=5)).replace(microsecond=0)
    ingest(payload("activity", at=at))
    clock = Clock.objects.get(home=home)
    assert clock.last_activity_at == at and clock.base_at == at
    assert clock.next_level == "caution" and clock.due_at == at + dt.timedelta(hours=12)


def test_an_old_event_from_a_gateways_buffer_does_not_move_the_clock_back(home):
    Clock.objects.filter(home=home).update(base_at=timezone.now() - dt.timedelta(hours=5))
    now = timezone.now().replace(microsecond=0)
    ingest(payload("activity", at=now - dt.timedelta(minutes=1)))
    ingest(payload("activity", at=now - dt.timedelta(hours=3)))
    assert Clock.objects.get(home=home).base_at == now - dt.timedelta(minutes=1)


def test_a_gateway_clock_running_fast_cannot_push_the_deadline_away(home):
    ingest(payload("activity", at=timezone.now() + dt.timedelta(minutes=8)))
    clock = Clock.objects.get(home=home)
    assert clock.base_at <= timezone.now()


def test_a_flapping_door_stops_counting_as_life_and_gets_a_ticket(home):
    start = timezone.now() - dt.timedelta(seconds=100)
    Clock.objects.filter(home=home).update(base_at=start - dt.timedelta(hours=1))
    ingest(payload("activity", at=start - dt.timedelta(minutes=30)))
    base = Clock.objects.get(home=home).base_at
    bodies = [payload("door_open" if i % 2 == 0 else "door_close", at=start + dt.timedelta(seconds=3 * i))
              for i in range(30)]
    ingest(*bodies)
    ticket = DeviceTicket.objects.get(kind=FaultKind.FLAPPING)
    assert ticket.device.serial == "T-D1" and not ticket.holds_verdict
    # The first dozen events were still life; after that the door no longer moves the clock.
    clock = Clock.objects.get(home=home)
    assert base < clock.base_at < start + dt.timedelta(seconds=3 * 13)
    assert Event.objects.filter(kind__startswith="door").count() == 30


def test_power_off_opens_a_ticket_that_holds_the_verdict_and_power_on_closes_it(home):
    ingest(payload("power_off"))
    ticket = DeviceTicket.objects.get()
    assert ticket.kind == FaultKind.POWER_OFF and ticket.holds_verdict and ticket.resolved_at is None
    ingest(payload("power_on"))
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None
    assert Incident.objects.count() == 0


def test_low_battery_of_a_fire_detector_does_not_hold_the_verdict(home):
    ingest(payload("low_battery", device="T-F1", battery=9))
    ingest(payload("low_battery", device="T-A1", battery=8))
    tickets = {t.device.serial: t.holds_verdict for t in DeviceTicket.objects.select_related("device")}
    assert tickets == {"T-F1": False, "T-A1": True}


def test_a_batch_mixing_a_resend_with_new_events_stores_only_the_new_ones(home):
    # PostgreSQL: the batch's COPY breaks on the resend, and the batch goes again through ON CONFLICT.
    old = payload("activity")
    assert ingest(old).statuses == ["accepted"]
    fresh = [payload("activity"), payload("door_open")]
    result = ingest(fresh[0], old, fresh[1])
    assert result.statuses == ["accepted", "duplicate", "accepted"]
    assert Event.objects.count() == 3
    assert sorted(result.new_event_ids) == sorted(Event.objects.exclude(event_id=old["event_id"])
                                                  .values_list("pk", flat=True))


def test_a_raw_payload_with_escapes_is_kept_byte_for_byte(home):
    # A quote and a backslash in the payload: its JSON text holds backslashes, which COPY's text format escapes.
    body = payload("activity", location='거실 "창가"\\2', component="A\\1")
    result = ingest(body)
    assert result.statuses == ["accepted"]
    event = Event.objects.get()
    assert event.raw == json.dumps(body, ensure_ascii=False)
    assert event.location == '거실 "창가"\\2' and event.component == "A\\1"


def test_a_devices_first_event_time_is_never_overwritten(home):
    device = Device.objects.get(serial="T-A1")
    first = timezone.now() - dt.timedelta(days=2)
    Device.objects.filter(pk=device.pk).update(first_event_at=first)
    # The batch's lookup read the device before another worker wrote first_event_at: it sends "now".
    now = timezone.now()
    sql.update_rows(Device, "id", ["first_event_at"], [(device.pk, now)], same=["last_event_at"], same_values=[now],
                    keep=["first_event_at"])
    device.refresh_from_db()
    assert device.first_event_at == first and device.last_event_at == now


def test_bulk_updates_keep_timestamps_to_the_microsecond(home):
    at = dt.datetime(2026, 3, 27, 5, 5, 9, 123457, tzinfo=dt.UTC)
    due = dt.datetime(2031, 12, 31, 23, 59, 59, 999999, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    sql.update_rows(Clock, "home", ["last_activity_at", "base_at", "due_at"], [(home.pk, at, at, due)])
    clock = Clock.objects.get(home=home)
    assert (clock.last_activity_at, clock.base_at, clock.due_at) == (at, at, due)


def test_one_batch_writes_the_clock_the_gateway_and_the_device_together(home):
    # PostgreSQL sends the three updates as one statement: each must still land on its own table.
    at = timezone.now() - dt.timedelta(seconds=30)
    at = at.replace(microsecond=at.microsecond // 1000 * 1000)  # the payload's time is to the millisecond
    Clock.objects.filter(home=home).update(base_at=at - dt.timedelta(hours=1), last_activity_at=None)
    assert ingest(payload("activity", at=at)).statuses == ["accepted"]
    clock = Clock.objects.get(home=home)
    device = Device.objects.get(serial="T-A1")
    assert clock.base_at == at and clock.last_activity_at == at and clock.due_at > at
    assert device.first_event_at is not None and device.last_event_at is not None
    assert device.gateway.last_seen_at is not None


def test_a_connection_cut_during_a_prepared_statement_is_an_error_the_worker_retries(transactional_db):
    # The worker keeps a batch and retries on Django's OperationalError; psycopg's own (AdminShutdown, when
    # PostgreSQL restarts in the middle of the hot path's prepared lookups) had ended the worker.
    import pytest
    from django.db import OperationalError, connection

    if connection.vendor != "postgresql":
        pytest.skip("the prepared statements are PostgreSQL's")
    import psycopg

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    s = connection.settings_dict
    with psycopg.connect(dbname=s["NAME"], user=s["USER"], host=s["HOST"], port=s["PORT"] or 5432,
                         autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    try:
        with pytest.raises(OperationalError):
            sql.select_rows(["1"], "", [])
    finally:
        connection.close()
