"""Demo: the 서신 emergency-safety centre with its worker and team lead, forty homes of older people living alone
in 서신동 in service, a waiting list ordered by need, and the last day of their sensors played through the real
ingest and rules (the simulator's stream, stored as if it had arrived live): falls left without movement for 13,
19 and 25 hours, a button press, a cooking-smoke fire alarm, a flapping door, a flat battery, a power cut, a
hospital stay registered as an absence.

For a live board, run beside ``dolbom demo`` (another terminal each; a broker on 127.0.0.1:1883)::

    .venv/bin/dolbom safety ingest
    .venv/bin/dolbom safety simulate --homes 40 --hours 1 --speed 30 --buttons 2 --fires 1 --flapping 1

and log in as ``emergency`` (응급관리요원): alerts appear on the board within seconds, without reloading.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import TextIO

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.registry.models import Resident
from dolbom.safety import protocol, services, simulator
from dolbom.safety.models import Centre, Device, Home, Incident, Transport

DEMO_DONG = "서신동"
DEMO_USERS = [
    ("emergency", "윤보라", Role.EMERGENCY_WORKER, None, "서신 응급안전안심센터", "응급관리요원 (관제 화면)"),
    ("safetylead", "서지훈", Role.EMERGENCY_WORKER, None, "서신 응급안전안심센터", "응급안전 팀장 (미확인 경보 보고)"),
]
HOMES = 40
WAITING = 25
HISTORY_HOURS = 26
CHUNK = dt.timedelta(minutes=20)
KINDS = [("activity", "A1", "거실"), ("activity", "A2", "침실"), ("door", "D1", "현관"), ("fire", "F1", "주방"),
         ("gas", "G1", "주방"), ("button", "B1", "")]
# Homes (by position) that stop moving this many hours ago: a caution, a warning, a danger by now.
FALLS = {3: 12.6, 7: 19.2, 11: 25.0}
SILENT = "SS0019-G1"  # a gas detector that never reported since it was installed


def _people(dong_name: str) -> list[Resident]:
    """Older residents, living alone first, of the demo dong and then of the rest of the city (a small demo
    city has few in one dong); the demo case manager's clients before anyone (their cases show the timeline)."""
    from django.db.models import Case as Conditional
    from django.db.models import IntegerField, Value, When

    from dolbom.cases.models import Case

    manager_clients = set(Case.objects.filter(manager__username="manager").values_list("resident_id", flat=True))
    in_dong = Conditional(When(dong__name=dong_name, then=Value(0)), default=Value(1), output_field=IntegerField())
    rows = list(Resident.objects.filter(is_older=True, deceased_on__isnull=True).annotate(elsewhere=in_dong)
                .select_related("household").order_by("elsewhere", "-lives_alone", "pk")[:600])
    first = [r for r in rows if r.pk in manager_clients]
    seen: set[int] = set()
    out = []
    for r in first + [r for r in rows if r.pk not in manager_clients]:
        if r.household_id not in seen:
            seen.add(r.household_id)
            out.append(r)
    return out


def seed_demo(*, seed: int, out: TextIO) -> None:
    officer = User.objects.filter(username="officer").first()
    city = User.objects.filter(username="city").first()
    worker = User.objects.filter(username="emergency").first()
    lead = User.objects.filter(username="safetylead").first()
    if not (officer and city and worker and lead) or Home.objects.exists():
        return
    started = time.perf_counter()
    rng = random.Random(seed)
    people = _people(DEMO_DONG)
    if len(people) < HOMES:
        return
    with transaction.atomic():
        centre = Centre.objects.create(code="seosin", name="서신 응급안전안심센터", phone="063-000-1190")
        services.responder_set(actor=city, user=worker, centre=centre, phone="010-0000-1191")
        services.responder_set(actor=city, user=lead, centre=centre, is_lead=True, phone="010-0000-1192")
        installed_on = timezone.localdate() - dt.timedelta(days=30)
        homes = []
        for k, resident in enumerate(people[:HOMES]):
            home = services.waitlist_add(actor=city, resident=resident, note="독거 어르신",
                                         applied_on=installed_on - dt.timedelta(days=60))
            specs = [services.DeviceSpec(kind=kind, serial=f"SS{k:04d}-{s}", component=str(i), location=loc)
                     for i, (kind, s, loc) in enumerate(KINDS, 1)]
            services.home_install(actor=city, home=home, centre=centre, worker=worker, gateway_serial=f"SS{k:04d}-GW",
                                  devices=specs, installed_on=installed_on, gateway_model="EG-500")
            homes.append(home)
        for resident in people[HOMES:HOMES + WAITING]:
            services.waitlist_add(actor=city, resident=resident,
                                  applied_on=timezone.localdate() - dt.timedelta(days=rng.randint(3, 120)))
        # The equipment was installed before the day we replay: the clocks count from its start.
        start = timezone.now() - dt.timedelta(hours=HISTORY_HOURS)
        before = start - dt.timedelta(days=2)
        Device.objects.filter(home__in=homes).update(created_at=before, first_event_at=start, last_event_at=start)
        Device.objects.filter(serial=SILENT).update(first_event_at=None, last_event_at=None)
        from dolbom.safety.models import Clock, Gateway

        Gateway.objects.filter(home__in=homes).update(created_at=before, last_seen_at=start, last_heartbeat_at=start)
        Clock.objects.filter(home__in=homes).update(base_at=start, due_at=start + dt.timedelta(hours=12))
    stream = _history(homes, start, rng, seed)
    _replay(stream, start)  # history: its alarm texts are kept, not sent (dolbom/demo.py)
    _worker_steps(worker, homes)
    opened = Incident.objects.filter(resolved_at__isnull=True).count()
    out.write(f"응급안전: 이용 {len(homes)}가구, 대기 {WAITING}명, 지난 {HISTORY_HOURS}시간 이벤트 {len(stream):,}건, "
              f"미처리 경보 {opened}건 (데모 이력: 문자 보내지 않음, {time.perf_counter() - started:.1f}초)\n")


