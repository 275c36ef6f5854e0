"""A device simulator: a realistic stream of gateway events published over MQTT (``dolbom safety simulate``).

Each home has a daily rhythm: activity sensors fire while the resident is up (more in the morning and the
evening, a bathroom trip at night), the front door opens and closes when they go out and come back, the
gateway sends a heartbeat every hour and the sensors report their battery with theirs. On top of that, rare
things happen to some homes, as many as asked: a fall (the button pressed, or nobody moves any more), a fire
alarm (mostly cooking smoke, repeated until cleared), a door contact that flaps, a battery that runs flat and
then goes silent, a power cut.

Pace: ``fast`` publishes as fast as the broker takes it, timestamped over the last ``--hours`` (a backfill:
the demo's history, a test); ``live`` publishes each event when it is due, timestamped now, with ``--speed``
compressing the day (60: an hour a minute). The demo, the tests and bench/safety.py use it; the benchmark
with a flat rhythm (``--rhythm flat``) so that a compressed day has no night in which everyone looks inactive.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from dolbom.safety import protocol

DAY = 24 * 3600.0


@dataclass(frozen=True)
class SimDevice:
    kind: str
    serial: str
    location: str = ""


@dataclass(frozen=True)
class SimHome:
    controller: str
    devices: tuple[SimDevice, ...]

    def of(self, kind: str) -> list[SimDevice]:
        return [d for d in self.devices if d.kind == kind]


@dataclass(frozen=True)
class Rhythm:
    """Events per hour of one home, by time of day."""

    wake: float = 6.5  # hours, local
    sleep: float = 22.0
    day_rate: float = 14.0  # activity events per awake hour (a PIR sensor with a few minutes' lockout)
    night_rate: float = 0.6
    outings: float = 1.5  # times a day the resident goes out (door open/close, out, back)
    heartbeat_minutes: float = 60.0
    flat: bool = False

    @classmethod
    def flat_rate(cls, per_hour: float) -> Rhythm:
        return cls(day_rate=per_hour, night_rate=per_hour, outings=0.0, flat=True)

    def rate(self, hour: float) -> float:
        if self.flat:
            return self.day_rate
        if self.wake <= hour < self.sleep:
            # Busier after getting up and around dinner.
            peak = 1.4 if hour < self.wake + 2 or 17 <= hour < 20 else 1.0
            return self.day_rate * peak
        return self.night_rate


@dataclass(frozen=True)
class Plan:
    """How many homes each rare thing happens to."""

    falls: int = 0  # the resident falls: half press the button, half stop moving for good
    silent_falls: int = 0  # stop moving without pressing (inactivity only)
    buttons: int = 0
    fires: int = 0
    flapping: int = 0
    dead_batteries: int = 0
    power_cuts: int = 0
    window: tuple[float, float] = (0.1, 0.6)  # when in the run they happen (fractions of it)
    alarm_window: tuple[float, float] | None = None  # when the button presses and fires happen (default: window)


@dataclass(order=True)
class SimEvent:
    at: float  # seconds from the start of the run
    controller: str = field(compare=False)
    kind: str = field(compare=False)
    device: SimDevice | None = field(compare=False, default=None)
    battery: int | None = field(compare=False, default=None)
    report_119: str | None = field(compare=False, default=None)
    seq: int = field(compare=False, default=0)


@dataclass(frozen=True)
class Note:
    """What the simulator made happen, for tests and the benchmark to check against."""

    kind: str  # fall_button, fall_silent, button, fire, flapping, dead_battery, power_cut
    controller: str
    at: float


def _poisson_times(rng: random.Random, start: float, end: float, rate_at, peak: float) -> Iterator[float]:
    """Event times of a Poisson process with rate ``rate_at(t)`` per second (thinning under ``peak``)."""
    if peak <= 0:
        return
    t = start
    while True:
        t += rng.expovariate(peak)
        if t >= end:
            return
        if rng.random() * peak <= rate_at(t):
            yield t


def _home_events(home: SimHome, rng: random.Random, *, start_hour: float, seconds: float, rhythm: Rhythm,
                 stop_at: float | None) -> list[SimEvent]:
    out: list[SimEvent] = []
    activity = home.of("activity")
    doors = home.of("door")
    end = min(seconds, stop_at) if stop_at is not None else seconds

    def hour(t: float) -> float:
        return (start_hour + t / 3600.0) % 24

    if activity:
        peak = max(rhythm.day_rate * 1.4, rhythm.night_rate) / 3600
        bedroom = [d for d in activity if "침실" in d.location] or activity
        for t in _poisson_times(rng, 0.0, end, lambda t: rhythm.rate(hour(t)) / 3600, peak):
            awake = rhythm.flat or rhythm.wake <= hour(t) < rhythm.sleep
            out.append(SimEvent(t, home.controller, "activity", rng.choice(activity if awake else bedroom)))
    if doors and rhythm.outings > 0:
        door = doors[0]
        for t in _poisson_times(rng, 0.0, end, lambda t: (rhythm.outings / 16 / 3600)
                                if rhythm.wake + 1 <= hour(t) < rhythm.sleep - 1 else 0.0,
                                rhythm.outings / 16 / 3600):
            back = t + rng.uniform(1800, 7200)
            for at in (t, t + 20, back, back + 15):
                if at < end:
                    out.append(SimEvent(at, home.controller, "door_open" if at in (t, back) else "door_close", door))
    beat = rhythm.heartbeat_minutes * 60
    phase = rng.uniform(0, beat)
    battery = {d.serial: rng.randint(55, 100) for d in home.devices}
    t = phase
    n = 0
    while t < seconds:  # the gateway keeps beating after a fall: it is the person who stopped
        out.append(SimEvent(t, home.controller, "heartbeat"))
        if n % 6 == 0:
            for d in home.devices:
                out.append(SimEvent(t + 1, home.controller, "heartbeat", d, battery=battery[d.serial]))
        n += 1
        t += beat
    return out


def generate(homes: list[SimHome], *, seconds: float, rhythm: Rhythm, plan: Plan, seed: int,
             start_hour: float = 8.0) -> tuple[list[SimEvent], list[Note]]:
    """The whole stream, in time order, with sequence numbers per gateway; and what happened to whom."""
    rng = random.Random(seed)
    order = list(homes)
    rng.shuffle(order)
    cursor = 0

    def pick(n: int) -> list[SimHome]:
        nonlocal cursor
        chosen = order[cursor:cursor + n]
        cursor += n
        return chosen

    lo, hi = plan.window
    alo, ahi = plan.alarm_window or plan.window
    notes: list[Note] = []
    stop: dict[str, float] = {}
    falls = pick(plan.falls)
    for i, home in enumerate(falls):
        at = rng.uniform(lo, hi) * seconds
        stop[home.controller] = at
        notes.append(Note("fall_button" if i % 2 == 0 else "fall_silent", home.controller, at))
    for home in pick(plan.silent_falls):
        at = rng.uniform(lo, hi) * seconds
        stop[home.controller] = at
        notes.append(Note("fall_silent", home.controller, at))
    extra: list[SimEvent] = []
    for note in [n for n in notes if n.kind == "fall_button"]:
        home = next(h for h in falls if h.controller == note.controller)
        if home.of("button"):
            extra.append(SimEvent(note.at + rng.uniform(5, 90), home.controller, "button", home.of("button")[0]))
    for home in pick(plan.buttons):
        if home.of("button"):
            at = rng.uniform(alo, ahi) * seconds
            notes.append(Note("button", home.controller, at))
            extra.append(SimEvent(at, home.controller, "button", home.of("button")[0]))
            if rng.random() < 0.3:  # pressed by mistake, cancelled
                extra.append(SimEvent(at + rng.uniform(3, 20), home.controller, "button_cancelled",
                                      home.of("button")[0]))
    for home in pick(plan.fires):
        if home.of("fire"):
            at = rng.uniform(alo, ahi) * seconds
            notes.append(Note("fire", home.controller, at))
            detector = home.of("fire")[0]
            repeats = rng.randint(2, 8)
            for k in range(repeats):
                extra.append(SimEvent(at + 30 * k, home.controller, "fire", detector,
                                      report_119="sent" if k == 0 else None))
            extra.append(SimEvent(at + 30 * repeats + 10, home.controller, "fire_cleared", detector))
    for home in pick(plan.flapping):
        if home.of("door"):
            at = rng.uniform(lo, hi) * seconds
            notes.append(Note("flapping", home.controller, at))
            door = home.of("door")[0]
            t = at
            for k in range(60):
                extra.append(SimEvent(t, home.controller, "door_open" if k % 2 == 0 else "door_close", door))
                t += rng.uniform(2, 8)
    dead: dict[str, float] = {}  # a device serial -> when its battery ran out
    for home in pick(plan.dead_batteries):
        sensor = (home.of("activity") or list(home.devices))[:1]
        if sensor:
            at = rng.uniform(lo, hi) * seconds
            notes.append(Note("dead_battery", home.controller, at))
            extra.append(SimEvent(at, home.controller, "low_battery", sensor[0], battery=rng.randint(3, 12)))
            dead[sensor[0].serial] = at + rng.uniform(600, 3600)
    for home in pick(plan.power_cuts):
        at = rng.uniform(lo, hi) * seconds
        notes.append(Note("power_cut", home.controller, at))
        extra.append(SimEvent(at, home.controller, "power_off"))
        extra.append(SimEvent(at + rng.uniform(300, 3600), home.controller, "power_on"))
    events: list[SimEvent] = []
    for home in homes:
        events += _home_events(home, rng, start_hour=start_hour, seconds=seconds, rhythm=rhythm,
                               stop_at=stop.get(home.controller))
    events += [e for e in extra if e.at < seconds]
    # A flat battery: the low-battery warning, then nothing more from that sensor.
    events = [e for e in events if e.device is None or e.device.serial not in dead or e.at <= dead[e.device.serial]]
    events.sort()
    counters: dict[str, int] = {}
    for e in events:
        counters[e.controller] = counters.get(e.controller, 0) + 1
        e.seq = counters[e.controller]
    return events, notes


def body(e: SimEvent, at: dt.datetime, *, run: str) -> dict:
    device = e.device
    return protocol.event_json(
        controller=e.controller, event_id=f"{run}-{e.seq}", seq=e.seq, time=at, device=device.serial if device else None,
        device_kind=device.kind if device else "gateway", kind=e.kind, location=device.location if device else "",
        battery=e.battery, report_119=e.report_119)


@dataclass
class PublishReport:
    published: int = 0
    acknowledged: int = 0
    seconds: float = 0.0
    late_seconds: float = 0.0  # how far behind schedule the publisher fell at worst
    cpu_seconds: float = 0.0  # the publisher's own CPU while publishing (payloads are encoded before)

    def line(self) -> str:
        rate = self.published / self.seconds if self.seconds else 0.0
        return (f"published {self.published:,} events in {self.seconds:.1f}s ({rate:,.0f}/s), "
                f"acknowledged by the broker {self.acknowledged:,}, at worst {self.late_seconds:.1f}s behind, "
                f"CPU {self.cpu_seconds:.2f}s")


def _payloads(events: list[SimEvent], *, run: str, prefix: str) -> list[tuple[str, bytes, bytes]]:
    """Each event's topic (fire, gas, the button and their clearing on the alarm lane) and JSON payload, encoded
    before publishing starts, split where its time goes (live pace stamps an event when it is sent): publishing
    is then a join, not a dict and a json.dumps per event."""
    placeholder = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    mark = json.dumps(placeholder.isoformat(timespec="milliseconds")).encode()
    out = []
    for e in events:
        text = json.dumps(body(e, placeholder, run=run), ensure_ascii=False, separators=(",", ":")).encode()
        head, found, tail = text.partition(mark)
        assert found, "the event's time was not in its payload"
        out.append((protocol.topic_for(e.kind, e.controller, prefix), head, tail))
    return out


# MQTT packet ids are 16 bits: with more than 65,535 messages unacknowledged an id still in use would be handed out
# again, and the older message counted as the wrong event (with paho's publish, a 20,000-home run at 5,000/s, the
# broker 85,000 acknowledgements behind, reported them as lost). A gateway that far ahead of its broker waits, as
# a real one with a bounded queue would.
MAX_UNACKNOWLEDGED = 60_000


FLUSH_PACKETS = 64  # publishes written to the broker's socket at once at most (sooner whenever the stream waits)
# Live pace: an event due within this many seconds is sent now (stamped now, as every event is when sent), not
# slept for: at thousands a second a sleep and a write per event cost more CPU than the packets.
EARLY = 0.002


def publish(events: list[SimEvent], *, broker, prefix: str, pace: str, speed: float, start: dt.datetime,
            run: str, log: TextIO | None = None, out: TextIO | None = None, max_rate: float = 0.0,
            stop: threading.Event | None = None) -> PublishReport:
    """Publish the stream with QoS 1. ``log`` gets one CSV line per event the broker acknowledged
    (controller, event id, sequence, kind, wall time): the benchmark counts losses against it.

    The PUBLISH packets are built here (mqtt.publish_packet, the bytes paho sends) with packet ids of our own,
    and written FLUSH_PACKETS at a time, or as soon as the next event is not yet due: paho's ``publish`` made
    a message object, a queue entry and a wake-up of its network thread per event, about 130 µs of CPU each,
    on the cores the system under test shares in bench/safety.py. The stream is the same: each event stamped
    when it is sent, in order, on one connection. The broker's PUBACKs reach ``on_raw_puback``."""
    from dolbom.safety.mqtt import client, publish_packet

    report = PublishReport()
    sent: dict[int, SimEvent] = {}  # packet id -> event, until the broker acknowledges it
    writer = csv.writer(log) if log is not None else None

    def on_puback(mid: int, reason: int) -> None:  # paho's network thread
        e = sent.pop(mid, None)
        if e is None or reason >= 0x80:  # an error reason: the broker did not take it
            return
        report.acknowledged += 1
        if writer is not None:
            writer.writerow([e.controller, f"{run}-{e.seq}", e.seq, e.kind, f"{time.time():.3f}"])

    payloads = _payloads(events, run=run, prefix=prefix)
    topics: dict[str, bytes] = {}
    c = client(broker)
    c.on_raw_puback = on_puback
    c.connect(broker.host, broker.port, keepalive=30)
    c.loop_start()
    waited = time.monotonic()
    while not c.is_connected() and time.monotonic() - waited < 30:
        time.sleep(0.01)
    if out is not None:
        out.write("발행 시작 (publishing)\n")
        out.flush()
    began = time.monotonic()
    cpu = time.process_time()
    next_report = began + 5
    stamp_ms, stamp = -1, b""
    pending: list[bytes] = []
    mid = 0

    def flush() -> None:
        if pending:
            c.publish_packets(b"".join(pending))
            pending.clear()

    try:
        for e, (topic, head, tail) in zip(events, payloads, strict=True):
            if stop is not None and stop.is_set():
                break
            if pace == "live":
                due = began + e.at / speed
                lag = time.monotonic() - due
                if lag < -EARLY:
                    flush()
                    time.sleep(-lag)
                report.late_seconds = max(report.late_seconds, lag)
                ms = int(time.time() * 1000)
            else:
                ms = int((start.timestamp() + e.at) * 1000)
                if max_rate:
                    due = began + report.published / max_rate
                    if due > time.monotonic():
                        flush()
                        time.sleep(due - time.monotonic())
            if ms != stamp_ms:  # a few events share each millisecond at bench rates
                stamp_ms = ms
                stamp = json.dumps(dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="milliseconds")
                                   ).encode()
            if len(sent) >= MAX_UNACKNOWLEDGED:  # len() of a dict is atomic: no lock needed to look
                flush()
                while len(sent) >= MAX_UNACKNOWLEDGED:
                    time.sleep(0.001)
            mid = mid % 65535 + 1
            while mid in sent:  # an id still unacknowledged from the last round
                mid = mid % 65535 + 1
            sent[mid] = e  # before the packet goes: its PUBACK may come at once
            name = topics.get(topic)
            if name is None:
                name = topics[topic] = topic.encode()
            pending.append(publish_packet(name, head + stamp + tail, mid))
            if len(pending) >= FLUSH_PACKETS:
                flush()
            report.published += 1
            if out is not None and time.monotonic() >= next_report:
                out.write(f"  {report.line()}\n")
                out.flush()
                next_report = time.monotonic() + 5
        flush()
        waited = time.monotonic()
        while sent and time.monotonic() - waited < 30:
            time.sleep(0.05)
    finally:
        report.seconds = time.monotonic() - began
        report.cpu_seconds = time.process_time() - cpu
        c.disconnect()
        c.loop_stop()
    return report


