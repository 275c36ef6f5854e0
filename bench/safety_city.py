"""The parts of bench/safety.py that run inside Django, each in a child process of the bench (``_prepare``,
``_reset``, ``_report``): the synthetic city's homes, a reset between the real and naive runs, and the count of
what reached the database against what the broker acknowledged and what the simulator made happen (events lost,
duplicates, missed inactivity alerts, alert latencies). The scenarios that start them are in bench/safety.py; the
naive subscriber is bench/safety_baseline.py."""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safety_harness import CAUTION_MINUTES  # noqa: E402 - the paths above first


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



def report(mode: str, log_path: str, notes_path: str, faults_path: str, caution_seconds: float, speed: float,
           started: float, alarm_log: str) -> None:
    """Counts from the database against what the broker acknowledged and what the simulator made happen.

    An alarm's latency is from its event's time to the commit of the transaction that opened its incident (the
    worker's ``--alarm-log``): the incident's opened_at is when that transaction began, up to a batch earlier.
    Where the commit is not in the log (a worker killed between its commit and the log line) opened_at
    stands in, and is counted."""
    _django()
    from django.db import connection

    acked = set()
    alive: dict[str, list[float]] = {}  # per home, when a sign of life (activity, door) was published
    with open(log_path, encoding="utf-8") as f:
        for controller, event_id, seq, kind, wall in csv.reader(f):
            acked.add((controller, event_id, int(seq)))
            if kind == "activity" or kind.startswith("door"):
                alive.setdefault(controller, []).append(float(wall))
    notes = [json.loads(line) for line in open(notes_path, encoding="utf-8")]
    faults = json.load(open(faults_path, encoding="utf-8"))
    to_worker: list[float] = []  # alarms: from the event's time to its message at the worker
    with connection.cursor() as cur:
        if mode == "real":
            cur.execute("SELECT g.serial, e.event_id, e.sequence FROM safety_event e JOIN safety_gateway g "
                        "ON g.id = e.gateway_id")
            stored_rows = cur.fetchall()
            commits = _commits(alarm_log)
            cur.execute("SELECT g.serial, i.cause, i.event_at, i.opened_at, fe.event_id, fe.sequence "
                        "FROM safety_incident i JOIN safety_gateway g ON g.home_id = i.home_id "
                        "LEFT JOIN safety_event fe ON fe.id = i.first_event_id")
            incidents, unlogged = [], 0
            for s, c, e, o, eid, seq in cur.fetchall():
                logged = commits.get((s, eid, seq)) if c in ("fire", "gas", "button") else None
                unlogged += c in ("fire", "gas", "button") and logged is None
                incidents.append((s, c, _ts(e), logged[0] if logged is not None else _ts(o)))
                if logged is not None:  # the broker's part: from the event to its message at the worker
                    to_worker.append(logged[1] - _ts(e))
            cur.execute("SELECT MIN(received_at), MAX(received_at) FROM safety_event")
            first, last = (_ts(v) for v in cur.fetchone())
        else:
            cur.execute("SELECT controller, event_id, seq FROM naive_event")
            stored_rows = cur.fetchall()
            unlogged = 0  # the naive subscriber commits each incident as it opens it: opened_at is its commit
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
    # The steady part: not within 2 s either side of the kill or the restart (an alarm stored but not yet
    # committed when the worker is killed is committed by the next worker, after its start-up); the fault
    # windows: the rest. Both are reported, and the whole run.
    windows = [(w[0] - 2, w[1] + 2) for w in faults["windows"]]
    latencies = [(o - e, e) for _c, cause, e, o in incidents if cause in ("fire", "button")]

    def outside(at: float) -> bool:
        return all(not (a <= at <= b) for a, b in windows)

    calm = sorted(d for d, e in latencies if outside(e))
    faulty = sorted(d for d, e in latencies if not outside(e))
    every = sorted(d for d, _e in latencies)
    homes_streamed = {c for c, _e, _s in stored}
    # An inactivity alert is false when the home showed a sign of life within the caution before its deadline
    # (the incident's event time): the clock should have moved. A home the simulator left quiet for a caution
    # without a scripted fall (its rhythm at that hour: a run in the evening, KST, has such homes) is rightly
    # alerted; those are counted apart. A second's slack for the publisher's clock against the event's time.
    def lively(c: str, deadline: float) -> bool:
        return any(deadline - caution_seconds + 1.0 < w < deadline - 1.0 for w in alive.get(c, ()))

    inactivity = [(c, e) for c, cause, e, _o in incidents if cause == "inactivity"]
    false_inactivity = len({c for c, e in inactivity if lively(c, e)})
    # After the stream ends every home goes quiet: alerts due after that are right and not counted here.
    quiet_alerted = len({c for c, e in inactivity if c not in fallen and c in homes_streamed
                         and e < faults["published_until"] and not lively(c, e)})
    print(json.dumps({
        "false_inactivity": false_inactivity, "quiet_alerted": quiet_alerted,
        "acked": len(acked), "stored": len(stored_rows), "distinct": len(stored), "lost": len(acked - stored),
        "duplicate_rows": len(stored_rows) - len(stored),
        "duplicate_incidents": sum(n - 1 for n in per_key.values() if n > 1),
        "falls_due": len(due), "missed_inactivity": len(due - inactive),
        "p50": _pct(calm, 50), "p99": _pct(calm, 99), "max_steady": calm[-1] if calm else None,
        "p50_faults": _pct(faulty, 50), "p99_faults": _pct(faulty, 99),
        "p50_all": _pct(every, 50), "p99_all": _pct(every, 99),
        "alarms": len(every), "alarms_steady": len(calm), "alarms_faults": len(faulty), "alarms_unlogged": unlogged,
        "to_worker_p50": _pct(sorted(to_worker), 50), "to_worker_p99": _pct(sorted(to_worker), 99),
        "first": first, "last": last,
        "inactivity_delay_p50": _pct(delays, 50), "inactivity_delay_max": delays[-1] if delays else None,
    }))


def _commits(path: str) -> dict[tuple[str, str, int], tuple[float, float]]:
    """The real worker's alarm log: the first commit of each alarm event (a resend is logged again, later), and
    when its message reached the worker."""
    out: dict[tuple[str, str, int], tuple[float, float]] = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for controller, event_id, seq, wall, arrived in csv.reader(f):
            key = (controller, event_id, int(seq))
            if key not in out or float(wall) < out[key][0]:
                out[key] = (float(wall), float(arrived))
    return out


def _ts(value) -> float | None:
    if value is None:
        return None
    import datetime as dt

    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace(" ", "T"))
    if value.tzinfo is None:
        # Django stores UTC; SQLite's raw rows come back naive, and a naive .timestamp() is local time, which
        # Django has set to TIME_ZONE (Asia/Seoul): every SQLite latency read 9 h too long.
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]




def main() -> int:
    verb, rest = sys.argv[1], sys.argv[2:]
    if verb == "_prepare":
        prepare(int(rest[0]), int(rest[1]))
    elif verb == "_reset":
        reset()
    elif verb == "_report":
        report(rest[0], rest[1], rest[2], rest[3], float(rest[4]), float(rest[5]), float(rest[6]),
               rest[7] if len(rest) > 7 else "")
    else:
        raise SystemExit(f"unknown verb {verb}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
