"""Benchmark: concurrent staff on a large city, through the production server, with locust.

    pip install -e '.[bench]'          # gunicorn and locust
    .venv/bin/python bench/load.py     # 50 staff, 60 s, on postgres://.../dolbom_bench_load
    .venv/bin/python bench/load.py --users 10 --duration 30 --households 100000

What it does, all on loopback and bounded in time (``--duration``; the whole run is killed past
``--timeout``):

1. Prepares the database named by ``--database`` (kept between runs; ``--fresh`` drops it first): migrates,
   generates the synthetic city once (``--households``; 472,000 households are about 1,000,000 residents),
   and creates the bench staff: case managers (each with ``--cases-per-manager`` cases walked through every
   step by the real case services, as ``dolbom cases seed-demo`` does), dong officers and city team members,
   each with a confirmed authenticator app whose key the bench keeps, so that the sign-in is the real one
   (password, then the app's code).
2. Starts the production server (``dolbom ops serve``: gunicorn, ``--workers`` x ``--threads``) on a free
   port, with the login rate limit raised above the bench's own sign-ins (they all come from 127.0.0.1).
3. Runs ``--users`` locust users, each signed in as one staff member, for ``--duration`` seconds, each
   waiting ``--think`` seconds (uniform, "min,max") between actions as a person reading a page does:
   the dashboard, resident search (a whole name; and a name as typed, one request per syllable, as the
   search box's htmx sends it), the case list, a case page (stating a purpose first where the case is not
   the viewer's own), its timeline (API), a step (a follow-up recorded on an own case in service) and an
   export (the case list as CSV, with its reason).
4. Prints p50/p95/p99 per action, requests per second, errors per action, the machine's load, and the
   database's size beside the targets (p95 < 300 ms for search and case pages, no errors).

The client shares the machine with the server: on a small machine the figures include the client's CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "load-bench-전주-2026-q7w"
PURPOSE = "통합사례회의 준비를 위한 사례 검토"
TARGETS_MS = {"search": 300, "search as typed": 300, "case page": 300}
ACTIONS = ["dashboard", "search", "search as typed", "case list", "case page", "timeline", "step", "export"]


# 1. The database ----------------------------------------------------------------------------------------

def _database_admin(url: str, *, fresh: bool) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(args: argparse.Namespace) -> dict:
    """Runs in a child process (Django set up on the bench database); returns what the users need."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dolbom.accounts.models import Role
    from dolbom.accounts.services import staff_create
    from dolbom.areas.selectors import dong_list_valid_on
    from dolbom.cases.demo import seed_demo_cases
    from dolbom.cases.models import Case, CaseStatus
    from dolbom.registry.models import Resident

    call_command("migrate", verbosity=0, interactive=False)
    if not Resident.objects.exists():
        started = time.perf_counter()
        call_command("registry", "generate-city", households=args.households, seed=args.seed)
        print(f"city generated in {time.perf_counter() - started:.0f}s", flush=True)
    residents = Resident.objects.count()
    dongs = sorted(dong_list_valid_on(timezone.localdate()), key=lambda d: d.pk)
    rng = random.Random(args.seed)

    n_city = max(1, args.users // 10)
    n_officers = max(1, args.users * 3 // 10)
    n_managers = max(1, args.users - n_city - n_officers)
    plan = ([("city", Role.CITY_TEAM, i) for i in range(n_city)]
            + [("officer", Role.DONG_OFFICER, i) for i in range(n_officers)]
            + [("manager", Role.CASE_MANAGER, i) for i in range(n_managers)])
    users = []
    started = time.perf_counter()
    for kind, role, i in plan:
        username = f"load-{kind}-{i:03d}"
        dong = None if role == Role.CITY_TEAM else dongs[i % len(dongs)]
        from django.contrib.auth.models import User

        user = User.objects.filter(username=username).first()
        if user is None:
            user = staff_create(username=username, password=PASSWORD, display_name=f"부하 {kind} {i}", role=role,
                                dong=dong)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)
        if role == Role.CASE_MANAGER and not Case.objects.filter(manager=user).exists():
            seed_demo_cases(managers_by_dong={dong.pk: user}, rng_seed=args.seed + i, count=args.cases_per_manager)
        users.append({"username": username, "role": str(role), "key": device.key, "dong_id": dong.pk if dong else None})
    print(f"{len(users)} staff ready in {time.perf_counter() - started:.0f}s", flush=True)

    # What each user works on: names to search for in their scope, cases to open, own cases to follow up.
    for u in users:
        scope = Resident.objects.all() if u["dong_id"] is None else Resident.objects.filter(dong_id=u["dong_id"])
        top = scope.order_by("-pk").values_list("pk", flat=True).first() or 0
        picks = list(scope.filter(pk__gte=rng.randint(0, max(top - 2000, 0))).values_list("name", flat=True)[:2000])
        u["names"] = rng.sample(picks, min(40, len(picks)))
        cases = Case.objects.all() if u["dong_id"] is None else Case.objects.filter(resident__dong_id=u["dong_id"])
        if u["role"] == Role.CASE_MANAGER:
            own = Case.objects.filter(manager__username=u["username"])
            u["cases"] = list(own.values_list("pk", flat=True))
            u["in_service"] = list(own.filter(status=CaseStatus.IN_SERVICE).values_list("pk", flat=True))
        else:
            u["cases"] = list(cases.order_by("?").values_list("pk", flat=True)[:40])
            u["in_service"] = []
    with connection.cursor() as cur:
        # Fresh planner statistics: a server with autovacuum off (as this machine's) would otherwise plan the
        # million residents from an empty table's guesses (the one-letter search took 700 ms instead of 8);
        # a second or two, and the access log the last run wrote is counted too.
        cur.execute("ANALYZE")
        # No JIT for this database's sessions (the next server's connections): a page's query whose estimate
        # passes jit_above_cost (an end-of-name search the planner expects in thousands) spent 40 ms compiling
        # for a 30 ms scan. A recommendation for production PostgreSQL too (OLTP); the product does not set it.
        cur.execute(f'ALTER DATABASE "{connection.settings_dict["NAME"]}" SET jit = off')
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cur.fetchone()[0]
    return {"users": users, "residents": residents, "cases": Case.objects.count(), "size": size}


# 2. The server ------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args: argparse.Namespace, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    command = [str(Path(sys.executable).parent / "dolbom"), "ops", "serve", "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--threads", str(args.threads), "--timeout", "60", "--no-access-log"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    import urllib.request

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not answer within 120 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# 3. The users -------------------------------------------------------------------------------------------

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Staff:
    username: str
    role: str
    key: str
    names: list[str]
    cases: list[int]
    in_service: list[int]
    dong_id: int | None = None
    stated: set[int] = field(default_factory=set)


def run_load(args: argparse.Namespace, base: str, staff: list[Staff]) -> dict:
    # locust patches the standard library (gevent) on import: before anything else is imported here.
    import gevent
    from locust import FastHttpUser, between, task
    from locust.env import Environment
    from locust.exception import StopUser

    pool = list(staff)
    think = tuple(float(x) for x in args.think.split(","))
    signins: dict[str, int] = {"ok": 0, "failed": 0}

    def code(key: str) -> str:
        from django_otp.oath import TOTP  # the app's code, as the person's phone shows it

        return f"{TOTP(bytes.fromhex(key)).token():06d}"

    class StaffUser(FastHttpUser):
        host = base
        wait_time = between(*think)

        def on_start(self) -> None:
            self.me = pool.pop()
            try:
                self._sign_in()
            except Exception:
                signins["failed"] += 1
                raise StopUser() from None
            if not self.signed_in:
                raise StopUser()  # counted as a failed sign-in; it does not go on as a signed-out user

        def _sign_in(self) -> None:
            page = self.client.get("/login/", name="sign-in")
            token = CSRF.search(page.text or "").group(1)
            r = self.client.post("/login/", data={"username": self.me.username, "password": PASSWORD,
                                                  "csrfmiddlewaretoken": token}, name="sign-in", allow_redirects=False)
            where = (r.headers or {}).get("Location", "")
            if r.status_code == 302:
                # The start page sends a role that needs the second factor to its page.
                r = self.client.get(where, name="sign-in", allow_redirects=False)
                where = (r.headers or {}).get("Location", "")
            if r.status_code == 302 and where.startswith("/account/second-factor/"):
                page = self.client.get(where, name="sign-in")
                token = CSRF.search(page.text or "").group(1)
                r = self.client.post("/account/second-factor/", data={"code": code(self.me.key),
                                     "csrfmiddlewaretoken": token}, name="sign-in", allow_redirects=False)
                where = (r.headers or {}).get("Location", "")
            signed_in = (r.status_code == 200 and not where) or (
                r.status_code == 302 and "/login/" not in where and "second-factor" not in where)
            signins["ok" if signed_in else "failed"] += 1
            self.signed_in = signed_in
            found = CSRF.search(self.client.get("/", name="dashboard").text or "")
            self.token = found.group(1) if found else ""

        def _post(self, path: str, data: dict, name: str, **kw):
            data = {**data, "csrfmiddlewaretoken": self.token}
            return self.client.post(path, data=data, name=name, headers={"Referer": base + path}, **kw)

        @task(2)
        def dashboard(self) -> None:
            self.client.get("/", name="dashboard")

        @task(6)
        def search(self) -> None:
            with self._post("/residents/", {"q": random.choice(self.me.names)}, "search",
                            catch_response=True) as r:
                if r.status_code == 200 and 'id="results"' not in (r.text or ""):
                    r.failure(f"not the search page: {r.text[:200]!r}")

        @task(2)
        def search_as_typed(self) -> None:
            # The search box posts after every syllable (htmx, input changed delay:300ms).
            name = random.choice(self.me.names)
            for i in range(1, len(name) + 1):
                self.client.post("/residents/", data={"q": name[:i], "csrfmiddlewaretoken": self.token},
                                 headers={"HX-Request": "true", "Referer": base + "/residents/"}, name="search as typed")

        @task(3)
        def case_list(self) -> None:
            self.client.get("/cases/", name="case list")

        @task(5)
        def case_page(self) -> None:
            if not self.me.cases:
                return
            case_id = random.choice(self.me.cases)
            with self.client.get(f"/cases/{case_id}/", name="case page", catch_response=True) as r:
                needs_purpose = f"/cases/{case_id}/purpose/" in (r.text or "")
                if needs_purpose:
                    r.success()
            if needs_purpose:
                # Not the viewer's own case: the page asks why, once per case and session.
                self._post(f"/cases/{case_id}/purpose/", {"purpose": PURPOSE},
                           "case page (purpose)")
            # The API asks the purpose with each read outside the caseload (a header; the page kept it in the session).
            self.client.get(f"/api/cases/{case_id}/timeline", name="timeline",
                            headers=None if self.me.role == "case_manager" else {"X-Access-Purpose": PURPOSE.encode().decode("latin-1")})

        @task(2)
        def step(self) -> None:
            if not self.me.in_service:
                return
            case_id = random.choice(self.me.in_service)
            with self._post(f"/cases/{case_id}/steps/follow_up/",
                            {"done_on": time.strftime("%Y-%m-%d"), "outcome": "continue", "note": "부하 시험 모니터링 방문"},
                            "step", allow_redirects=False, catch_response=True) as r:
                if r.status_code != 302:  # saved: back to the case page (PRG)
                    r.failure(f"step answered {r.status_code}")

        @task(1)
        def export(self) -> None:
            self._post("/cases/download/?mine=on" if self.me.role == "case_manager" else "/cases/download/",
                       {"reason": "월간 사례 현황 보고"}, "export")

    env = Environment(user_classes=[StaffUser])
    runner = env.create_local_runner()
    runner.start(len(staff), spawn_rate=args.spawn_rate)
    # The sign-ins (a deliberately slow password hash each, then the second factor) are measured on their
    # own; the actions are measured from the moment every user is signed in.
    deadline = time.monotonic() + 300
    while sum(signins.values()) < len(staff) and time.monotonic() < deadline:
        gevent.sleep(0.5)
    signin = env.stats.get("sign-in", "POST")
    signin_figures = {"n": signin.num_requests, "errors": signin.num_failures,
                      "p50": signin.get_response_time_percentile(0.5),
                      "p95": signin.get_response_time_percentile(0.95),
                      "p99": signin.get_response_time_percentile(0.99), "max": signin.max_response_time}
    env.stats.reset_all()
    gevent.spawn_later(args.duration, runner.quit)
    started = time.perf_counter()
    runner.greenlet.join()
    wall = time.perf_counter() - started
    out = {"wall": wall, "signins": signins, "actions": {"sign-in": signin_figures}}
    for (name, _method), entry in env.stats.entries.items():
        if name == "sign-in":
            continue
        out["actions"][name] = {
            "n": entry.num_requests, "errors": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5), "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99), "max": entry.max_response_time,
        }
    out["errors"] = {f"{e.method} {e.name}: {e.error}": e.occurrences for e in env.stats.errors.values()}
    out["total"] = env.stats.total.num_requests
    return out


