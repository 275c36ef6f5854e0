"""Faults, proven from outside: kill -9 in the middle of writes and a PostgreSQL restart under load.

    .venv/bin/python bench/faults.py                       # defaults: ~3 minutes on 2 cores
    .venv/bin/python bench/faults.py --households 800 --services 20000 --load-seconds 12 --timeout 600

Everything runs on a private PostgreSQL cluster (initdb + pg_ctl under a temporary directory, on --pg-port), so
restarting it disturbs no one, with its own DOLBOM_DATA_DIR. Scenarios, each followed by the checks:

1. discovery import: ``dolbom discovery import`` of a cycle's agency files, killed -9 as soon as the first file
   has committed. Every imported file must be whole (its row and its stored Parquet with the rows it claims),
   the others absent; a second run imports exactly the rest; a third changes nothing.
2. referral-file import: ``dolbom referrals import`` of a national resource file (one transaction), killed -9
   while its write transaction is open (seen in pg_stat_activity). Nothing of it may remain; a rerun imports it.
3. case steps under load: a process recording follow-ups on cases from several threads, printing each
   follow-up's id once its transaction has committed (the acknowledgement), killed -9 mid-run; and a gunicorn
   worker of ``dolbom serve`` killed -9 while clients request pages. Every acknowledged follow-up must be
   stored with its timeline event, no follow-up without its event, and the server answers again.
4. PostgreSQL restart (``pg_ctl restart -m fast``) while the step process and the page clients run: the
   failures during the outage are counted; afterwards both recover without being restarted, and every
   acknowledged follow-up is stored.

Prints the counts of each scenario and exits 1 if a check failed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_BIN = Path(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip() or "/usr/bin")


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or str(PG_BIN / name)
    return found


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--households", type=int, default=1500, help="synthetic households (discovery files' size)")
    p.add_argument("--services", type=int, default=30000, help="rows of the national resource file")
    p.add_argument("--cases", type=int, default=8, help="cases in service the step process writes to")
    p.add_argument("--threads", type=int, default=4, help="threads of the step process, and page clients")
    p.add_argument("--load-seconds", type=float, default=15.0, help="length of each loaded phase")
    p.add_argument("--pg-port", type=int, default=55432)
    p.add_argument("--http-port", type=int, default=18731)
    p.add_argument("--timeout", type=float, default=900.0, help="the whole run's limit in seconds")
    p.add_argument("--keep", action="store_true", help="leave the temporary directory (cluster, data) behind")
    p.add_argument("--reuse", type=Path, default=None,
                   help="a directory left by --keep: start from its prepared database instead of migrating again")
    # Internal: the step process of scenarios 3 and 4.
    p.add_argument("--role", choices=["main", "steps"], default="main", help=argparse.SUPPRESS)
    p.add_argument("--seconds", type=float, default=0.0, help=argparse.SUPPRESS)
    return p.parse_args(argv)


# The private cluster --------------------------------------------------------------------------------

class Cluster:
    def __init__(self, root: Path, port: int) -> None:
        self.dir, self.port, self.sock = root / "pg", port, root / "sock"

    def run(self, *args: str) -> None:
        # PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres account.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *args], check=True, capture_output=True, text=True)

    def init(self) -> None:
        self.sock.mkdir()
        if os.geteuid() == 0:
            self.dir.parent.chmod(0o755)
            self.dir.mkdir(mode=0o700)
            for path in (self.dir, self.sock):
                shutil.chown(path, "postgres", "postgres")
        self.run(_pg_tool("initdb"), "-D", str(self.dir), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C")
        self.start()
        self.run(_pg_tool("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "dolbom")

    def _ctl(self, action: str, *extra: str) -> None:
        self.run(_pg_tool("pg_ctl"), "-D", str(self.dir), "-l", str(self.dir / "server.log"), "-w", "-t", "60",
                 "-o", f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -c max_connections=100",
                 action, *extra)

    def start(self) -> None:
        self._ctl("start")

    def keep_prepared(self) -> None:
        """Keep the prepared database as a template for --reuse."""
        self._psql("DROP DATABASE IF EXISTS dolbom_prepared", "CREATE DATABASE dolbom_prepared TEMPLATE dolbom")

    def reset(self) -> None:
        self._psql("DROP DATABASE IF EXISTS dolbom", "CREATE DATABASE dolbom TEMPLATE dolbom_prepared")

    def _psql(self, *commands: str) -> None:
        for command in commands:
            self.run(_pg_tool("psql"), "-X", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                     "-d", "postgres", "-c", command)

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("stop", "-m", "fast")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/dolbom"


# The step process (role "steps") ------------------------------------------------------------------------

def steps_process(seconds: float, threads: int) -> None:
    """Record follow-ups on every case in service from ``threads`` threads for ``seconds``; print ``ACK <id>``
    once each has committed, ``FAIL <error>`` for each that did not; survive a database restart."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import DatabaseError, InterfaceError, close_old_connections, connection
    from django.utils import timezone

    from dolbom.cases.models import Case, CaseStatus, FollowUpOutcome
    from dolbom.cases.services import follow_up_record

    actor = User.objects.get(username="minji")
    case_ids = list(Case.objects.filter(status=CaseStatus.IN_SERVICE).values_list("pk", flat=True))
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def say(line: str) -> None:
        with lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def loop(i: int) -> None:
        n = 0
        while time.monotonic() < end:
            case_id = case_ids[(i + n) % len(case_ids)]
            n += 1
            try:
                case = Case.objects.get(pk=case_id)
                fu = follow_up_record(actor=actor, case=case, done_on=timezone.localdate(),
                                      outcome=FollowUpOutcome.CONTINUE, note=f"장애 시험 {i}-{n}")
                say(f"ACK {fu.pk}")
            except (DatabaseError, InterfaceError) as exc:
                say(f"FAIL {type(exc).__name__}")
                connection.close()
                time.sleep(0.2)
            finally:
                close_old_connections()
        connection.close()

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


