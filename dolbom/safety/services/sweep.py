"""The periodic work: overdue inactivity deadlines, supervision of the equipment, escalation, check-in answers.

Run at the ingest worker's start (before it takes a single new event: whatever fell due while it was down
fires first), every few seconds by the worker itself, and as registered jobs (safety/jobs.py) by the
scheduler. Every step is idempotent and locks its rows (SKIP LOCKED on PostgreSQL), so two workers or a
worker and the scheduler can run it at once.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from dolbom.safety import clock as clock_math
from dolbom.safety.models import (
    LIFE_SIGN_KINDS,
    Cause,
    Clock,
    Device,
    DeviceStatus,
    DeviceTicket,
    Event,
    FaultKind,
    Gateway,
    HomeStatus,
    Level,
    SafetySettings,
)
from dolbom.safety.services.common import absence_spans, rules_of
from dolbom.safety.services.incidents import (
    checkin_request,
    checkin_results,
    incident_raise,
    incidents_escalate,
)
from dolbom.safety.services.rules import flapping_release
from dolbom.safety.services.tickets import ticket_open

BATCH = 500


def _held() -> Exists:
    return Exists(DeviceTicket.objects.filter(home_id=OuterRef("home_id"), resolved_at__isnull=True,
                                              holds_verdict=True))


def deadlines_fire(*, now: dt.datetime | None = None, budget: float | None = None,
                   stream_at: dt.datetime | None = None) -> tuple[int, bool]:
    """Fire every inactivity deadline that has passed; how many levels were reached, and whether some are
    still due because ``budget`` seconds ran out (the caller comes back for them).

    ``stream_at``: how far the caller has stored the stream (the time of the freshest event of its last batch,
    when more is waiting behind it); a deadline after it waits, because the movement that would have moved it
    may be among the events published since and not stored yet.

    A home whose equipment has a fault holding the verdict waits (its deadline stays overdue and fires the
    moment the fault is fixed). A deadline an absence covers moves to after the absence."""
    now = now or timezone.now()
    due = min(now, stream_at) if stream_at is not None else now
    stop = time.monotonic() + budget if budget is not None else None
    fired = 0
    while True:
        ids = list(Clock.objects.filter(due_at__lte=due, home__status=HomeStatus.ACTIVE).filter(~_held())
                   .order_by("due_at").values_list("home_id", flat=True)[:BATCH])
        if not ids:
            return fired, False
        for home_id in ids:
            if stop is not None and time.monotonic() > stop:
                return fired, True
            fired += _fire_one(home_id, now)
        if len(ids) < BATCH:
            return fired, False


def _fire_one(home_id: int, now: dt.datetime) -> int:
    with transaction.atomic():
        clock = (Clock.objects.select_for_update(skip_locked=True, of=("self",)).select_related("home", "home__resident")
                 .filter(home_id=home_id, due_at__lte=now).first())
        if clock is None:
            return 0  # someone else has it, or activity moved it meanwhile
        home = clock.home
        latest = _latest_life_sign(home.pk, after=clock.base_at, now=now)
        if latest is not None:
            # The row lags the stream by up to the coalescing window: count from the real last activity.
            clock.base_at = latest
            if clock.last_activity_at is None or latest > clock.last_activity_at:
                clock.last_activity_at = latest
            clock.next_level = Level.CAUTION
        rules = rules_of(home)
        spans = absence_spans(home.pk, after=clock.base_at)
        reached = clock_math.overdue_level(clock.base_at, now, rules, spans)
        expected = clock.next_level
        if not reached or (expected and clock_math.LEVELS.index(reached) < clock_math.LEVELS.index(expected)):
            # An absence (or new settings) moved the deadline: not due after all.
            nxt = clock_math.next_deadline(clock.base_at, _before(clock.next_level), rules, spans)
            clock.next_level, clock.due_at, clock.updated_at = nxt.level, nxt.due_at, now
            clock.save(update_fields=["base_at", "last_activity_at", "next_level", "due_at", "updated_at"])
            return 0
        due = clock_math.deadline(clock.base_at, reached, rules, spans)
        incident, opened = incident_raise(home=home, cause=Cause.INACTIVITY, at=due, level=reached, now=now)
        if opened and reached == Level.CAUTION and home.checkin_on_caution:
            checkin_request(incident)
        nxt = clock_math.next_deadline(clock.base_at, reached, rules, spans)
        clock.next_level, clock.due_at, clock.updated_at = nxt.level, nxt.due_at, now
        clock.save(update_fields=["base_at", "last_activity_at", "next_level", "due_at", "updated_at"])
        return 1


def _latest_life_sign(home_id: int, *, after: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    """The home's last sign of life after ``after``, from the events (a sensor flapping now aside)."""
    from django.db.models import Max

    from dolbom.safety.services.rules import LIFE_EVENTS

    return (Event.objects.filter(home_id=home_id, kind__in=list(LIFE_EVENTS), occurred_at__gt=after,
                                 occurred_at__lte=now, device__flapping_since__isnull=True)
            .aggregate(m=Max("occurred_at"))["m"])