# 4. Report ----------------------------------------------------------------------------------------------

def report(result: dict, info: dict, args: argparse.Namespace, load: tuple[float, float]) -> bool:
    print(f"\n{args.users} staff, {result['wall']:.0f}s, think {args.think}s; city {info['residents']:,} residents, "
          f"{info['cases']:,} cases, database {info['size']}; gunicorn {args.workers}x{args.threads} on "
          f"{os.cpu_count()} CPUs; load before {load[0]:.2f}, after {load[1]:.2f}")
    print(f"sign-ins: {result['signins']['ok']} ok, {result['signins']['failed']} failed")
    print(f"{'action':<22}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}  target")
    ok = result["signins"]["failed"] == 0
    names = [a for a in ACTIONS + ["case page (purpose)", "sign-in"] if a in result["actions"]]
    for name in names:
        a = result["actions"][name]
        target = TARGETS_MS.get(name)
        met = "" if target is None else f"p95 < {target} ms: {'met' if a['p95'] < target else 'MISSED'}"
        ok = ok and a["errors"] == 0 and (target is None or a["p95"] < target)
        print(f"{name:<22}{a['n']:>7}{a['p50']:>9.0f}{a['p95']:>9.0f}{a['p99']:>9.0f}{a['max']:>9.0f}"
              f"{a['errors']:>8}  {met}")
    print(f"throughput: {result['total'] / result['wall']:.1f} requests/s")
    for error, n in sorted(result["errors"].items(), key=lambda kv: -kv[1])[:10]:
        print(f"  error x{n}: {error[:200]}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/dolbom_bench_load",
                        help="PostgreSQL database of the bench (created if missing, kept between runs)")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--households", type=int, default=472_000,
                        help="size of the generated city when the database has none (472,000 ~ 1,000,000 residents)")
    parser.add_argument("--users", type=int, default=50, help="concurrent staff")
    parser.add_argument("--cases-per-manager", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--think", default="1,4", help="seconds between one user's actions: min,max")
    parser.add_argument("--spawn-rate", type=float, default=2, help="users signed in per second at the start")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--timeout", type=float, default=3600, help="the whole run, preparation included, is "
                        "stopped after this many seconds")
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--prepare-into", type=Path, help=argparse.SUPPRESS)  # the child process's side
    args = parser.parse_args()

    if args.prepare_into:  # the child: its environment is the one the parent made below
        args.prepare_into.write_text(json.dumps(prepare(args), ensure_ascii=False))
        return 0

    data_dir = Path(tempfile.mkdtemp(prefix="dolbom-bench-load-"))
    env = {**os.environ, "DATABASE_URL": args.database, "DJANGO_SETTINGS_MODULE": "dolbom.settings",
           "DOLBOM_DATA_DIR": os.environ.get("DOLBOM_DATA_DIR", str(data_dir)),
           # Every bench user signs in from 127.0.0.1: the per-address login limit would refuse the 61st post.
           "DOLBOM_LOGIN_POSTS_PER_10_MIN": str(max(60, args.users * 4))}
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError(f"over --timeout {args.timeout}s")))
    signal.alarm(int(args.timeout))
    server = None
    try:
        if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None:
            print("gunicorn is not installed: pip install -e '.[bench]'", file=sys.stderr)
            return 2
        _database_admin(args.database, fresh=args.fresh)
        info_file = data_dir / "prepared.json"
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, *sys.argv[1:], "--prepare-into", str(info_file)], env=env,
                       check=True, cwd=ROOT)
        info = json.loads(info_file.read_text())
        print(f"prepared in {time.perf_counter() - started:.0f}s: {info['residents']:,} residents, "
              f"{info['cases']:,} cases, {len(info['users'])} staff", flush=True)
        port = _free_port()
        server = start_server(args, env, port, data_dir / "server.log")
        staff = [Staff(**{k: u[k] for k in ("username", "role", "key", "names", "cases", "in_service", "dong_id")})
                 for u in info["users"]][: args.users]
        before = os.getloadavg()[0]
        result = run_load(args, f"http://127.0.0.1:{port}", staff)
        ok = report(result, info, args, (before, os.getloadavg()[0]))
        if args.json:
            args.json.write_text(json.dumps({"result": result, "residents": info["residents"]}, indent=1))
        errors = (data_dir / "server.log").read_text().count("Traceback")
        if errors:
            print(f"server log: {errors} tracebacks (kept in {data_dir / 'server.log'})")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
        return 0 if ok else 1
    finally:
        signal.alarm(0)
        if server is not None:
            stop(server)


if __name__ == "__main__":
    sys.exit(main())