class StepProcess:
    def __init__(self, seconds: float, threads: int, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--role", "steps", "--seconds", str(seconds),
                                      "--threads", str(threads)], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.acked: list[int] = []
        self.failed: Counter[str] = Counter()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            kind, _, rest = line.strip().partition(" ")
            if kind == "ACK":
                self.acked.append(int(rest))
            elif kind == "FAIL":
                self.failed[rest] += 1

    def wait_for_acks(self, n: int, limit: float) -> None:
        deadline = time.monotonic() + limit
        while len(self.acked) < n and time.monotonic() < deadline and self.proc.poll() is None:
            time.sleep(0.05)

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.reader.join(timeout=5)

    def finish(self, limit: float) -> int:
        rc = self.proc.wait(timeout=limit)
        self.reader.join(timeout=5)
        return rc


# Page clients against `dolbom serve` -----------------------------------------------------------------

class Clients:
    def __init__(self, base: str, threads: int) -> None:
        self.base, self.stop = base, threading.Event()
        self.ok: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.last_ok = 0.0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._loop, args=(i,), daemon=True) for i in range(threads)]

    def _loop(self, i: int) -> None:
        paths = ["/healthz", "/login/", "/static/dolbom/dolbom.css"]
        n = 0
        while not self.stop.is_set():
            path = paths[(i + n) % len(paths)]
            n += 1
            try:
                with urllib.request.urlopen(self.base + path, timeout=10) as r:  # noqa: S310 (loopback)
                    r.read()
                    key = path
                with self.lock:
                    self.ok[key] += 1
                    self.last_ok = time.monotonic()
            except urllib.error.HTTPError as exc:
                with self.lock:
                    self.errors[f"{path} {exc.code}"] += 1
            except (OSError, http.client.HTTPException) as exc:  # refused, reset, cut off mid-body
                with self.lock:
                    self.errors[f"{path} {type(exc).__name__}"] += 1
                time.sleep(0.05)

    def __enter__(self) -> Clients:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=15)

    def snapshot(self) -> tuple[int, int]:
        with self.lock:
            return sum(self.ok.values()), sum(self.errors.values())


