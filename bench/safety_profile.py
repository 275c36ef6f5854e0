"""Where the ingest worker's time per event goes, without the broker: the worker's own batch path
(``IngestWorker.process``: parse, look up, insert, rules, rejects) fed in-process with a simulated city's
stream, on PostgreSQL or SQLite, with the CPU seconds of this process and of the PostgreSQL backend per event.

    .venv/bin/python bench/safety_profile.py --homes 2000 --events 50000
    .venv/bin/python bench/safety_profile.py --db sqlite --events 20000 --profile 30

A baseline runs beside it in the same process and database: the same events through ``events_ingest`` one
event per transaction (what a worker without batching does). The PostgreSQL database (``--pg-url``) is
created afresh and dropped at the end. Figures are per event; the wall-clock rate depends on the machine's
load (printed), the CPU figures much less.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable


def _backend_cpu(pid: int | None) -> float:
    """CPU seconds of a local PostgreSQL backend so far (from /proc; 0 where it cannot be read)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _prepare(url: str, homes: int, seed: int, *, fresh: bool) -> None:
    """A fresh database: migrated, and the city made (bench/safety_city.py). A reused one: migrated (a new
    migration of the branch applies), then reset to the state a fresh one starts in — no events, every clock,
    gateway and device as new, dead rows vacuumed — so that a run on it costs what a run on a fresh one does
    (the last run's clocks would otherwise be ahead of the new events, which then move none)."""
    env = dict(os.environ, DATABASE_URL=url, DOLBOM_LOG_LEVEL="ERROR")
    city = [PY, str(ROOT / "bench" / "safety_city.py")]
    steps = [[PY, "-c", "import sys; from dolbom.cli import main; sys.exit(main())", "migrate", "--verbosity", "0"],
             [*city, "_prepare", str(homes), str(seed)] if fresh else [*city, "_reset"]]
    for cmd in steps:
        done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(done.stdout[-2000:] + done.stderr[-3000:])
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")


class _StatementCpu:
    """The backend's CPU attributed to the statement that ran it: psycopg's execute and copy wrapped while the
    batches run. What runs outside them (the commit) is "other"."""

    def __init__(self, pid: int) -> None:
        import psycopg

        self.pid, self.spent = pid, {}
        self._cursor = psycopg.Cursor
        self._execute, self._copy = psycopg.Cursor.execute, psycopg.Cursor.copy
        outer = self

        def execute(cursor, query, *a, **k):
            before = _backend_cpu(outer.pid)
            try:
                return outer._execute(cursor, query, *a, **k)
            finally:
                outer._add(query, _backend_cpu(outer.pid) - before)

        @contextlib.contextmanager
        def copy(cursor, statement, *a, **k):
            before = _backend_cpu(outer.pid)
            try:
                with outer._copy(cursor, statement, *a, **k) as c:
                    yield c
            finally:
                outer._add(statement, _backend_cpu(outer.pid) - before)

        psycopg.Cursor.execute, psycopg.Cursor.copy = execute, copy

    def _add(self, query, seconds: float) -> None:
        text = query if isinstance(query, str) else getattr(query, "as_string", lambda _c: str(query))(None)
        words = " ".join(text.replace('"', "").split()[:4])[:60]
        self.spent[words] = self.spent.get(words, 0.0) + seconds

    def stop(self) -> None:
        self._cursor.execute, self._cursor.copy = self._execute, self._copy

    def per_event(self, n: int, total: float) -> dict[str, float]:
        out = {k: round(v / n * 1e6, 1) for k, v in sorted(self.spent.items(), key=lambda kv: -kv[1]) if v > 0}
        out["other (commit, ...)"] = round((total - sum(self.spent.values())) / n * 1e6, 1)
        return out