def _before(level: str) -> str:
    if not level:
        return "danger"
    index = clock_math.LEVELS.index(level)
    return clock_math.LEVELS[index - 1] if index else ""


# Supervision -----------------------------------------------------------------------------------------

def supervision_check(*, now: dt.datetime | None = None) -> int:
    """Tickets for equipment that went quiet: a gateway without a heartbeat (or any event) for the set number
    of intervals, and a device that never reported since it was installed. Returns tickets opened."""
    now = now or timezone.now()
    settings_ = SafetySettings.current()
    opened = 0
    lost_before = now - dt.timedelta(minutes=settings_.heartbeat_minutes * settings_.heartbeats_missed)
    silent_before = now - dt.timedelta(hours=settings_.silent_install_hours)
    open_gw = DeviceTicket.objects.filter(gateway_id=OuterRef("pk"), device__isnull=True, resolved_at__isnull=True,
                                          kind__in=[FaultKind.HEARTBEAT_LOST, FaultKind.SILENT_SINCE_INSTALL])
    gateways = (Gateway.objects.filter(status=DeviceStatus.ACTIVE, home__status=HomeStatus.ACTIVE)
                .filter(Q(last_seen_at__lt=lost_before) | Q(last_seen_at__isnull=True, created_at__lt=silent_before))
                .filter(~Exists(open_gw)).select_related("home")[:BATCH])
    for gateway in gateways:
        kind = FaultKind.HEARTBEAT_LOST if gateway.last_seen_at else FaultKind.SILENT_SINCE_INSTALL
        with transaction.atomic():
            opened += ticket_open(home=gateway.home, gateway=gateway, kind=kind, now=now, holds=True) is not None
    open_dev = DeviceTicket.objects.filter(device_id=OuterRef("pk"), resolved_at__isnull=True,
                                           kind=FaultKind.SILENT_SINCE_INSTALL)
    devices = (Device.objects.filter(status=DeviceStatus.ACTIVE, home__status=HomeStatus.ACTIVE,
                                     first_event_at__isnull=True, created_at__lt=silent_before)
               .filter(~Exists(open_dev)).select_related("home", "gateway")[:BATCH])
    for device in devices:
        with transaction.atomic():
            opened += ticket_open(home=device.home, gateway=device.gateway, device=device,
                                  kind=FaultKind.SILENT_SINCE_INSTALL, now=now,
                                  holds=device.kind in LIFE_SIGN_KINDS) is not None
    return opened


@dataclass(frozen=True)
class SweepReport:
    fired: int
    escalated: int
    checkins: int
    tickets: int
    more: bool = False  # deadlines still due: the budget ran out

    def __str__(self) -> str:
        return (f"deadlines fired {self.fired}{' (more due)' if self.more else ''}, escalated {self.escalated}, "
                f"check-in answers {self.checkins}, tickets opened {self.tickets}")


def sweep(*, now: dt.datetime | None = None, supervision: bool = True, deadlines: bool = True,
          budget: float | None = None, stream_at: dt.datetime | None = None) -> SweepReport:
    """``deadlines=False`` while the caller knows events are still waiting to be stored (a worker draining the
    broker's backlog): firing then would alarm for people whose movement is in the queue. ``budget``: seconds
    the deadlines may take (the ingest worker's loop; the rest wait for its next pass). ``stream_at``: see
    ``deadlines_fire``."""
    now = now or timezone.now()
    tickets = 0
    if supervision:
        tickets = supervision_check(now=now)
        flapping_release(now=now)
    fired, more = deadlines_fire(now=now, budget=budget, stream_at=stream_at) if deadlines else (0, False)
    return SweepReport(fired=fired, escalated=incidents_escalate(now=now), checkins=checkin_results(now=now),
                       tickets=tickets, more=more)