class ApiSteps(Clients):
    """Staff recording follow-ups through the API of `dolbom serve`: a 201 with the follow-up's id is the
    acknowledgement; anything else is counted as an error (and was not acknowledged)."""

    def __init__(self, base: str, threads: int, token: str, case_ids: list[int]) -> None:
        super().__init__(base, threads)
        self.token, self.case_ids = token, case_ids
        self.acked: list[int] = []

    def _loop(self, i: int) -> None:
        import json

        n = 0
        while not self.stop.is_set():
            case_id = self.case_ids[(i * 7 + n) % len(self.case_ids)]
            n += 1
            body = json.dumps({"done_on": dt.date.today().isoformat(), "outcome": "continue",
                               "note": f"API 장애 시험 {i}-{n}"}).encode()
            request = urllib.request.Request(
                f"{self.base}/api/cases/{case_id}/follow-ups?purpose={urllib.parse.quote('장애 시험 점검')}",
                data=body, method="POST",
                headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=15) as r:  # noqa: S310 (loopback)
                    answer = json.loads(r.read())
                with self.lock:
                    self.acked.append(int(answer["id"]))
                    self.ok["201"] += 1
                    self.last_ok = time.monotonic()
            except urllib.error.HTTPError as exc:
                try:
                    code = json.loads(exc.read()).get("code", "")
                except ValueError:
                    code = "not JSON"
                with self.lock:
                    self.errors[f"{exc.code} {code}"] += 1
                time.sleep(0.05)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                with self.lock:
                    self.errors[type(exc).__name__] += 1
                time.sleep(0.05)


def http_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 (loopback)
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def wait_healthy(base: str, limit: float) -> float | None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if http_get(base + "/healthz") == 200:
            return time.monotonic() - t0
        time.sleep(0.1)
    return None


# Checks ----------------------------------------------------------------------------------------------

class Report:
    def __init__(self) -> None:
        self.failures: list[str] = []

    def check(self, ok: bool, what: str) -> None:
        print(f"  [{'ok' if ok else 'FAILED'}] {what}", flush=True)
        if not ok:
            self.failures.append(what)


def steps_consistent(acked: list[int], report: Report, label: str) -> None:
    from dolbom.cases.models import CaseEvent, CaseEventType, FollowUp

    stored = set(FollowUp.objects.filter(pk__in=acked).values_list("pk", flat=True))
    lost = len(set(acked) - stored)
    follow_ups = FollowUp.objects.count()
    events = CaseEvent.objects.filter(type=CaseEventType.FOLLOW_UP_RECORDED).count()
    with_event = set(CaseEvent.objects.filter(type=CaseEventType.FOLLOW_UP_RECORDED)
                     .values_list("new__follow_up_id", flat=True))
    orphans = FollowUp.objects.exclude(pk__in=with_event).count()
    print(f"  {label}: acknowledged {len(acked)}, stored of those {len(stored)}, lost {lost}; follow-ups "
          f"{follow_ups}, their timeline events {events}, follow-ups without an event {orphans}", flush=True)
    report.check(lost == 0, f"{label}: every acknowledged follow-up is stored")
    report.check(orphans == 0 and follow_ups == events, f"{label}: no follow-up without its timeline event")


