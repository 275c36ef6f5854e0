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
   night) with falls, button presses and fire alarms among the homes (the falls in the first third, the presses
   and fires over the whole run, so that some come during the faults); at a third of the run the worker is
   killed with SIGKILL and restarted, at two thirds (PostgreSQL only) the database is restarted (``pg_ctl
   restart -m fast`` of the bench's own cluster). Printed: the rate committed, the worker's and the database's
   CPU per event (CPU-seconds hold under the machine's load; the load is printed too), the p50/p99 time from a
   fire or button event to the commit of its incident (the steady part; the fault windows, 2 s either side of
   the kill and the restart; the whole run), how soon a restarted worker has its alarm lane back, events lost
   (acknowledged by the broker to the simulator but never stored), duplicate incidents, missed inactivity alerts
   (a fallen resident with no inactivity incident within the worker's deferral bound, MAX_DEFER, after their
   caution deadline; the bench waits for it and goes on as soon as every one is in) and how late the alerts
   came. With ``--standby`` a second real worker waits beside the first (``--standby-lock``): the kill
   is then a takeover (timed from the kill), and the killed one comes back as the new standby.
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
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
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
    worker = Worker(mode, env, client_id, prefix, broker.port, tmp / f"worker-{mode}.log", standby=args.standby)
    worker.start()
    first_start = dict(worker.started)
    _start_clocks(db)
    speed = args.rate / max(args.homes * (args.per_hour + 2) / 3600, 1e-9)
    extra = ("--buttons", str(args.buttons), "--fires", str(args.fires), "--silent-falls", str(args.falls),
             "--window", "0.05", "0.3", "--alarm-window", "0.05", "0.95")
    sim = Simulator(env, args, seconds=args.seconds, speed=speed, run=f"{mode}{uuid.uuid4().hex[:4]}", log=log,
                    notes=notes, extra=extra)
    if not sim.started.wait(300):
        raise SystemExit("the simulator did not start publishing")
    started = sim.at
    windows = []
    restart: dict[str, float] = {}
    db_cpu, broker_cpu = -db.cpu(), -broker.cpu()
    _say(f"{mode}: publishing at {args.rate:,}/s for {args.seconds}s")
    if not args.no_faults:
        time.sleep(max(0.0, started + args.seconds / 3 - time.time()))
        down = time.time()
        worker.kill()
        if worker.standby:
            windows.append((down, time.time()))
            restart = dict(worker.started)
            _say(f"{mode}: worker killed (kill -9); the standby had its alarm lane subscribed "
                 f"{restart['alarm_lane']:.2f}s after the kill and every session {restart['ready']:.2f}s after")
        time.sleep(1.0)
        worker.start()  # the killed worker again (a cold start), or a new standby
        if not worker.standby:
            windows.append((down, time.time()))
            restart = dict(worker.started)
            _say(f"{mode}: worker killed (kill -9), started again 1 s later; the new process had its alarm lane "
                 f"subscribed in {restart['alarm_lane']:.2f}s and every session in {restart['ready']:.2f}s")
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
                                   str(CAUTION_MINUTES * 60), f"{speed:.6f}", f"{started:.3f}", str(worker.alarm_log)),
                             env).splitlines()[-1])
    result.update({"publisher": publish_line, "drain_after_publisher": drain,
                   "published_seconds": ended_publishing - started, "judged_after": judged,
                   "worker_cpu_s": worker.cpu, "db_cpu_s": db_cpu if db.cluster is not None else None,
                   "publisher_cpu_s": sim.cpu, "broker_cpu_s": broker_cpu,
                   "restart_alarm_lane_s": restart.get("alarm_lane"), "restart_ready_s": restart.get("ready"),
                   "first_start_s": first_start.get("ready")})
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
        # After the kill: from the kill to the standby's takeover (--standby), or from the restarted process's start.
        back = "kill -> standby" if args.standby else "restarted process start"
        rows = [("events committed per second", "committed_rate", "/s", 0),
                ("worker CPU per event", "worker_cpu_us", " µs", 0),
                ("database CPU per event (own cluster)", "db_cpu_us", " µs", 0),
                ("events per CPU-second (worker + database)", "rate_cpu", "/s", 0),
                ("publisher CPU per event (simulated gateways)", "publisher_cpu_us", " µs", 0),
                ("broker CPU per event", "broker_cpu_us", " µs", 0),
                ("all CPU per event (worker, db, broker, pub.)", "total_cpu_us", " µs", 0),
                ("events per CPU-second, the whole path", "rate_total_cpu", "/s", 0),
                ("fire/button alarms, steady part (count)", "alarms_steady", "", 0),
                ("p50 fire/button -> incident, steady part", "p50", " s", 3),
                ("p99 fire/button -> incident, steady part", "p99", " s", 3),
                ("max fire/button -> incident, steady part", "max_steady", " s", 3),
                ("fire/button alarms in fault windows (count)", "alarms_faults", "", 0),
                ("p50 fire/button -> incident, fault windows", "p50_faults", " s", 3),
                ("p99 fire/button -> incident, fault windows", "p99_faults", " s", 3),
                ("p99 fire/button -> incident, whole run", "p99_all", " s", 3),
                ("alarms timed from opened_at (commit not logged)", "alarms_unlogged", "", 0),
                ("of which event -> message at the worker, p50", "to_worker_p50", " s", 3),
                ("of which event -> message at the worker, p99", "to_worker_p99", " s", 3),
                (f"{back}: alarm lane subscribed", "restart_alarm_lane_s", " s", 2),
                (f"{back}: every session subscribed", "restart_ready_s", " s", 2),
                ("events acknowledged by the broker", "acked", "", 0),
                ("events lost", "lost", "", 0), ("duplicate event rows", "duplicate_rows", "", 0),
                ("duplicate incidents", "duplicate_incidents", "", 0),
                ("falls past their caution deadline", "falls_due", "", 0),
                ("missed inactivity alerts", "missed_inactivity", "", 0),
                ("inactivity alert after its deadline, p50", "inactivity_delay_p50", " s", 1),
                ("inactivity alert after its deadline, max", "inactivity_delay_max", " s", 1),
                ("false inactivity alerts (a sign of life within the caution)", "false_inactivity", "", 0),
                ("quiet homes alerted (silent a caution, no scripted fall)", "quiet_alerted", "", 0),
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
    parser.add_argument("--standby", action="store_true", help="a standby worker beside the real one "
                        "(--standby-lock): the kill -9 is then a takeover, not a cold restart")
    parser.add_argument("--keep", action="store_true", help="keep the databases and logs")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [run_database(kind, args) for kind in kinds]
    print_results(results, args)
    print("\n" + json.dumps(results, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