def _history(homes: list[Home], start: dt.datetime, rng: random.Random, seed: int) -> list[tuple[dt.datetime, dict]]:
    sim = simulator.homes_from_db(len(homes) + 10)
    by_serial = {h.controller: h for h in sim}
    seconds = HISTORY_HOURS * 3600
    events, _notes = simulator.generate(sim, seconds=seconds, rhythm=simulator.Rhythm(), plan=simulator.Plan(),
                                        seed=seed, start_hour=timezone.localtime(start).hour)
    stops = {f"SS{k:04d}-GW": seconds - hours * 3600 for k, hours in FALLS.items()}
    absent = "SS0015-GW"  # in hospital since yesterday morning (registered below)
    stops[absent] = 6 * 3600
    silent = SILENT
    extra: list[simulator.SimEvent] = []

    def at(hours_ago: float) -> float:
        return seconds - hours_ago * 3600

    def device(controller: str, kind: str) -> simulator.SimDevice:
        return next(d for d in by_serial[controller].devices if d.kind == kind)

    extra.append(simulator.SimEvent(at(0.4), "SS0001-GW", "button", device("SS0001-GW", "button")))
    for k in range(4):  # cooking smoke: the detector sounds for two minutes, then clears
        extra.append(simulator.SimEvent(at(3) + 30 * k, "SS0005-GW", "fire", device("SS0005-GW", "fire"),
                                        report_119="sent" if k == 0 else None))
    extra.append(simulator.SimEvent(at(3) + 130, "SS0005-GW", "fire_cleared", device("SS0005-GW", "fire")))
    for k in range(40):  # a door contact that bounces
        extra.append(simulator.SimEvent(at(1.5) + 4 * k, "SS0009-GW", "door_open" if k % 2 == 0 else "door_close",
                                        device("SS0009-GW", "door")))
    flat = device("SS0013-GW", "door")
    extra.append(simulator.SimEvent(at(5), "SS0013-GW", "low_battery", flat, battery=7))
    extra.append(simulator.SimEvent(at(2.5), "SS0017-GW", "power_off"))
    added = {id(e) for e in extra}
    kept = []
    for e in events + extra:
        stop = stops.get(e.controller)
        life = e.kind in ("activity", "door_open", "door_close") and id(e) not in added
        if (stop is not None and life and e.at > stop) or (e.device is not None and e.device.serial == silent):
            continue
        if e.device is flat and e.at > at(5):
            continue  # the door contact's battery ran flat
        kept.append(e)
    kept.sort()
    counters: dict[str, int] = {}
    out = []
    for e in kept:
        counters[e.controller] = counters.get(e.controller, 0) + 1
        e.seq = counters[e.controller]
        when = start + dt.timedelta(seconds=e.at)
        out.append((when, simulator.body(e, when, run="demo")))
    # The daughter called the centre: in hospital since yesterday morning, back in three days.
    services.absence_register(actor=User.objects.get(username="emergency"),
                              home=Home.objects.get(gateways__serial=absent), starts_at=start + dt.timedelta(hours=6),
                              ends_at=timezone.now() + dt.timedelta(days=3), reason="hospital",
                              note="전북대학교병원 입원 (딸 연락)")
    return out


def _replay(stream: list[tuple[dt.datetime, dict]], start: dt.datetime) -> None:
    """The day as it would have arrived: chunk by chunk, each stored at its own time and followed by the sweep
    of that moment, so that incidents open when they would have."""
    import json

    now = timezone.now()
    t = start
    index = 0
    while t < now:
        end = min(t + CHUNK, now)
        chunk = []
        while index < len(stream) and stream[index][0] < end:
            chunk.append(stream[index][1])
            index += 1
        items = [(b, json.dumps(b, ensure_ascii=False, separators=(",", ":"))) for b in chunk]
        parsed, refused = protocol.judge(items, now=end, controller=None)
        if parsed or refused:
            services.events_ingest(parsed=parsed, refused=refused, transport=Transport.DIRECT, received_at=end)
        services.sweep(now=end)
        t = end


def _worker_steps(worker: User, homes: list[Home]) -> None:
    """What the worker already did this morning: the smoke alarm called in and closed as cooking."""
    fire = Incident.objects.filter(home__gateways__serial="SS0005-GW", cause="fire").first()
    if fire is not None:
        services.incident_respond(actor=worker, incident=fire, action="phone_call", note="생선 굽다 연기 남. 환기 안내")
        services.incident_false_alarm(actor=worker, incident=fire, reason="cooking")