def pid_of_writer(exclude: set[int]) -> bool:
    """Whether some other backend has an open transaction that has written (pg_stat_activity.backend_xid)."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                  "backend_xid IS NOT NULL AND pid <> pg_backend_pid()")
        return c.fetchone()[0] > 0


# The run ---------------------------------------------------------------------------------------------

def main(args: argparse.Namespace) -> int:
    if args.role == "steps":
        steps_process(args.seconds, args.threads)
        return 0
    started = time.monotonic()
    reuse = args.reuse is not None and (args.reuse / "pg").is_dir()
    root = args.reuse.resolve() if reuse else Path(tempfile.mkdtemp(prefix="dolbom-faults-"))
    cluster = Cluster(root, args.pg_port)
    env = {**os.environ, "DATABASE_URL": cluster.url, "DOLBOM_DATA_DIR": str(root / "data"),
           "DJANGO_SETTINGS_MODULE": "dolbom.settings", "DOLBOM_ENV": "development",
           "DOLBOM_ANONYMOUS_REQUESTS_PER_10_MIN": "10000000", "DOLBOM_MESSAGE_BACKEND": "locmem"}
    env.pop("DOLBOM_KEYS_FILE", None)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DOLBOM_DATA_DIR", "DJANGO_SETTINGS_MODULE",
                                           "DOLBOM_ENV", "DOLBOM_ANONYMOUS_REQUESTS_PER_10_MIN",
                                           "DOLBOM_MESSAGE_BACKEND")})
    server: subprocess.Popen | None = None
    report = Report()
    alarm = threading.Timer(args.timeout, lambda: os.kill(os.getpid(), signal.SIGTERM))
    alarm.daemon = True
    alarm.start()
    print(f"load: {os.getloadavg()[0]:.2f} (1 min) at start; private cluster on port {args.pg_port} in {root}",
          flush=True)
    try:
        if reuse:
            cluster.start()
            cluster.reset()
            for leftover in ("sources", "resources.csv", "serve.log"):
                shutil.rmtree(root / leftover, ignore_errors=True) if (root / leftover).is_dir() else \
                    (root / leftover).unlink(missing_ok=True)
        else:
            cluster.init()
        server = _prepare_and_run(args, env, cluster, report, root, prepared=reuse)
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=30)
            if server.poll() is None:
                server.kill()
        from django.db import connections

        connections.close_all()
        cluster.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(f"\n{len(report.failures)} checks failed in {time.monotonic() - started:.0f} s; "
          f"load {os.getloadavg()[0]:.2f} (1 min) at the end", flush=True)
    for f in report.failures:
        print(f"  FAILED: {f}")
    return 1 if report.failures else 0


def _dolbom(env: dict[str, str], *argv: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dolbom.cli", *argv], env=env, **kw)


def _prepare_and_run(args: argparse.Namespace, env: dict[str, str], cluster: Cluster, report: Report,
                     root: Path, *, prepared: bool) -> subprocess.Popen | None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dolbom.accounts.models import Role
    from dolbom.testing import personas

    t0 = time.monotonic()
    if not prepared:
        call_command("migrate", verbosity=0)
        call_command("registry", "generate-city", "--households", str(args.households), stdout=open(os.devnull, "w"))
        personas.make_staff("haneul", "정하늘", Role.CITY_TEAM)
        officer = personas.make_staff("minji", "김민지", Role.DONG_OFFICER, "서신동")
        manager = personas.make_staff("jeongwoo", "박정우", Role.CASE_MANAGER, "서신동")
        for i in range(args.cases):
            personas.case_in_service(officer, personas.make_resident(officer, name=f"장애시험{i:02d}"),
                                     manager=manager)
        connection.close()
        cluster.keep_prepared()
    from django.contrib.auth.models import User

    city = User.objects.get(username="haneul")
    print(f"prepared in {time.monotonic() - t0:.0f} s{' (reused)' if prepared else ''}: households and "
          f"{args.cases} cases in service", flush=True)

    # 1. Discovery import -------------------------------------------------------------------------
    print("\n1. kill -9 during a discovery import", flush=True)
    from dolbom.discovery.models import SourceImport

    today = dt.date.today()
    quiet = open(os.devnull, "w")
    call_command("discovery", "--as", city.username, "cycle", "--name", "faults", "--starts-on", today.isoformat(),
                 stdout=quiet)
    call_command("discovery", "--as", city.username, "sources", "--cycle", "faults", "--out", str(root / "sources"),
                 "--format", "csv", stdout=quiet)
    files = sorted(str(p) for p in (root / "sources").rglob("*.csv"))
    importer = _dolbom(env, "discovery", "import", "--cycle", "faults", *files, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    while importer.poll() is None and not SourceImport.objects.exists():
        time.sleep(0.02)
    importer.send_signal(signal.SIGKILL)
    importer.wait()
    after_kill = list(SourceImport.objects.values_list("file_name", "rows", "stored_path"))
    whole = all(_parquet_rows(root / "data" / stored) == rows for _, rows, stored in after_kill)
    print(f"  {len(files)} files; imported when killed: {len(after_kill)}", flush=True)
    report.check(len(files) > 1 and 0 < len(after_kill) < len(files),
                 "the import was killed after its first file had committed, before its last")
    report.check(whole, "every file imported before the kill is whole (its stored rows = the rows it claims)")
    rerun = subprocess.run([sys.executable, "-m", "dolbom.cli", "discovery", "import", "--cycle", "faults", *files],
                           env=env, capture_output=True, text=True)
    imported_now = rerun.stdout.count("가져옴")
    unchanged = rerun.stdout.count("변경 없음")
    print(f"  rerun: imported {imported_now}, unchanged {unchanged} (rc {rerun.returncode})", flush=True)
    report.check(rerun.returncode == 0 and imported_now == len(files) - len(after_kill)
                 and unchanged == len(after_kill), "the rerun imports exactly the files the kill left out")
    report.check(SourceImport.objects.count() == len(files), "every file is imported once")

    # 2. Referral-file import -----------------------------------------------------------------------
    print("\n2. kill -9 during a referral-file import", flush=True)
    from bench.referrals_import import make_file
    from dolbom.referrals.models import Institution, Service

    before = (Institution.objects.count(), Service.objects.count())
    resource = root / "resources.csv"
    resource.write_text(make_file(args.services, seed=7), encoding="utf-8")
    importer = _dolbom(env, "referrals", "import", str(resource), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    caught = False
    while importer.poll() is None:
        if pid_of_writer(set()):
            caught = True
            time.sleep(0.3)  # well inside its one transaction
            break
        time.sleep(0.02)
    importer.send_signal(signal.SIGKILL)
    importer.wait()
    time.sleep(0.5)  # PostgreSQL notices the closed socket and rolls the transaction back
    after = (Institution.objects.count(), Service.objects.count())
    print(f"  {args.services} rows; killed inside its write transaction: {caught}; institutions/services before "
          f"{before}, after the kill {after}", flush=True)
    report.check(caught, "the import was killed while its write transaction was open")
    report.check(after == before, "nothing of the killed import remains")
    rerun = subprocess.run([sys.executable, "-m", "dolbom.cli", "referrals", "import", str(resource)], env=env,
                           capture_output=True, text=True)
    report.check(rerun.returncode == 0 and Service.objects.count() - before[1] == args.services,
                 f"the rerun imports all {args.services} services")

    # 3. Case steps and a server worker, kill -9 under load ----------------------------------------------------
    print("\n3. kill -9 of a step process and of a server worker under load", flush=True)
    steps = StepProcess(args.load_seconds, args.threads, env)
    steps.wait_for_acks(20, limit=60)
    time.sleep(args.load_seconds / 3)
    steps.kill9()
    connection.close()
    report.check(len(steps.acked) >= 20, f"the step process acknowledged follow-ups before the kill ({len(steps.acked)})")
    steps_consistent(steps.acked, report, "after kill -9")

    base = f"http://127.0.0.1:{args.http_port}"
    server = _dolbom(env, "serve", "--bind", f"127.0.0.1:{args.http_port}", "--workers", "2", "--threads", "2",
                     "--timeout", "30", "--no-access-log", stdout=subprocess.DEVNULL,
                     stderr=open(root / "serve.log", "w"), start_new_session=True)
    report.check(wait_healthy(base, 120) is not None, "dolbom serve answers")
    from dolbom.accounts.services import api_token_create
    from dolbom.cases.models import Case, CaseStatus

    token = api_token_create(user=User.objects.get(username="minji"), name="bench/faults.py")
    case_ids = list(Case.objects.filter(status=CaseStatus.IN_SERVICE).values_list("pk", flat=True))
    connection.close()
    with Clients(base, args.threads) as clients, ApiSteps(base, args.threads, token, case_ids) as api:
        time.sleep(args.load_seconds / 3)
        workers = _children(server.pid)
        if workers:
            os.kill(workers[0], signal.SIGKILL)
        killed_at, (ok_before, err_before) = time.monotonic(), clients.snapshot()
        time.sleep(args.load_seconds / 3)
        ok_after, err_after = clients.snapshot()
        recovered = clients.last_ok > killed_at
    print(f"  killed worker {workers[:1]}; requests ok {ok_after} (before the kill {ok_before}), errors "
          f"{err_after} ({err_after - err_before} after the kill): {dict(clients.errors)}", flush=True)
    report.check(bool(workers) and recovered and server.poll() is None,
                 "the server answers again after a worker is killed (gunicorn replaces it)")
    print(f"  follow-ups through the API: acknowledged (201) {len(api.acked)}, not acknowledged "
          f"{sum(api.errors.values())} {dict(api.errors)}", flush=True)
    report.check(len(api.acked) > 0, "follow-ups were recorded through the API around the kill")
    steps_consistent(api.acked, report, "API steps, worker killed")

    # 4. PostgreSQL restart under load --------------------------------------------------------------------------
    print("\n4. PostgreSQL restart during load", flush=True)
    steps = StepProcess(args.load_seconds * 2, args.threads, env)
    steps.wait_for_acks(20, limit=60)
    with Clients(base, args.threads) as clients, ApiSteps(base, args.threads, token, case_ids) as api:
        time.sleep(args.load_seconds / 3)
        acked_before = len(steps.acked)
        connection.close()
        t_restart = time.monotonic()
        cluster.restart()
        restarted = time.monotonic() - t_restart
        healthy_after = wait_healthy(base, 60)
        time.sleep(args.load_seconds / 3)
        ok, errors = clients.snapshot()
        pages_recovered = clients.last_ok > t_restart + restarted
    rc = steps.finish(limit=args.load_seconds * 3 + 60)
    print(f"  restart took {restarted:.1f} s; server healthy {healthy_after if healthy_after is None else round(healthy_after, 1)}"
          f" s after; pages ok {ok}, failed {errors} {dict(clients.errors)}", flush=True)
    print(f"  steps: acknowledged {acked_before} before the restart, {len(steps.acked)} in all; failed during the "
          f"outage {sum(steps.failed.values())} {dict(steps.failed)}; process exit {rc}", flush=True)
    report.check(healthy_after is not None and pages_recovered, "the server answers again without being restarted")
    report.check(len(steps.acked) > acked_before and rc == 0,
                 "the step process writes again after the restart without being restarted")
    print(f"  follow-ups through the API: acknowledged (201) {len(api.acked)}, not acknowledged "
          f"{sum(api.errors.values())} {dict(api.errors)}", flush=True)
    report.check(api.last_ok > t_restart + restarted, "the API records follow-ups again after the restart")
    report.check(not any(k.startswith("5") and not k.startswith("503") for k in api.errors),
                 "the API answers a restart with 503 (try again), never another 5xx")
    steps_consistent(steps.acked + api.acked, report, "after the restart")
    return server


def _children(pid: int) -> list[int]:
    run = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in run.stdout.split()]


def _parquet_rows(path: Path) -> int:
    import polars as pl

    return pl.scan_parquet(path).select(pl.len()).collect().item() if path.is_file() else -1


if __name__ == "__main__":
    sys.exit(main(parse_args()))
