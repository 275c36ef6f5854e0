"""Benchmark: the emergency safety service's real path under a city's load, across a crash and a database
restart, beside a naive baseline measured in the same run.

    .venv/bin/python bench/safety.py                              # SQLite and PostgreSQL, 20,000 homes
    .venv/bin/python bench/safety.py --db postgres --homes 20000 --rate 5000 --seconds 60
    .venv/bin/python bench/safety.py --db sqlite --homes 2000 --rate 1000 --seconds 20 --no-baseline

The path is the production one, each part its own process: ``dolbom safety simulate`` (the device simulator,
MQTT QoS 1) → Mosquitto → ``dolbom safety ingest`` (the worker) → the database → the rules → incidents. The
broker is started by this script from ``dolbom/safety/deploy/mosquitto.conf`` (the settings a city runs:
unlimited queue for a worker's persistent session) on a free port, so the benchmark neither disturbs nor
depends on the machine's own broker.

For each database:

1. *capacity*: events are published while no worker runs, then the worker starts and drains the backlog;
   the drain rate is the most the worker can sustain (events per second committed).
2. *live*: the simulator publishes at ``--rate`` events a second (a flat rhythm: a compressed day has no
   night) with falls, button presses and fire alarms among the homes; at a third of the run the worker is
   killed with SIGKILL and restarted, at two thirds (PostgreSQL only) the database is restarted (``pg_ctl
   restart -m fast`` of the bench's own cluster). Printed: the rate committed, the worker's and the database's
   CPU per event (CPU-seconds hold under the machine's load; the load is printed too), the p50/p99 time from a
   fire or button event to its incident (outside the fault windows, 2 s either side, and across them), events
   lost (acknowledged by the broker to the simulator but never stored), duplicate incidents, missed inactivity
   alerts (a fallen resident with no inactivity incident within the worker's deferral bound, MAX_DEFER, after
   their caution deadline; the bench waits for it and goes on as soon as every one is in) and how late the
   alerts came.
3. *baseline*: the same stream and the same faults through a naive subscriber: automatic acknowledgement
   on receipt, one transaction per event, no natural key, incidents deduplicated and inactivity timers kept
   in memory.

Bench homes count inactivity in minutes (caution 1, warning 2, danger 3) instead of hours, so that a run of
a minute or two reaches the levels; activity moves the clock at most every 5 s (the city default is 60 s).

PostgreSQL: by default (``--pg-cluster own``) the bench makes a throw-away cluster of its own (initdb in a
temporary folder, a free port, run as the ``postgres`` user when started as root, shared_buffers 128 MB as
the machine's), restarts that one and removes it at the end, so the restart cuts nobody else's connections.
``--pg-cluster VERSION/NAME`` with ``--pg-url`` uses a cluster you made for it instead (``pg_createcluster 15
bench -p 5433 --start``); never name a cluster others use. The database is dropped and created afresh.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safety_harness import (  # noqa: E402 - the path above first
    CAUTION_MINUTES,
    Broker,
    Database,
    Simulator,
    Worker,
    _dolbom,
    _drain,
    _env,
    _run,
    _self,
)

# Parts that run inside Django (this script, called with a leading "_verb") -----------------------------

def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dolbom.settings")
    import django

    django.setup()


def prepare(homes: int, seed: int) -> None:
    """A synthetic city and ``homes`` homes in service, each with a gateway and six sensors."""
    _django()
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from dolbom.accounts.models import Role
    from dolbom.accounts.services import staff_create
    from dolbom.registry.models import Resident
    from dolbom.registry.synthetic import generate
    from dolbom.registry.synthetic.writer import write_city
    from dolbom.safety.models import (
        Centre,
        Clock,
        Device,
        Gateway,
        Home,
        HomeStatus,
        Responder,
        SafetySettings,
    )

    started = time.perf_counter()
    write_city(generate(households=homes, seed=seed, as_of=timezone.localdate()))
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        city = staff_create(username="bench-city", password=None, display_name="정하늘", role=Role.CITY_TEAM)
        worker = staff_create(username="bench-worker", password=None, display_name="윤보라", role=Role.EMERGENCY_WORKER)
        centre = Centre.objects.create(code="bench", name="벤치 응급안전센터")
        Responder.objects.create(user=worker, centre=centre)
        firsts = {}
        for rid, hid, dong in Resident.objects.order_by("pk").values_list("pk", "household_id", "dong_id"):
            firsts.setdefault(hid, (rid, dong))
        rows = [Home(resident_id=rid, household_id=hid, dong_id=dong, status=HomeStatus.ACTIVE, centre=centre,
                     worker=worker, applied_on=today, applied_by=city, installed_on=today,
                     caution_minutes=CAUTION_MINUTES, warning_minutes=2 * CAUTION_MINUTES,
                     danger_minutes=3 * CAUTION_MINUTES, checkin_on_caution=False)
                for hid, (rid, dong) in list(firsts.items())[:homes]]
        Home.objects.bulk_create(rows, batch_size=2000)
        ids = list(Home.objects.order_by("pk").values_list("pk", flat=True))
        Gateway.objects.bulk_create([Gateway(home_id=h, serial=f"B{i:06d}-GW", installed_on=today)
                                     for i, h in enumerate(ids)], batch_size=2000)
        gateways = dict(Gateway.objects.values_list("home_id", "pk"))
        kinds = [("activity", "A1", "거실"), ("activity", "A2", "침실"), ("door", "D1", "현관"), ("fire", "F1", "주방"),
                 ("gas", "G1", "주방"), ("button", "B1", "")]
        Device.objects.bulk_create([
            Device(gateway_id=gateways[h], home_id=h, kind=k, serial=f"B{i:06d}-{s}", component=str(c),
                   location=loc, installed_on=today)
            for i, h in enumerate(ids) for c, (k, s, loc) in enumerate(kinds, 1)], batch_size=5000)
        # No deadline until a home's first event: the run starts minutes after this.
        Clock.objects.bulk_create([Clock(home_id=h, base_at=now, next_level="caution", due_at=None, updated_at=now)
                                   for h in ids], batch_size=5000)
        # The stream is a day compressed into minutes: at 5,000 events a second over 20,000 homes each activity
        # sensor sends ~13 events in two minutes, which the city's damping (12 in 120 s) takes for a loose
        # contact. The bench simulates no flapping sensor, so damping is set out of the stream's reach.
        SafetySettings.objects.create(activity_coalesce_seconds=5, escalate_lead_seconds=3600,
                                      escalate_city_seconds=7200, heartbeat_minutes=24 * 60, flap_events=1000,
                                      flap_seconds=60)
    print(json.dumps({"homes": len(ids), "seconds": round(time.perf_counter() - started, 1),
                      "at": dt.datetime.now().isoformat()}))


def reset() -> None:
    """Empty what a run wrote, keep the homes (the baseline gets the same city)."""
    _django()
    from django.db import connection, transaction
    from django.utils import timezone

    from dolbom.safety.models import (
        Absence,
        Clock,
        Device,
        DeviceTicket,
        Event,
        Gateway,
        Incident,
        IncidentLog,
        Reject,
    )

    with transaction.atomic():
        for model in (IncidentLog, Incident, DeviceTicket, Absence, Event, Reject):
            model.objects.all().delete()
        Clock.objects.update(base_at=timezone.now(), next_level="caution", due_at=None, last_activity_at=None)
        Gateway.objects.update(last_seen_at=None, last_heartbeat_at=None, powered=True)
        Device.objects.update(first_event_at=None, last_event_at=None, flapping_since=None, battery_pct=None)
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS naive_event")
            cur.execute("DROP TABLE IF EXISTS naive_incident")


def naive(client_id: str, prefix: str, port: int, caution_seconds: float) -> None:
    """The baseline: what a first attempt looks like. Acknowledges on receipt (paho's default), one
    transaction per event, no natural key, open incidents and inactivity timers in memory."""
    _django()
    import datetime as dt

    import paho.mqtt.client as mqtt
    from django.db import connection, transaction

    pk = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS naive_event (id {pk}, controller TEXT, event_id TEXT, seq BIGINT, "
                    "kind TEXT, occurred_at TEXT, received_at DOUBLE PRECISION, raw TEXT)")
        cur.execute(f"CREATE TABLE IF NOT EXISTS naive_incident (id {pk}, controller TEXT, cause TEXT, "
                    "event_at DOUBLE PRECISION, opened_at DOUBLE PRECISION)")
    open_: set[tuple[str, str]] = set()
    timers: dict[str, float] = {}
    fired: set[str] = set()
    lock = threading.Lock()

    def incident(controller: str, cause: str, event_at: float) -> None:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("INSERT INTO naive_incident (controller, cause, event_at, opened_at) VALUES (%s, %s, %s, %s)",
                        [controller, cause, event_at, time.time()])

    def on_message(c, userdata, msg) -> None:
        try:
            e = json.loads(msg.payload)
            kind = {100: "activity", 110: "door_open", 111: "door_close", 200: "fire", 210: "gas",
                    300: "button"}.get(e["status_code"], "other")
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("INSERT INTO naive_event (controller, event_id, seq, kind, occurred_at, received_at, raw) "
                            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                            [e["controller"], e["event_id"], e["seq"], kind, e["time"], time.time(), msg.payload.decode()])
            at = dt.datetime.fromisoformat(e["time"]).timestamp()
            if kind in ("fire", "gas", "button") and (e["controller"], kind) not in open_:
                open_.add((e["controller"], kind))
                incident(e["controller"], kind, at)
            elif kind in ("activity", "door_open", "door_close"):
                with lock:
                    timers[e["controller"]] = at + caution_seconds
        except Exception:  # noqa: BLE001 - the naive way: log and move on (the event is gone)
            connection.close()

    def tick() -> None:
        while True:
            time.sleep(1)
            now = time.time()
            with lock:
                due = [c for c, t in timers.items() if t <= now and c not in fired]
            for controller in due:
                try:
                    incident(controller, "inactivity", timers[controller])
                    fired.add(controller)
                except Exception:  # noqa: BLE001
                    connection.close()

    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311, clean_session=True)
    c.on_message = on_message
    c.on_connect = lambda c, u, f, rc, p: c.subscribe(f"{prefix}/+/events", qos=1)
    c.on_subscribe = lambda *a: print("구독 완료 (subscribed)", flush=True)
    c.connect("127.0.0.1", port)
    threading.Thread(target=tick, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: (c.disconnect(), sys.exit(0)))
    c.loop_forever()


def report(mode: str, log_path: str, notes_path: str, faults_path: str, caution_seconds: float, speed: float,
           started: float) -> None:
    """Counts from the database against what the broker acknowledged and what the simulator made happen."""
    _django()
    from django.db import connection

    acked = set()
    with open(log_path, encoding="utf-8") as f:
        for controller, event_id, seq, _kind, _wall in csv.reader(f):
            acked.add((controller, event_id, int(seq)))
    notes = [json.loads(line) for line in open(notes_path, encoding="utf-8")]
    faults = json.load(open(faults_path, encoding="utf-8"))
    with connection.cursor() as cur:
        if mode == "real":
            cur.execute("SELECT g.serial, e.event_id, e.sequence FROM safety_event e JOIN safety_gateway g "
                        "ON g.id = e.gateway_id")
            stored_rows = cur.fetchall()
            cur.execute("SELECT g.serial, i.cause, i.event_at, i.opened_at FROM safety_incident i "
                        "JOIN safety_gateway g ON g.home_id = i.home_id")
            incidents = [(s, c, _ts(e), _ts(o)) for s, c, e, o in cur.fetchall()]
            cur.execute("SELECT MIN(received_at), MAX(received_at) FROM safety_event")
            first, last = (_ts(v) for v in cur.fetchone())
        else:
            cur.execute("SELECT controller, event_id, seq FROM naive_event")
            stored_rows = cur.fetchall()
            cur.execute("SELECT controller, cause, event_at, opened_at FROM naive_incident")
            incidents = [(s, c, float(e), float(o)) for s, c, e, o in cur.fetchall()]
            cur.execute("SELECT MIN(received_at), MAX(received_at) FROM naive_event")
            first, last = cur.fetchone()
    stored = {(c, e, int(s)) for c, e, s in stored_rows}
    per_key: dict[tuple[str, str], int] = {}
    for controller, cause, _e, _o in incidents:
        per_key[(controller, cause)] = per_key.get((controller, cause), 0) + 1
    fallen = {n["controller"]: started + n["at"] / speed for n in notes if n["kind"] in ("fall_button", "fall_silent")}
    inactive = {c for c, cause, _e, _o in incidents if cause == "inactivity"}
    due = {c for c, at in fallen.items() if at + caution_seconds + 3 < faults["ended"]}
    # Seconds from a fallen resident's caution deadline to the alert (the incident's event time is the deadline).
    delays = sorted(o - e for c, cause, e, o in incidents if cause == "inactivity" and c in fallen)
    # Outside the faults: not within 2 s either side of the kill or the restart (an alarm stored but not yet
    # committed when the worker is killed is committed by the next worker, after its start-up).
    windows = [(w[0] - 2, w[1] + 2) for w in faults["windows"]]
    latencies = [(o - e, e) for _c, cause, e, o in incidents if cause in ("fire", "button")]

    def outside(at: float) -> bool:
        return all(not (a <= at <= b) for a, b in windows)

    calm = sorted(d for d, e in latencies if outside(e))
    every = sorted(d for d, _e in latencies)
    homes_streamed = {c for c, _e, _s in stored}
    # After the stream ends every home goes quiet: alerts due after that are right, not false.
    false_inactivity = len({c for c, cause, e, _o in incidents if cause == "inactivity" and c not in fallen
                            and c in homes_streamed and e < faults["published_until"]})
    print(json.dumps({
        "false_inactivity": false_inactivity,
        "acked": len(acked), "stored": len(stored_rows), "distinct": len(stored), "lost": len(acked - stored),
        "duplicate_rows": len(stored_rows) - len(stored),
        "duplicate_incidents": sum(n - 1 for n in per_key.values() if n > 1),
        "falls_due": len(due), "missed_inactivity": len(due - inactive),
        "p50": _pct(calm, 50), "p99": _pct(calm, 99), "p50_all": _pct(every, 50), "p99_all": _pct(every, 99),
        "alarms": len(every), "first": first, "last": last,
        "inactivity_delay_p50": _pct(delays, 50), "inactivity_delay_max": delays[-1] if delays else None,
    }))


def _ts(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):
        import datetime as dt

        value = dt.datetime.fromisoformat(value.replace(" ", "T"))
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]



# The scenarios (no Django here: they start the harness's processes and read the database directly) -----

def capacity(db: Database, broker: Broker, tmp: Path, args) -> dict:
    """Publish a backlog with no worker running, then time the worker draining it."""
    prefix = f"bench-{uuid.uuid4().hex[:8]}/safety/v1/gw"
    env = _env(db, broker, tmp, prefix)
    client_id = f"bench-cap-{uuid.uuid4().hex[:6]}"
    log = tmp / "capacity.csv"
    # Create the worker's persistent session first, so that the broker keeps the backlog for it.
    worker = Worker("real", env, client_id, prefix, broker.port, tmp / "worker-capacity.log")
    worker.start()
    worker.stop()
    count = int(args.capacity)
    speed = 1.0
    seconds = count / max(args.homes * args.per_hour / 3600, 1e-9)
    sim = Simulator(env, args, seconds=seconds, speed=speed, run=f"cap{uuid.uuid4().hex[:4]}", log=log,
                    notes=tmp / "capacity-notes.jsonl", pace="fast")
    sim.wait()
    published = sum(1 for _ in log.open(encoding="utf-8"))
    before = db.count("safety_event")
    worker.start()
    took = _drain(db, "safety_event", before + published, timeout=900)
    worker.stop()
    stored = db.count("safety_event") - before
    return {"published": published, "stored": stored, "seconds": took, "rate": stored / max(took, 1e-9)}


def live(db: Database, broker: Broker, tmp: Path, args, mode: str) -> dict:
    prefix = f"bench-{uuid.uuid4().hex[:8]}/safety/v1/gw"
    env = _env(db, broker, tmp, prefix)
    client_id = f"bench-{mode}-{uuid.uuid4().hex[:6]}"
    log, notes, faults_path = tmp / f"{mode}.csv", tmp / f"{mode}-notes.jsonl", tmp / f"{mode}-faults.json"
    table = "safety_event" if mode == "real" else "naive_event"
    worker = Worker(mode, env, client_id, prefix, broker.port, tmp / f"worker-{mode}.log")
    worker.start()
    _start_clocks(db)
    speed = args.rate / max(args.homes * (args.per_hour + 2) / 3600, 1e-9)
    extra = ("--buttons", str(args.buttons), "--fires", str(args.fires), "--silent-falls", str(args.falls),
             "--window", "0.05", "0.3")
    sim = Simulator(env, args, seconds=args.seconds, speed=speed, run=f"{mode}{uuid.uuid4().hex[:4]}", log=log,
                    notes=notes, extra=extra)
    if not sim.started.wait(300):
        raise SystemExit("the simulator did not start publishing")
    started = sim.at
    windows = []
    db_cpu, broker_cpu = -db.cpu(), -broker.cpu()
    _say(f"{mode}: publishing at {args.rate:,}/s for {args.seconds}s")
    if not args.no_faults:
        time.sleep(max(0.0, started + args.seconds / 3 - time.time()))
        down = time.time()
        worker.kill()
        time.sleep(1.0)
        worker.start()
        windows.append((down, time.time()))
        _say(f"{mode}: worker killed (kill -9) and restarted in {time.time() - down:.1f}s")
        if db.kind == "postgres":
            time.sleep(max(0.0, started + 2 * args.seconds / 3 - time.time()))
            down = time.time()
            db_cpu += db.cpu()  # the postmaster and its reaped backends end with the restart
            subprocess.run(db.restart_command, check=True, capture_output=True)
            db_cpu -= db.cpu()
            windows.append((down, time.time()))
            _say(f"{mode}: PostgreSQL restarted in {time.time() - down:.1f}s")
    publish_line = sim.wait()
    ended_publishing = time.time()
    acked = sum(1 for _ in log.open(encoding="utf-8"))
    _say(f"{mode}: {publish_line}; waiting for the worker to store them")
    drain = _drain(db, table, acked, timeout=900)
    broker_cpu += broker.cpu()
    _say(f"{mode}: stored {db.count(table):,} ({drain:.1f}s after the publisher); waiting for the falls' alerts")
    judged = _await_inactivity(db, mode, notes, started, speed, bound=JUDGE_BOUND[mode])
    ended = time.time()
    db_cpu += db.cpu()
    worker.stop()
    faults_path.write_text(json.dumps({"windows": windows, "ended": ended, "published_until": ended_publishing}),
                           encoding="utf-8")
    result = json.loads(_run(_self("_report", mode, str(log), str(notes), str(faults_path),
                                   str(CAUTION_MINUTES * 60), f"{speed:.6f}", f"{started:.3f}"), env).splitlines()[-1])
    result.update({"publisher": publish_line, "drain_after_publisher": drain,
                   "published_seconds": ended_publishing - started, "judged_after": judged,
                   "worker_cpu_s": worker.cpu, "db_cpu_s": db_cpu if db.cluster is not None else None,
                   "publisher_cpu_s": sim.cpu, "broker_cpu_s": broker_cpu})
    if result["first"] is not None and result["last"] is not None and result["last"] > result["first"]:
        result["committed_rate"] = result["distinct"] / (result["last"] - result["first"])
    if result["distinct"]:
        result["worker_cpu_us"] = worker.cpu / result["distinct"] * 1e6
        if db.cluster is not None:
            result["db_cpu_us"] = db_cpu / result["distinct"] * 1e6
            result["rate_cpu"] = result["distinct"] / max(worker.cpu + db_cpu, 1e-9)
        # The whole path on one machine: what 2 cores must hold at the target rate.
        publishing = re.search(r"CPU ([0-9.]+)s", publish_line)
        total = worker.cpu + (db_cpu if db.cluster is not None else 0.0) + broker_cpu + (
            float(publishing.group(1)) if publishing else sim.cpu)
        # The simulator's CPU while it published (its report); the whole process also made the stream first.
        result["publisher_cpu_us"] = (float(publishing.group(1)) if publishing else sim.cpu) / result["distinct"] * 1e6
        result["broker_cpu_us"] = broker_cpu / result["distinct"] * 1e6
        result["total_cpu_us"] = total / result["distinct"] * 1e6
        result["rate_total_cpu"] = result["distinct"] / max(total, 1e-9)
    _say(f"{mode}: done: {_summary(result)}")
    return result


def _say(line: str) -> None:
    """Progress as the run goes (the full run takes minutes)."""
    print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True)


def _summary(r: dict) -> str:
    return (f"{_fmt(r.get('committed_rate'), '/s')} committed, p50 {_fmt(r.get('p50'), ' s', 3)}, "
            f"p99 {_fmt(r.get('p99'), ' s', 3)}, lost {r.get('lost')}, duplicate incidents "
            f"{r.get('duplicate_incidents')}, missed inactivity {r.get('missed_inactivity')}, CPU per event: worker "
            f"{_fmt(r.get('worker_cpu_us'), ' µs')}, database {_fmt(r.get('db_cpu_us'), ' µs')}, publisher "
            f"{_fmt(r.get('publisher_cpu_us'), ' µs')}, broker {_fmt(r.get('broker_cpu_us'), ' µs')}, load "
            f"{os.getloadavg()[0]:.1f}")


def _start_clocks(db: Database) -> None:
    """Every home's inactivity clock starts now, as installation starts it (services.home_install): a
    resident who falls before their first activity event is still due an alert a caution later."""
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    due = now + dt.timedelta(minutes=CAUTION_MINUTES)
    fmt = "%Y-%m-%d %H:%M:%S.%f" + ("+00:00" if db.kind == "postgres" else "")
    db.execute("UPDATE safety_clock SET base_at = %s, due_at = %s, next_level = 'caution', last_activity_at = NULL",
               (now.strftime(fmt), due.strftime(fmt)))


# How long after a fallen resident's caution deadline an inactivity alert may come before it counts as
# missed: dolbom holds deadlines while it is behind the stream for at most MAX_DEFER (safety/worker.py);
# the baseline's timers tick every second. The wait ends as soon as every alert due is there.
JUDGE_BOUND = {"real": 300.0 + 10, "naive": 10.0}


def _await_inactivity(db: Database, mode: str, notes: Path, started: float, speed: float, *, bound: float) -> float:
    """Wait until each fall's caution deadline has passed and its inactivity alert is in, or ``bound``
    seconds after the last deadline; the seconds waited after the last deadline."""
    falls = [json.loads(line) for line in notes.open(encoding="utf-8")]
    due = {n["controller"]: started + n["at"] / speed + CAUTION_MINUTES * 60
           for n in falls if n["kind"] in ("fall_button", "fall_silent")}
    last = max(due.values(), default=time.time())
    sql = ("SELECT DISTINCT g.serial FROM safety_incident i JOIN safety_gateway g ON g.home_id = i.home_id "
           "WHERE i.cause = 'inactivity'" if mode == "real"
           else "SELECT DISTINCT controller FROM naive_incident WHERE cause = 'inactivity'")
    time.sleep(max(0.0, last + 3 - time.time()))
    while time.time() < last + bound:
        alerted = {row[0] for row in db.rows(sql)}
        if set(due) <= alerted:
            break
        time.sleep(1.0)
    return time.time() - last


def _fmt(v, unit: str = "", digits: int = 0) -> str:
    if v is None:
        return "—"
    return f"{v:,.{digits}f}{unit}"


def run_database(kind: str, args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"safety-bench-{kind}-"))
    broker = Broker(tmp)
    db = Database(kind, tmp, args.pg_url, args.pg_cluster)
    results: dict = {"db": kind}
    try:
        env = _env(db, broker, tmp, "unused")
        t = time.perf_counter()
        _say(f"{kind}: migrating and preparing {args.homes:,} homes")
        _run(_dolbom("migrate", "--verbosity", "0"), env)
        results["prepare"] = json.loads(_run(_self("_prepare", str(args.homes), str(args.seed)), env).splitlines()[-1])
        results["prepare"]["migrate_and_prepare_seconds"] = round(time.perf_counter() - t, 1)
        _say(f"{kind}: prepared in {results['prepare']['migrate_and_prepare_seconds']}s")
        if args.capacity:
            _say(f"{kind}: capacity: a backlog of {args.capacity:,} events, then the worker drains it")
            results["capacity"] = capacity(db, broker, tmp, args)
            _say(f"{kind}: capacity {results['capacity']['rate']:,.0f} events/s committed "
                 f"({results['capacity']['stored']:,} in {results['capacity']['seconds']:.1f}s)")
            _run(_self("_reset"), env)
        results["real"] = live(db, broker, tmp, args, "real")
        if not args.no_baseline:
            _run(_self("_reset"), env)
            results["naive"] = live(db, broker, tmp, args, "naive")
    finally:
        broker.stop()
        if not args.keep:
            db.drop()
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            if db.cluster is not None:  # its files are kept; the server is not left running
                db.cluster.stop(remove=False)
            print(f"(kept {tmp})")
    return results


def print_results(all_results: list[dict], args) -> None:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    print(f"\nhomes {args.homes:,}, offered {args.rate:,}/s for {args.seconds}s, {args.buttons} buttons, {args.fires} "
          f"fire alarms, {args.falls} falls without the button; {os.cpu_count()} CPUs, load {load[0]:.2f}")
    for r in all_results:
        print(f"\n== {r['db']} ==")
        if "capacity" in r:
            c = r["capacity"]
            print(f"capacity (backlog of {c['published']:,} drained by the worker): {c['rate']:,.0f} events/s committed")
        rows = [("events committed per second", "committed_rate", "/s", 0),
                ("worker CPU per event", "worker_cpu_us", " µs", 0),
                ("database CPU per event (own cluster)", "db_cpu_us", " µs", 0),
                ("events per CPU-second (worker + database)", "rate_cpu", "/s", 0),
                ("publisher CPU per event (simulated gateways)", "publisher_cpu_us", " µs", 0),
                ("broker CPU per event", "broker_cpu_us", " µs", 0),
                ("all CPU per event (worker, db, broker, pub.)", "total_cpu_us", " µs", 0),
                ("events per CPU-second, the whole path", "rate_total_cpu", "/s", 0),
                ("p50 fire/button -> incident (outside faults)", "p50", " s", 3),
                ("p99 fire/button -> incident (outside faults)", "p99", " s", 3),
                ("p99 across the kill and the restart", "p99_all", " s", 3),
                ("events acknowledged by the broker", "acked", "", 0),
                ("events lost", "lost", "", 0), ("duplicate event rows", "duplicate_rows", "", 0),
                ("duplicate incidents", "duplicate_incidents", "", 0),
                ("falls past their caution deadline", "falls_due", "", 0),
                ("missed inactivity alerts", "missed_inactivity", "", 0),
                ("inactivity alert after its deadline, p50", "inactivity_delay_p50", " s", 1),
                ("inactivity alert after its deadline, max", "inactivity_delay_max", " s", 1),
                ("inactivity alerts for homes that did not fall", "false_inactivity", "", 0),
                ("catch-up after the publisher ended", "drain_after_publisher", " s", 1)]
        real, naive_ = r.get("real", {}), r.get("naive")
        print(f"{'':46} {'dolbom':>14} {'naive baseline':>16}")
        for label, key, unit, digits in rows:
            print(f"{label:46} {_fmt(real.get(key), unit, digits):>14} "
                  f"{_fmt(naive_.get(key), unit, digits) if naive_ else '':>16}")
        print(f"publisher (real run): {real.get('publisher', '')}")
        if naive_:
            print(f"publisher (baseline): {naive_.get('publisher', '')}")
            if real.get("committed_rate") and naive_.get("committed_rate"):
                print(f"ratio of committed rates: {real['committed_rate'] / naive_['committed_rate']:.1f}x")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        verb, rest = sys.argv[1], sys.argv[2:]
        if verb == "_prepare":
            prepare(int(rest[0]), int(rest[1]))
        elif verb == "_reset":
            reset()
        elif verb == "_naive":
            naive(rest[0], rest[1], int(rest[2]), float(rest[3]))
        elif verb == "_report":
            report(rest[0], rest[1], rest[2], rest[3], float(rest[4]), float(rest[5]), float(rest[6]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/dolbom_safety_bench",
                        help="the database (created afresh, dropped at the end); with --pg-cluster own only its "
                             "name is used")
    parser.add_argument("--pg-cluster", default="own",
                        help="'own' (default): a throw-away cluster of the bench's own on a free port, restarted "
                             "mid-run and removed at the end; or VERSION/NAME of the cluster behind --pg-url, "
                             "restarted mid-run (never a cluster others use)")
    parser.add_argument("--homes", type=int, default=20000)
    parser.add_argument("--rate", type=int, default=5000, help="events per second offered in the live run")
    parser.add_argument("--seconds", type=int, default=60, help="length of the live run")
    parser.add_argument("--per-hour", type=float, default=30.0, help="activity events per hour and home (simulated)")
    parser.add_argument("--buttons", type=int, default=100)
    parser.add_argument("--fires", type=int, default=50)
    parser.add_argument("--falls", type=int, default=40, help="residents who stop moving without pressing the button")
    parser.add_argument("--capacity", type=int, default=100000, help="events in the capacity backlog (0: skip)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-faults", action="store_true", help="no kill -9 and no database restart")
    parser.add_argument("--keep", action="store_true", help="keep the databases and logs")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [run_database(kind, args) for kind in kinds]
    print_results(results, args)
    print("\n" + json.dumps(results, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