def homes_from_db(limit: int) -> list[SimHome]:
    """The first ``limit`` homes in service, with their active gateway and sensors."""
    from dolbom.safety.models import Device, DeviceStatus, Gateway, HomeStatus

    gateways = list(Gateway.objects.filter(status=DeviceStatus.ACTIVE, home__status=HomeStatus.ACTIVE)
                    .order_by("home_id").values("id", "serial")[:limit])
    devices: dict[int, list[SimDevice]] = {}
    for d in (Device.objects.filter(gateway_id__in=[g["id"] for g in gateways], status=DeviceStatus.ACTIVE)
              .values("gateway_id", "kind", "serial", "location")):
        devices.setdefault(d["gateway_id"], []).append(SimDevice(d["kind"], d["serial"], d["location"]))
    return [SimHome(g["serial"], tuple(devices.get(g["id"], ()))) for g in gateways]


def expected_rate(homes: int, rhythm: Rhythm, devices: int = 6) -> float:
    """Roughly how many events a second ``homes`` homes send: activity, doors, heartbeats."""
    if rhythm.flat:
        per_hour = rhythm.day_rate
    else:
        awake = rhythm.sleep - rhythm.wake
        per_hour = (rhythm.day_rate * awake + rhythm.night_rate * (24 - awake)) / 24 + rhythm.outings * 4 / 24
    per_hour += 60 / rhythm.heartbeat_minutes * (1 + devices / 6)
    return homes * per_hour / 3600
