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
import threading
from collections import defaultdict, deque
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from dolbom.safety import clock as clock_math
from dolbom.safety.models import (
    LIFE_SIGN_KINDS,
    Absence,
    Cause,
    Clock,
    Device,
    FaultKind,
    Gateway,
    Home,
    Incident,
    IncidentStatus,
    Level,
    LogKind,
    Outcome,
    SafetySettings,
)
from dolbom.safety.services.common import clock_restart, rules_of
from dolbom.safety.services.incidents import (
    _log,
    incident_cleared,
    incident_raise,
    incident_resolve_automatically,
)
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


@dataclass(frozen=True)
class New:
    id: int
    accepted: object  # ingest.Accepted (kept untyped here: ingest imports this module)

    @property
    def event(self):
        return self.accepted.parsed.event  # type: ignore[attr-defined]

    @property
    def kind(self) -> str:
        return self.accepted.parsed.kind  # type: ignore[attr-defined]

    @property
    def gateway(self):
        return self.accepted.gateway  # type: ignore[attr-defined]

    @property
    def device(self):
        return self.accepted.device  # type: ignore[attr-defined]


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
    settings_ = SafetySettings.current()
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


def _clocks(life: dict[int, dt.datetime], settings_: SafetySettings, now: dt.datetime) -> None:
    if not life:
        return
    coalesce = dt.timedelta(seconds=settings_.activity_coalesce_seconds)
    clocks = {c.home_id: c for c in Clock.objects.filter(home_id__in=life).select_related("home")}
    earliest = min(life.values())
    absences: dict[int, list[Absence]] = defaultdict(list)
    for a in Absence.objects.filter(home_id__in=life, cancelled_at__isnull=True, ended_early_at__isnull=True,
                                    ends_at__gt=earliest):
        absences[a.home_id].append(a)
    changed: list[Clock] = []
    moved: dict[int, dt.datetime] = {}
    ended: list[Absence] = []
    for home_id, at in life.items():
        clock = clocks.get(home_id)
        if clock is None:
            clock_restart(Home.objects.get(pk=home_id), at, activity=True)
            continue
        last = clock.last_activity_at
        if last is not None and at <= last:
            continue  # an old event from a gateway's buffer: the clock never goes back
        clock.last_activity_at = at
        if at <= clock.base_at or (at - clock.base_at < coalesce and clock.next_level == Level.CAUTION):
            if last is None or at - last >= coalesce:
                clock.updated_at = now
                changed.append(clock)  # the time shown as "last activity"; the deadline stands
            continue
        spans = []
        for a in absences.get(home_id, ()):
            if a.starts_at <= at < a.ends_at:
                a.ended_early_at = at  # the person is home again
                ended.append(a)
            else:
                spans.append((a.starts_at, a.ends_at))
        nxt = clock_math.next_deadline(at, "", rules_of(clock.home), clock_math.spans(spans))
        clock.base_at, clock.next_level, clock.due_at, clock.updated_at = at, nxt.level, nxt.due_at, now
        changed.append(clock)
        moved[home_id] = at
    if changed:
        Clock.objects.bulk_update(changed, ["last_activity_at", "base_at", "next_level", "due_at", "updated_at"],
                                  batch_size=500)
    if ended:
        Absence.objects.bulk_update(ended, ["ended_early_at"])
    if moved:
        _activity_on_incidents(moved, now)


def _activity_on_incidents(moved: dict[int, dt.datetime], now: dt.datetime) -> None:
    """Movement after an inactivity alert: noted on it; a caution nobody has taken up yet closes itself."""
    for incident in (Incident.objects.select_for_update().select_related("home")
                     .filter(home_id__in=moved, cause=Cause.INACTIVITY, resolved_at__isnull=True)):
        at = moved[incident.home_id]
        _log(incident, LogKind.ACTIVITY, actor=None, at=now, data={"at": at.isoformat()})
        if incident.level == Level.CAUTION and incident.status == IncidentStatus.OPEN:
            incident_resolve_automatically(incident=incident, outcome=Outcome.ACTIVITY_RESUMED,
                                           note="활동 감지", now=now)


def _liveness(new: list[New], settings_: SafetySettings, now: dt.datetime) -> None:
    """Gateways seen and heard, devices' first events and batteries: written only when they change enough."""
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
    lost_before = now - dt.timedelta(minutes=settings_.heartbeat_minutes * settings_.heartbeats_missed)
    gateway_rows = []
    for gateway_id, g in seen.items():
        last = g.last_seen_at  # type: ignore[attr-defined]
        if last is None or last < lost_before:
            tickets_close_automatically(subject=subject_of(gateway_id, None), now=now, note="수신 재개",
                                        kinds=[FaultKind.HEARTBEAT_LOST, FaultKind.SILENT_SINCE_INSTALL])
        beat = g.last_heartbeat_at  # type: ignore[attr-defined]
        if last is None or now - last >= SEEN_COALESCE or (gateway_id in heard and (beat is None or now - beat >= SEEN_COALESCE)):
            gateway_rows.append(Gateway(pk=gateway_id, last_seen_at=now,
                                        last_heartbeat_at=now if gateway_id in heard else beat))
    if gateway_rows:
        Gateway.objects.bulk_update(gateway_rows, ["last_seen_at", "last_heartbeat_at"], batch_size=500)
    device_rows = []
    for device_id, d in devices.items():
        first, last, pct = d.first_event_at, d.last_event_at, d.battery_pct  # type: ignore[attr-defined]
        new_pct = battery.get(device_id, pct)
        if first is not None and last is not None and now - last < DEVICE_COALESCE and new_pct == pct:
            continue
        if first is None:
            tickets_close_automatically(subject=subject_of(0, device_id), kinds=[FaultKind.SILENT_SINCE_INSTALL],
                                        now=now, note="첫 수신")
        if new_pct is not None and pct is not None and new_pct >= settings_.low_battery_pct + BATTERY_RECOVERED \
                and pct < settings_.low_battery_pct:
            tickets_close_automatically(subject=subject_of(0, device_id), kinds=[FaultKind.LOW_BATTERY], now=now,
                                        note=f"배터리 {new_pct}%")
        device_rows.append(Device(pk=device_id, first_event_at=first or now, last_event_at=now, battery_pct=new_pct))
    if device_rows:
        Device.objects.bulk_update(device_rows, ["first_event_at", "last_event_at", "battery_pct"], batch_size=500)


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
