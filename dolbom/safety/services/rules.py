"""What new events do, applied to a whole batch inside its transaction (services/ingest.py).

The common events (activity, doors, heartbeats: nearly all of the stream) are handled set-based, a few
statements per batch whatever its size; the rare ones (fire, gas, the button, power, batteries, tampering)
one by one, in the order they happened.

- Fire, gas, button: a P1 incident at once, with the gateway's 119 report recorded. Never damped: every
  repeat attaches to the open incident, and a "cleared" or "cancelled" is noted on it, never closes it.
- Activity and doors: a sign of life. The home's inactivity clock restarts from it (and an absence under
  way ends early: the person is home). Damped: a sensor sending more than the set number of events in the
  set window is *flapping* (a loose magnet, a curtain in the draught); its events are kept but no longer
  count as life until it calms down, and it gets a device ticket, because a broken door contact that
  bounces every minute would otherwise hide a person lying on the floor.
- Power off, low battery, a device silent since installation, no heartbeat: a device ticket; those of the
  gateway or of a life-sign sensor hold the inactivity verdict until fixed.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import defaultdict, deque

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from dolbom.safety import clock as clock_math
from dolbom.safety.models import (
    LIFE_SIGN_KINDS,
    Absence,
    Cause,
    Clock,
    Device,
    DeviceTicket,
    FaultKind,
    Gateway,
    Home,
    Incident,
    IncidentStatus,
    Level,
    LogKind,
    Outcome,
    SafetySettings,
    TicketStatus,
)
from dolbom.safety.services import sql
from dolbom.safety.services.common import clock_restart
from dolbom.safety.services.incidents import (
    _log,
    incident_cleared,
    incident_raise,
    incident_resolve_automatically,
)
from dolbom.safety.services.sql import update_rows
from dolbom.safety.services.tickets import subject_of, ticket_open, tickets_close_automatically

LIFE_EVENTS = frozenset({"activity", "door_open", "door_close"})
ALARMS = {"fire": Cause.FIRE, "gas": Cause.GAS, "button": Cause.BUTTON}
CLEARS = {"fire_cleared": Cause.FIRE, "gas_cleared": Cause.GAS, "button_cancelled": Cause.BUTTON}
RARE = frozenset({*ALARMS, *CLEARS, "power_off", "power_on", "low_battery", "tamper"})
# Rows touched by every event are written at most this often: liveness to the minute is enough for a
# heartbeat counted in hours, and it keeps a busy stream from rewriting the same rows each batch.
SEEN_COALESCE = dt.timedelta(seconds=60)
DEVICE_COALESCE = dt.timedelta(minutes=10)
BATTERY_RECOVERED = 10  # a battery this far above the low mark has been replaced
# The faults an event can show fixed (the ingest's lookup flags gateways with one open: services/ingest.py).
CLOSED_BY_EVENTS = (FaultKind.HEARTBEAT_LOST, FaultKind.SILENT_SINCE_INSTALL, FaultKind.LOW_BATTERY)


class New:
    """A new event of the batch, with what the rules read of it as plain attributes (read a dozen times per
    event: properties through ``accepted`` were a measurable share of the worker's time)."""

    __slots__ = ("id", "accepted", "event", "kind", "gateway", "device")

    def __init__(self, id: int, accepted: object) -> None:  # accepted: ingest.Accepted (ingest imports us)
        self.id, self.accepted = id, accepted
        self.event = accepted.parsed.event  # type: ignore[attr-defined]
        self.kind: str = accepted.parsed.kind  # type: ignore[attr-defined]
        self.gateway = accepted.gateway  # type: ignore[attr-defined]
        self.device = accepted.device  # type: ignore[attr-defined]


class Damper:
    """Per sensor, the times of its recent life-sign events (this process's view; the flapping state itself
    is a column, Device.flapping_since, so every process agrees on it)."""

    def __init__(self) -> None:
        self._times: dict[int, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, device_id: int, at: float, *, window: float) -> int:
        """Record one event; how many the sensor sent within ``window`` seconds up to it."""
        with self._lock:
            times = self._times[device_id]
            times.append(at)
            while times and times[0] < at - window:
                times.popleft()
            return len(times)

    def count(self, device_id: int, now: float, window: float) -> int:
        with self._lock:
            times = self._times.get(device_id)
            return sum(1 for t in times if t >= now - window) if times else 0

    def clear(self) -> None:
        with self._lock:
            self._times.clear()


DAMPER = Damper()


def _at(n: New, now: dt.datetime) -> dt.datetime:
    # A gateway clock running fast must not push a deadline into the future.
    return min(n.event.time, now)


def apply(new: list[New], *, now: dt.datetime) -> list[int]:
    """Apply the rules to the batch's new events; returns the ids of incidents opened."""
    settings_ = SafetySettings.cached()
    life, tripped, calmed = _life_signs(new, settings_, now)
    _clocks(life, settings_, now)
    _liveness(new, settings_, now)
    opened = [pk for n in sorted((n for n in new if n.kind in RARE), key=lambda n: (n.event.time, n.id))
              if (pk := _rare(n, settings_, now)) is not None]
    _flapping(tripped, calmed, now)
    return opened


def _life_signs(new: list[New], settings_: SafetySettings, now: dt.datetime
                ) -> tuple[dict[int, dt.datetime], set[int], set[int]]:
    """Per home, the latest sign of life from a sensor that is not flapping; the sensors that started and
    stopped flapping."""
    life: dict[int, dt.datetime] = {}
    tripped: set[int] = set()
    calmed: set[int] = set()
    for n in new:
        if n.kind not in LIFE_EVENTS or n.device is None or n.device.kind not in LIFE_SIGN_KINDS:
            continue
        at = _at(n, now)
        count = DAMPER.hit(n.device.id, at.timestamp(), window=settings_.flap_seconds)
        flapping = n.device.flapping_since is not None or n.device.id in tripped
        if count > settings_.flap_events and not flapping:
            tripped.add(n.device.id)
            continue
        if flapping:
            if count <= settings_.flap_events // 2 and n.device.flapping_since is not None \
                    and now - n.device.flapping_since > dt.timedelta(seconds=settings_.flap_seconds):
                calmed.add(n.device.id)
            else:
                continue
        home = n.gateway.home_id
        if home not in life or at > life[home]:
            life[home] = at
    return life, tripped, calmed


_CLOCK_FIELDS = ("home_id", "last_activity_at", "base_at", "next_level", "home__caution_minutes",
                 "home__warning_minutes", "home__danger_minutes", "home__quiet_start", "home__quiet_end")


def _clock_rows(home_ids: list[int], after: dt.datetime) -> list[tuple]:
    """The homes' clocks and inactivity settings, and two flags that spare the batch a statement each (nearly
    always false): an absence under way or to come (ending after ``after``), an open inactivity incident."""
    if not sql.is_postgres():
        absent = Absence.objects.filter(home_id=OuterRef("home_id"), cancelled_at__isnull=True,
                                        ended_early_at__isnull=True, ends_at__gt=after)
        alerted = Incident.objects.filter(home_id=OuterRef("home_id"), cause=Cause.INACTIVITY, resolved_at__isnull=True)
        return list(Clock.objects.filter(home_id__in=home_ids).annotate(absent=Exists(absent), alerted=Exists(alerted))
                    .values_list(*_CLOCK_FIELDS, "absent", "alerted"))
    return sql.select_rows(_clock_sql(), "", [after, str(Cause.INACTIVITY), sql.rows_json(home_ids)])


@functools.cache
def _clock_sql() -> list[str]:
    """PostgreSQL: the whole statement of ``_clock_rows`` (as ``sql.select_rows``' one column), made once."""
    a, i = Absence, Incident
    c = [f"c.{sql.column(Clock, n)}" for n in ("home", "last_activity_at", "base_at", "next_level")]
    h = [f"h.{sql.column(Home, n)}" for n in ("caution_minutes", "warning_minutes", "danger_minutes", "quiet_start",
                                                 "quiet_end")]
    home = f"c.{sql.column(Clock, 'home')}"
    absent = (f"EXISTS (SELECT 1 FROM {sql.table(a)} a WHERE a.{sql.column(a, 'home')} = {home} "
              f"AND a.{sql.column(a, 'cancelled_at')} IS NULL AND a.{sql.column(a, 'ended_early_at')} IS NULL "
              f"AND a.{sql.column(a, 'ends_at')} > %s)")
    alerted = (f"EXISTS (SELECT 1 FROM {sql.table(i)} i WHERE i.{sql.column(i, 'home')} = {home} "
               f"AND i.{sql.column(i, 'cause')} = %s AND i.{sql.column(i, 'resolved_at')} IS NULL)")
    rest = (f"FROM {sql.table(Clock)} c JOIN {sql.table(Home)} h ON h.{sql.column(Home, 'id')} = {home} "
            f"WHERE {home} = {sql.any_of('bigint')}")
    return [", ".join([*c, *h, absent, alerted]) + " " + rest]


def _open_absences(home_ids: list[int], after: dt.datetime) -> list[Absence]:
    """Absences under way or to come for these homes."""
    return list(Absence.objects.filter(home_id__in=home_ids, cancelled_at__isnull=True, ended_early_at__isnull=True,
                                       ends_at__gt=after).only("id", "home_id", "starts_at", "ends_at"))


def _clocks(life: dict[int, dt.datetime], settings_: SafetySettings, now: dt.datetime) -> None:
    if not life:
        return
    coalesce = dt.timedelta(seconds=settings_.activity_coalesce_seconds)
    # Tuples, not model instances: this runs for nearly every home in every batch.
    earliest = min(life.values())
    clocks = {row[0]: row for row in _clock_rows(list(life), earliest)}
    absences: dict[int, list[Absence]] = defaultdict(list)
    away = [home_id for home_id, row in clocks.items() if row[9]]
    for a in _open_absences(away, earliest) if away else ():
        absences[a.home_id].append(a)
    alerted = {home_id for home_id, row in clocks.items() if row[10]}
    shown: list[tuple] = []  # only "last activity" moves; the deadline stands
    restarted: list[tuple] = []  # counting restarts: a new deadline
    moved: dict[int, dt.datetime] = {}
    ended: list[Absence] = []
    for home_id, at in life.items():
        row = clocks.get(home_id)
        if row is None:
            clock_restart(Home.objects.get(pk=home_id), at, activity=True)
            continue
        _id, last, base, level, caution, warning, danger, quiet_start, quiet_end, _away, _alerted = row
        if last is not None and at <= last:
            continue  # an old event from a gateway's buffer: the clock never goes back
        if at <= base or (at - base < coalesce and level == Level.CAUTION):
            if last is None or at - last >= coalesce:
                shown.append((home_id, at))
            continue
        spans = []
        for a in absences.get(home_id, ()):
            if a.starts_at <= at < a.ends_at:
                a.ended_early_at = at  # the person is home again
                ended.append(a)
            else:
                spans.append((a.starts_at, a.ends_at))
        rules = clock_math.Rules(caution_minutes=caution, warning_minutes=warning, danger_minutes=danger,
                                 quiet_start=quiet_start, quiet_end=quiet_end)
        nxt = clock_math.next_deadline(at, "", rules, clock_math.spans(spans))
        restarted.append((home_id, at, at, nxt.level, nxt.due_at))
        moved[home_id] = at
    update_rows(Clock, "home", ["last_activity_at"], shown, same=["updated_at"], same_values=[now])
    update_rows(Clock, "home", ["last_activity_at", "base_at", "next_level", "due_at"], restarted,
                same=["updated_at"], same_values=[now])
    if ended:
        Absence.objects.bulk_update(ended, ["ended_early_at"])
    moved = {home_id: at for home_id, at in moved.items() if home_id in alerted}
    if moved:
        _activity_on_incidents(moved, now)


def _activity_on_incidents(moved: dict[int, dt.datetime], now: dt.datetime) -> None:
    """Movement after an inactivity alert: noted on it; a caution nobody has taken up yet closes itself."""
    for incident in (Incident.objects.select_for_update(of=("self",)).select_related("home")
                     .filter(home_id__in=list(moved), cause=Cause.INACTIVITY, resolved_at__isnull=True)):
        at = moved[incident.home_id]
        _log(incident, LogKind.ACTIVITY, actor=None, at=now, data={"at": at.isoformat()})
        if incident.level == Level.CAUTION and incident.status == IncidentStatus.OPEN:
            incident_resolve_automatically(incident=incident, outcome=Outcome.ACTIVITY_RESUMED,
                                           note="활동 감지", now=now)


def _liveness(new: list[New], settings_: SafetySettings, now: dt.datetime) -> None:
    """Gateways seen and heard, devices' first events and batteries: written only when they change enough,
    and the tickets those close (looked up once for the batch: nearly always none)."""
    seen: dict[int, object] = {}
    heard: set[int] = set()
    devices: dict[int, object] = {}
    battery: dict[int, int] = {}
    for n in new:
        seen[n.gateway.id] = n.gateway
        if n.kind == "heartbeat" and n.device is None:
            heard.add(n.gateway.id)
        if n.device is not None:
            devices[n.device.id] = n.device
            if n.event.battery is not None:
                battery[n.device.id] = n.event.battery
    gateway_rows = []
    for gateway_id, g in seen.items():
        last, beat = g.last_seen_at, g.last_heartbeat_at  # type: ignore[attr-defined]
        stale = last is None or now - last >= SEEN_COALESCE
        beat_stale = gateway_id in heard and (beat is None or now - beat >= SEEN_COALESCE)
        if stale or beat_stale:
            gateway_rows.append((gateway_id, now, now if gateway_id in heard else beat))
    update_rows(Gateway, "id", ["last_seen_at", "last_heartbeat_at"], gateway_rows)
    device_rows = []
    firsts: set[int] = set()
    recovered: set[int] = set()
    for device_id, d in devices.items():
        first, last, pct = d.first_event_at, d.last_event_at, d.battery_pct  # type: ignore[attr-defined]
        new_pct = battery.get(device_id, pct)
        if first is not None and last is not None and now - last < DEVICE_COALESCE and new_pct == pct:
            continue
        if first is None:
            firsts.add(device_id)
        if new_pct is not None and pct is not None and new_pct >= settings_.low_battery_pct + BATTERY_RECOVERED \
                and pct < settings_.low_battery_pct:
            recovered.add(device_id)
        device_rows.append((device_id, first or now, new_pct))
    # first_event_at only where still empty: another worker may have seen the device first.
    update_rows(Device, "id", ["first_event_at", "battery_pct"], device_rows, same=["last_event_at"],
                same_values=[now], keep=["first_event_at"])
    _close_tickets(seen, firsts, recovered, now)


def _close_tickets(gateways: dict[int, object], firsts: set[int], recovered: set[int], now: dt.datetime) -> None:
    """Any event proves a gateway alive (no heartbeat, silent since installation); a device's first event
    closes its "silent" ticket; a battery back well above the low mark closes "low battery"."""
    ticketed = [gateway_id for gateway_id, g in gateways.items() if g.ticketed]  # type: ignore[attr-defined]
    if not ticketed:
        return
    open_tickets = list(DeviceTicket.objects.filter(gateway_id__in=ticketed, resolved_at__isnull=True,
                                                    kind__in=CLOSED_BY_EVENTS).values_list("pk", "kind", "device_id"))
    closing: dict[str, list[int]] = defaultdict(list)
    for pk, kind, device_id in open_tickets:
        if device_id is None and kind in (FaultKind.HEARTBEAT_LOST, FaultKind.SILENT_SINCE_INSTALL):
            closing["수신 재개"].append(pk)
        elif device_id in firsts and kind == FaultKind.SILENT_SINCE_INSTALL:
            closing["첫 수신"].append(pk)
        elif device_id in recovered and kind == FaultKind.LOW_BATTERY:
            closing["배터리 교체 확인"].append(pk)
    for note, pks in closing.items():
        DeviceTicket.objects.filter(pk__in=pks, resolved_at__isnull=True).update(
            status=TicketStatus.RESOLVED, resolved_at=now, note=note)


def _home(home_id: int) -> Home:
    return Home.objects.select_related("resident").get(pk=home_id)


def _rare(n: New, settings_: SafetySettings, now: dt.datetime) -> int | None:
    home_id = n.gateway.home_id
    at = _at(n, now)
    if n.kind in ALARMS:
        # Never damped, never suppressed by an absence: a house can burn while its resident is away.
        incident, opened = incident_raise(home=_home(home_id), cause=ALARMS[n.kind], at=n.event.time,
                                          event_id=n.id, report_119=n.event.report_119, now=now)
        return incident.pk if opened else None
    if n.kind in CLEARS:
        incident_cleared(home_id=home_id, cause=CLEARS[n.kind], event_id=n.id, now=now)
        return None
    gateway = Gateway(pk=n.gateway.id, home_id=home_id)
    if n.kind == "power_off":
        Gateway.objects.filter(pk=n.gateway.id).update(powered=False)
        ticket_open(home=_home(home_id), gateway=gateway, kind=FaultKind.POWER_OFF, now=now, holds=True,
                    note=f"정전 {at:%m-%d %H:%M}")
    elif n.kind == "power_on":
        Gateway.objects.filter(pk=n.gateway.id).update(powered=True)
        tickets_close_automatically(subject=subject_of(n.gateway.id, None), kinds=[FaultKind.POWER_OFF], now=now,
                                    note=f"전원 복구 {at:%m-%d %H:%M}")
    elif n.kind == "low_battery" and n.device is not None:
        device = Device(pk=n.device.id, kind=n.device.kind)
        ticket_open(home=_home(home_id), gateway=gateway, device=device, kind=FaultKind.LOW_BATTERY, now=now,
                    holds=n.device.kind in LIFE_SIGN_KINDS,
                    note=f"배터리 {n.event.battery}%" if n.event.battery is not None else "")
    elif n.kind == "tamper":
        device = Device(pk=n.device.id) if n.device is not None else None
        ticket_open(home=_home(home_id), gateway=gateway, device=device, kind=FaultKind.TAMPER, now=now)
    return None


def _flapping(tripped: set[int], calmed: set[int], now: dt.datetime) -> None:
    if tripped:
        Device.objects.filter(pk__in=tripped, flapping_since__isnull=True).update(flapping_since=now)
        for device in Device.objects.filter(pk__in=tripped).select_related("home", "gateway"):
            ticket_open(home=device.home, gateway=device.gateway, device=device, kind=FaultKind.FLAPPING, now=now,
                        note="짧은 시간에 신호가 반복됨: 생활 반응으로 보지 않음")
    if calmed:
        Device.objects.filter(pk__in=calmed).update(flapping_since=None)
        for device_id in calmed:
            tickets_close_automatically(subject=subject_of(0, device_id), kinds=[FaultKind.FLAPPING], now=now,
                                        note="신호 안정")


def flapping_release(*, now: dt.datetime | None = None, after: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """A flapping sensor that went quiet is released after an hour (it flaps again if it is still broken)."""
    now = now or timezone.now()
    quiet = Device.objects.filter(flapping_since__lt=now - after).filter(
        Q(last_event_at__isnull=True) | Q(last_event_at__lt=now - DEVICE_COALESCE))
    ids = list(quiet.values_list("pk", flat=True)[:500])
    for device_id in ids:
        tickets_close_automatically(subject=subject_of(0, device_id), kinds=[FaultKind.FLAPPING], now=now,
                                    note="신호 안정")
    return Device.objects.filter(pk__in=ids).update(flapping_since=None)
