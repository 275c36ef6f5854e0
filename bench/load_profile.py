"""Per-request cost of the load bench's actions, one request at a time, in-process (no server, no client).

    .venv/bin/python bench/load_profile.py --database postgres://postgres@127.0.0.1:5432/dolbom_load
    .venv/bin/python bench/load_profile.py --only "case page" --profile 25     # cProfile's top 25
    .venv/bin/python bench/load_profile.py --only dashboard --explain          # each query's planning/execution

Uses the database ``bench/load.py`` prepared (its staff: a city team member, a dong officer, a case manager)
and Django's test client, so the figures are the server's own work for one request: Python CPU of this
process and the CPU of its PostgreSQL backend (read from /proc, the same machine), and the number of queries.
Under load (``bench/load.py``) a request costs at least this much CPU: on two cores about 20 requests/s leave
~60-70 ms of CPU per request, the database's included.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PURPOSE = "통합사례회의 준비를 위한 사례 검토"
ACTIONS = ["dashboard", "search", "search as typed", "case list", "case page", "timeline", "step", "export"]
TICK = os.sysconf("SC_CLK_TCK")


def _backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/dolbom_load")
    parser.add_argument("--repeat", type=int, default=20, help="requests per action and role (after 3 warm-ups)")
    parser.add_argument("--only", action="append", help="an action (repeatable); all by default")
    parser.add_argument("--roles", default="manager,officer,city")
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's top N functions per action")
    parser.add_argument("--profile-out", type=Path, help="also dump the profile here (pstats), per role and action")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) each query of one request")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dolbom.settings")
    import django

    django.setup()
    rng = random.Random(args.seed)
    print(f"{'role':<9}{'action':<17}{'n':>4}{'py ms':>8}{'pg ms':>8}{'total':>8}{'queries':>9}   "
          f"(load {os.getloadavg()[0]:.2f})")
    for role in args.roles.split(","):
        _profile_role(args, role, rng)
    return 0


def _profile_role(args: argparse.Namespace, role: str, rng: random.Random) -> None:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dolbom.cases.models import Case, CaseStatus
    from dolbom.registry.models import Resident
    from dolbom.testing.second_factor import mark_verified

    user = User.objects.select_related("staff").get(username=f"load-{role}-000")
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    mark_verified(client, user)
    dong = user.staff.dong_id
    scope = Resident.objects.all() if dong is None else Resident.objects.filter(dong_id=dong)
    names = list(scope.order_by("pk")[rng.randint(0, 5000):][:200].values_list("name", flat=True))
    if role == "manager":
        cases = list(Case.objects.filter(manager=user).values_list("pk", flat=True))
        in_service = list(Case.objects.filter(manager=user, status=CaseStatus.IN_SERVICE).values_list("pk", flat=True))
    else:
        visible = Case.objects.all() if dong is None else Case.objects.filter(resident__dong_id=dong)
        cases = list(visible.order_by("pk").values_list("pk", flat=True)[:40])
        in_service = []
    headers = {} if role == "manager" else {"HTTP_X_ACCESS_PURPOSE": PURPOSE.encode().decode("latin-1")}
    for case_id in cases:  # the purpose, stated once per case and session, as the bench's users do
        client.post(f"/cases/{case_id}/purpose/", {"purpose": PURPOSE})

    def request(action: str) -> list:
        if action == "dashboard":
            return [client.get("/")]
        if action == "search":
            return [client.post("/residents/", {"q": rng.choice(names)})]
        if action == "search as typed":
            name = rng.choice(names)
            return [client.post("/residents/", {"q": name[:i]}, HTTP_HX_REQUEST="true")
                    for i in range(1, len(name) + 1)]
        if action == "case list":
            return [client.get("/cases/")]
        if action == "case page":
            return [client.get(f"/cases/{rng.choice(cases)}/")]
        if action == "timeline":
            return [client.get(f"/api/cases/{rng.choice(cases)}/timeline", **headers)]
        if action == "step":
            if not in_service:
                return []
            return [client.post(f"/cases/{rng.choice(in_service)}/steps/follow_up/",
                                {"done_on": time.strftime("%Y-%m-%d"), "outcome": "continue", "note": "부하 시험"})]
        if action == "export":
            return [client.post("/cases/download/?mine=on" if role == "manager" else "/cases/download/",
                                {"reason": "월간 사례 현황 보고"})]
        raise SystemExit(f"unknown action {action!r}")

    for action in args.only or ACTIONS:
        for _ in range(3):
            request(action)
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waits
        n = 0
        py0, pg0 = time.process_time(), _backend_cpu(pid)
        with CaptureQueriesContext(connection) as captured:
            for _ in range(args.repeat):
                if profiler:
                    profiler.enable()
                responses = request(action)
                if profiler:
                    profiler.disable()
                for r in responses:
                    if r.status_code >= 400:
                        raise SystemExit(f"{role} {action}: {r.status_code} {r.content[:300]!r}")
                n += len(responses)
        py, pg = time.process_time() - py0, _backend_cpu(pid) - pg0
        if not n:
            continue
        print(f"{role:<9}{action:<17}{n:>4}{py / n * 1000:>8.1f}{pg / n * 1000:>8.1f}{(py + pg) / n * 1000:>8.1f}"
              f"{len(captured.captured_queries) / n:>9.1f}", flush=True)
        if profiler and args.profile_out:
            profiler.dump_stats(f"{args.profile_out}.{role}.{action.replace(' ', '_')}")
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
            print(out.getvalue())
        if args.explain:
            with CaptureQueriesContext(connection) as one:
                request(action)
            _explain(connection, one.captured_queries)


def _explain(connection, queries: list[dict]) -> None:
    """Planning and execution time of each query of one request (re-run: its writes are rolled back)."""
    from django.db import transaction

    for q in queries:
        sql = q["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            print(f"    ---- {q['time']}s  {sql[:160]}")
            continue
        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
                plan = cur.fetchone()[0][0]
        except Exception as exc:  # a query Django built with parameters inlined that PostgreSQL refuses
            print(f"    ?? {exc!s:.80}  {sql[:120]}")
            continue
        print(f"    plan {plan['Planning Time']:6.1f} ms  exec {plan['Execution Time']:6.1f} ms  {sql[:170]}")


if __name__ == "__main__":
    sys.exit(main())