def _table_writes(connection) -> dict[str, int]:
    """PostgreSQL's counters of rows inserted, updated (and of those, updated without touching an index)
    and deleted in the safety tables, flushed first (they are otherwise written at most once a second)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_force_next_flush()")
        cur.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_user_tables "
                    "WHERE relname LIKE 'safety%%' OR relname LIKE 'stage%%'")
        rows = cur.fetchall()
    return {f"{name.removeprefix('safety_')}.{what}": value for name, *values in rows
            for what, value in zip(("ins", "upd", "hot", "del"), values, strict=True)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/dolbom_safety_profile")
    parser.add_argument("--reuse", action="store_true",
                        help="PostgreSQL: keep the database for the next run and use it if it is there (events get "
                             "ids of their own each run; preparing 2,000 homes takes minutes)")
    parser.add_argument("--homes", type=int, default=2000)
    parser.add_argument("--events", type=int, default=50000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--baseline-events", type=int, default=3000, help="events one per transaction (0: skip)")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions (cProfile)")
    parser.add_argument("--statements", action="store_true",
                        help="PostgreSQL: the backend's CPU per event by statement (its first words; sampled from "
                             "/proc at the clock tick, so meaningful summed over many batches)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="safety-profile-"))
    if args.db == "postgres":
        import psycopg

        url = args.pg_url
        name, admin = url.rsplit("/", 1)[1], url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            there = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            fresh = not (args.reuse and there)
            if fresh:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
    else:
        url, fresh = f"sqlite:///{tmp / 'profile.sqlite3'}", True
    try:
        t = time.perf_counter()
        _prepare(url, args.homes, args.seed, fresh=fresh)
        prepared = time.perf_counter() - t
        os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="dolbom.settings", DOLBOM_LOG_LEVEL="ERROR",
                          DOLBOM_DATA_DIR=str(tmp / "data"))
        result = run(args)
        result["prepare_seconds"] = round(prepared, 1)
        print(json.dumps(result))
    finally:
        if args.db == "postgres" and not args.reuse:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


def run(args) -> dict:
    import datetime as dt

    import django

    django.setup()
    from django.db import connection

    from dolbom.safety import protocol, simulator
    from dolbom.safety.lanes import Message
    from dolbom.safety.models import Clock, Transport
    from dolbom.safety.mqtt import Broker
    from dolbom.safety.services import events_ingest
    from dolbom.safety.worker import IngestWorker

    homes = simulator.homes_from_db(args.homes)
    per_hour = 30.0
    seconds = args.events / (len(homes) * (per_hour + 2) / 3600)
    events, _notes = simulator.generate(homes, seconds=seconds, rhythm=simulator.Rhythm.flat_rate(per_hour),
                                        plan=simulator.Plan(buttons=20, fires=10), seed=args.seed)
    events = events[:args.events + args.baseline_events]
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)
    prefix = protocol.TOPIC_PREFIX

    def message(e, run: str) -> Message:
        payload = json.dumps(simulator.body(e, start + dt.timedelta(seconds=e.at), run=run), ensure_ascii=False,
                             separators=(",", ":")).encode()
        return Message(0, 0, 1, protocol.event_topic(e.controller, prefix), payload, time.time())

    main_events, base_events = events[:args.events], events[args.events:]
    run_id = f"{time.time():.0f}"  # a reused database keeps the last run's events
    messages = [message(e, f"p{run_id}") for e in main_events]
    worker = IngestWorker(Broker("127.0.0.1", 1), client_id="profile", prefix=prefix, batch=args.batch)
    # Every home's clock counting from before the stream, as in a live city: a sign of life restarts it (a new
    # deadline, the costly write), where clocks made after the stream's times would only note it.
    Clock.objects.update(base_at=start - dt.timedelta(seconds=1), next_level="caution", due_at=None,
                         last_activity_at=None)
    connection.ensure_connection()
    pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE safety_clock")
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]

    statements = _StatementCpu(pid) if args.statements and pid is not None else None
    writes0 = _table_writes(connection) if pid is not None else {}
    profiler = cProfile.Profile() if args.profile else None
    cpu0, db0, wall0 = time.process_time(), _backend_cpu(pid), time.perf_counter()
    if profiler:
        profiler.enable()
    for i in range(0, len(messages), args.batch):
        worker.process(messages[i:i + args.batch])
    if profiler:
        profiler.disable()
    wall, cpu, db = time.perf_counter() - wall0, time.process_time() - cpu0, _backend_cpu(pid) - db0
    if statements is not None:
        statements.stop()
    n = len(messages)
    out = {"db": connection.vendor, "homes": len(homes), "events": n, "batch": args.batch,
           "stored": worker.stats.stored, "rate_wall": round(n / wall), "worker_cpu_us": round(cpu / n * 1e6, 1),
           "db_cpu_us": round(db / n * 1e6, 1), "load": os.getloadavg()[0],
           "rate_cpu": round(n / max(cpu + db, 1e-9))}
    if pid is not None:
        # Rows written per event by table (PostgreSQL's counters): "hot" updates touch no index.
        after = _table_writes(connection)
        out["writes_per_event"] = {k: round((v - writes0.get(k, 0)) / n, 3) for k, v in after.items()
                                   if v != writes0.get(k, 0)}
    if statements is not None:
        out["db_cpu_us_by_statement"] = statements.per_event(n, db)

    # Parsing alone (pydantic and JSON), the part no database change can remove.
    now = dt.datetime.now(dt.UTC)
    c0 = time.process_time()
    for m in messages[:10000]:
        protocol.parse_message(m.payload, now=now, topic_controller=protocol.controller_of_topic(m.topic, prefix))
    out["parse_cpu_us"] = round((time.process_time() - c0) / min(n, 10000) * 1e6, 1)

    if base_events:
        base = [message(e, f"b{run_id}") for e in base_events]
        c0, d0, w0 = time.process_time(), _backend_cpu(pid), time.perf_counter()
        for m in base:
            ok, bad = protocol.parse_message(m.payload, now=dt.datetime.now(dt.UTC),
                                             topic_controller=protocol.controller_of_topic(m.topic, prefix))
            events_ingest(parsed=ok, refused=bad, transport=Transport.MQTT)
        bw, bc, bd = time.perf_counter() - w0, time.process_time() - c0, _backend_cpu(pid) - d0
        out["baseline_one_per_transaction"] = {
            "events": len(base), "rate_wall": round(len(base) / bw), "worker_cpu_us": round(bc / len(base) * 1e6, 1),
            "db_cpu_us": round(bd / len(base) * 1e6, 1), "rate_cpu": round(len(base) / max(bc + bd, 1e-9))}
        out["ratio_cpu"] = round(out["rate_cpu"] / max(out["baseline_one_per_transaction"]["rate_cpu"], 1), 1)
    if profiler:
        s = io.StringIO()
        pstats.Stats(profiler, stream=s).sort_stats(os.environ.get("SORT", "tottime")).print_stats(args.profile)
        print(s.getvalue()[-12000:])
    return out


if __name__ == "__main__":
    sys.exit(main())
