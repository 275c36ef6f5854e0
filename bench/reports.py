"""Benchmark: every registered indicator for every dong and month of a synthetic Jeonju with two years of
activity, the full refresh and the incremental one after new events, beside a naive per-dong ORM loop in the
same run, and the city dashboard's render time, on PostgreSQL.

    .venv/bin/python bench/reports.py                                  # 300,000 households (the whole city)
    .venv/bin/python bench/reports.py --households 30000 --renders 40
    .venv/bin/python bench/reports.py --households 30000 --reuse       # measure again on the city already built

What is measured, in this order, on one database:

1. *full refresh*: ``reports.refresh.refresh(full=True)``, cold (the shared reads forgotten): every
   registered indicator computed for the ``DOLBOM_REPORTS_MONTHS`` kept months, the facts normalised over the
   2025 merger, every published cell (months, quarters, years; dongs, the city, the comparable series, the
   cuts) built and suppressed, and one transaction replacing the tables. The slowest indicators are listed.
2. *set-based vs naive*: for the indicators the naive loop covers (``NAIVE``: population, cases opened and
   closed, visits, check-in calls and alerts, referrals made and waiting), their ``compute`` over the same
   months, cold, beside what one would write without thinking about it: a ``filter(...).count()`` per
   indicator x dong x month (dongs of every date, 35; each rate two queries). Both give month x dong figures;
   they are compared cell by cell and every mismatch is printed (there should be none).
3. *incremental refresh*: ``--new-events`` records of today (calls, visits, alerts, case steps:
   ``reports.synthetic.add_recent_events``) are written, then ``refresh(full=False)`` (the last two months,
   their years republished), as the job runs it every few minutes. The city's visits done this month must go
   up by exactly the visits written.
4. *dashboard render*: the city dashboard (``/reports/``), a dong's dashboard and the map page rendered
   ``--renders`` times each through Django's test client as a city-team user (the whole view, template and
   SVG included, not the network); p50/p95/max and the queries per page. Target: city p95 < 300 ms. Beside
   each, its uncached render (the cache cleared before each: the first reader after a refresh that published).

Not timed and printed separately: the city (``dolbom registry generate-city``) and its history
(``reports.synthetic.generate_activity``, two years). The database (``--pg-url``, default
``dolbom_reports_bench``) is dropped and created afresh unless ``--reuse`` finds a city already in it; it must
be a throw-away one. ``uptime``'s load is printed beside every figure: on a shared machine it matters.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/dolbom_reports_bench"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=300_000, help="households of the synthetic city")
    parser.add_argument("--months", type=int, default=24, help="months of activity history")
    parser.add_argument("--rate", type=float, default=1.0, help="activity per household (1: the city's)")
    parser.add_argument("--new-events", type=int, default=1000, help="records added before the incremental run")
    parser.add_argument("--renders", type=int, default=30, help="renders of each dashboard")
    parser.add_argument("--naive-months", type=int, default=0,
                        help="months the naive loop covers, newest first (0: all the refreshed months)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive loop")
    parser.add_argument("--seed", type=int, default=20260327)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_REPORTS_PG", DEFAULT_PG),
                        help="a throw-away PostgreSQL database (dropped and created)")
    parser.add_argument("--reuse", action="store_true", help="keep a city already in the database")
    return parser.parse_args()


ARGS = _args() if __name__ == "__main__" else None
if ARGS is not None:
    os.environ["DATABASE_URL"] = ARGS.pg_url
    os.environ.setdefault("DOLBOM_DATA_DIR", tempfile.mkdtemp(prefix="dolbom-bench-reports-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dolbom.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _say(text: str) -> None:
    print(text, flush=True)


# The database and the city ------------------------------------------------------------------------------

def _fresh_database(url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    name = cfg["NAME"]
    if not name.startswith("dolbom_") or "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: the benchmark's database must be named dolbom_*bench*")
    connections.close_all()
    with psycopg.connect(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"] or "postgres",
                         password=cfg["PASSWORD"] or None, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _has_city() -> bool:
    from dolbom.cases.models import Case
    from dolbom.registry.models import Resident

    try:
        return Resident.objects.exists() and Case.objects.filter(number__contains="-H").exists()
    except Exception:  # noqa: BLE001 - no tables yet
        return False


def build_city(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from dolbom.reports.synthetic import generate_activity

    if args.reuse:
        call_command("migrate", verbosity=0)
        if _has_city():
            _say("city: reused from the database")
            return
    _fresh_database(args.pg_url)
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    _say(f"migrate {time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    call_command("registry", "generate-city", households=args.households, seed=args.seed, verbosity=0)
    _say(f"city: {args.households:,} households in {time.perf_counter() - t:.1f}s ({load()})")
    t = time.perf_counter()
    result = generate_activity(months=args.months, seed=args.seed, rate=args.rate)
    counts = ", ".join(f"{k.split('.')[-1]} {v:,}" for k, v in sorted(result.counts.items()) if v)
    _say(f"history: {args.months} months in {time.perf_counter() - t:.1f}s: {counts}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# The naive loop ---------------------------------------------------------------------------------------

def _naive_definitions() -> dict[str, Any]:
    """indicator key -> f(month, dong_id) -> (numerator, denominator or None), one ORM query per figure (two for
    a rate), the definitions of the indicators' own metrics.py written the obvious way."""
    from dolbom.cases.models import Case
    from dolbom.checkins.models import Alert, Call, CallStatus
    from dolbom.lib.metrics import month_add, month_cutoff, month_start
    from dolbom.referrals.models import Referral
    from dolbom.registry.models import Household, Resident
    from dolbom.visits.models import Visit, VisitStatus

    today = timezone.localdate()

    def span(m: dt.date) -> tuple[dt.datetime, dt.datetime]:
        return month_start(m), month_start(month_add(m, 1))

    def alive(m: dt.date, d: int):  # noqa: ANN202
        nxt = month_add(m, 1)
        return Resident.objects.filter(household__area__original_dong_id=d, birth_date__lt=nxt).filter(
            Q(deceased_on__isnull=True) | Q(deceased_on__gte=nxt))

    def older_alone(m: dt.date, d: int) -> tuple[int, None]:
        nxt = month_add(m, 1)
        return alive(m, d).filter(lives_alone=True, birth_date__lt=nxt.replace(year=nxt.year - 65)).count(), None

    def visits(m: dt.date, d: int):  # noqa: ANN202
        return Visit.objects.filter(household__area__original_dong_id=d, due_on__gte=m, due_on__lt=month_add(m, 1))

    missed = Q(status=VisitStatus.NOT_HOME) | Q(status=VisitStatus.OPEN, due_on__lt=today)

    def calls(m: dt.date, d: int):  # noqa: ANN202
        lo, hi = span(m)
        return Call.objects.filter(dong_id=d, due_at__gte=lo, due_at__lt=hi)

    def alerts(m: dt.date, d: int):  # noqa: ANN202
        lo, hi = span(m)
        return Alert.objects.filter(dong_id=d, created_at__gte=lo, created_at__lt=hi)

    def opened(m: dt.date, d: int) -> tuple[int, None]:
        lo, hi = span(m)
        return Case.objects.filter(dong_id=d, opened_at__gte=lo, opened_at__lt=hi).count(), None

    def closed(m: dt.date, d: int) -> tuple[int, None]:
        lo, hi = span(m)
        return Case.objects.filter(dong_id=d, closed_at__gte=lo, closed_at__lt=hi, status="closed").count(), None

    def created(m: dt.date, d: int) -> tuple[int, None]:
        lo, hi = span(m)
        return Referral.objects.filter(case__dong_id=d, created_at__gte=lo, created_at__lt=hi).count(), None

    def pending(m: dt.date, d: int) -> tuple[int, None]:
        cut = month_cutoff(m)
        return Referral.objects.filter(case__dong_id=d, created_at__lt=cut).filter(
            Q(responded_at__isnull=True) | Q(responded_at__gte=cut)).filter(
            Q(ended_at__isnull=True) | Q(ended_at__gte=cut)).count(), None

    return {
        "registry.residents": lambda m, d: (alive(m, d).count(), None),
        "registry.older_alone": older_alone,
        "registry.households": lambda m, d: (Household.objects.filter(area__original_dong_id=d).count(), None),
        "cases.opened": opened,
        "cases.closed": closed,
        "visits.done": lambda m, d: (visits(m, d).filter(status=VisitStatus.DONE).count(), None),
        "visits.missed": lambda m, d: (visits(m, d).filter(missed).count(), None),
        "visits.done_rate": lambda m, d: (visits(m, d).filter(status=VisitStatus.DONE).count(),
                                          visits(m, d).filter(Q(status=VisitStatus.DONE) | missed).count()),
        "checkins.calls_completed": lambda m, d: (calls(m, d).filter(status=CallStatus.COMPLETED).count(), None),
        "checkins.response_rate": lambda m, d: (
            calls(m, d).filter(status=CallStatus.COMPLETED).count(),
            calls(m, d).filter(status__in=[CallStatus.COMPLETED, CallStatus.MISSED]).count()),
        "checkins.alerts": lambda m, d: (alerts(m, d).count(), None),
        "checkins.alerts_high": lambda m, d: (alerts(m, d).filter(severity="high").count(), None),
        "referrals.created": created,
        "referrals.pending": pending,
    }


def set_based(keys: list[str], start: dt.date, end: dt.date) -> tuple[float, dict]:
    """The registered compute of ``keys`` over ``[start, end)``, cold, summed to month x dong."""
    from dolbom.lib.metrics import indicator_get, shared_reads_clear

    shared_reads_clear()
    t = time.perf_counter()
    out: dict[str, dict] = {}
    for key in keys:
        cells: dict[tuple, list[float]] = {}
        for r in indicator_get(key).compute(start, end):
            cell = cells.setdefault((r["month"], r.get("dong_id")), [0.0, 0.0])
            cell[0] += float(r.get("numerator") or 0)
            cell[1] += float(r.get("denominator") or 0)
        out[key] = cells
    return time.perf_counter() - t, out


def naive(keys: list[str], months: list[dt.date]) -> tuple[float, int, dict]:
    from dolbom.areas.models import Dong

    definitions = _naive_definitions()
    dongs = list(Dong.objects.order_by("pk").values_list("pk", flat=True))
    t = time.perf_counter()
    queries = 0
    out: dict[str, dict] = {}
    for key in keys:
        f = definitions[key]
        cells = {}
        for m in months:
            for d in dongs:
                num, den = f(m, d)
                queries += 1 if den is None else 2
                cells[(m, d)] = [float(num), float(den or 0)]
        out[key] = cells
    return time.perf_counter() - t, queries, out


def compare(fast: dict, slow: dict, months: list[dt.date]) -> list[str]:
    wanted = set(months)
    problems = []
    for key, cells in slow.items():
        mine = {k: v for k, v in fast[key].items() if k[0] in wanted}
        for cell in set(mine) | set(cells):
            a, b = mine.get(cell, [0.0, 0.0]), cells.get(cell, [0.0, 0.0])
            if abs(a[0] - b[0]) > 1e-6 or abs(a[1] - b[1]) > 1e-6:
                problems.append(f"{key} {cell[0]:%Y-%m} dong {cell[1]}: set-based {a}, naive {b}")
    return problems


# Rendering -------------------------------------------------------------------------------------

def renders(n: int) -> dict[str, tuple[list[float], int]]:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.test import Client

    from dolbom.accounts.models import Role
    from dolbom.accounts.services import staff_create
    from dolbom.areas.models import Dong
    from dolbom.testing.second_factor import mark_verified

    # Not setup_test_environment(): its instrumented template rendering would be measured too.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    user = User.objects.filter(username="bench-city").first() or staff_create(
        username="bench-city", password=None, display_name="벤치 통합돌봄팀", role=Role.CITY_TEAM)
    client = Client()
    client.force_login(user)
    mark_verified(client, user)  # the second factor of a finished sign-in
    dong = Dong.objects.filter(valid_to__isnull=True).order_by("pk").first()
    pages = {"city /reports/": "/reports/", f"dong /reports/dongs/{dong.pk}/": f"/reports/dongs/{dong.pk}/",
             "map /reports/map/": "/reports/map/"}
    out = {}
    for label, url in pages.items():
        for _ in range(3):  # warm: templates compiled, connection open
            assert client.get(url).status_code == 200
        times = []
        count = [0]

        def counted(execute, sql, params, many, context, count=count):  # noqa: ANN001, ANN202
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            client.get(url)
        for _ in range(n):
            t = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t)
            assert response.status_code == 200, (url, response.status_code)
        out[label] = (times, count[0])
        # The baseline in the same run: the first render after a refresh, the snapshot's fragment not yet
        # cached (reports/fragments.py), queries counted the same way.
        cold, count = [], [0]
        for i in range(max(3, n // 3)):
            cache.clear()
            t = time.perf_counter()
            if i == 0:
                with connection.execute_wrapper(counted):
                    response = client.get(url)
            else:
                response = client.get(url)
            cold.append(time.perf_counter() - t)
            assert response.status_code == 200, (url, response.status_code)
        out[label.split(" ", 1)[0] + " uncached"] = (cold, count[0])
    return out


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]


# The run ---------------------------------------------------------------------------------------

def main(args: argparse.Namespace) -> None:
    from dolbom.lib.metrics import indicators, months_between, shared_reads_clear
    from dolbom.reports.models import Cell
    from dolbom.reports.periods import current_month
    from dolbom.reports.refresh import refresh
    from dolbom.reports.synthetic import add_recent_events

    if connection.vendor != "postgresql":
        raise SystemExit("the benchmark runs on PostgreSQL (--pg-url)")
    _say(f"bench/reports.py: {args.households:,} households, {args.months} months of history, "
         f"{os.cpu_count()} CPUs ({load()})")
    build_city(args)

    # 1. The full refresh, cold.
    shared_reads_clear()
    log = io.StringIO()
    run = refresh(full=True, out=log)
    _say(f"\nfull refresh: {run.indicators} indicators, {run.first_month:%Y-%m}..{run.last_month:%Y-%m}, "
         f"{run.facts:,} facts, {run.cells:,} cells in {run.seconds:.1f}s ({load()})")
    slowest = sorted((ln for ln in log.getvalue().splitlines() if " facts " in ln),
                     key=lambda ln: -float(ln.rsplit(None, 1)[-1].rstrip("s")))
    compute_total = sum(float(ln.rsplit(None, 1)[-1].rstrip("s")) for ln in slowest)
    _say(f"  compute of all indicators {compute_total:.1f}s (the rest: cells, suppression, writing); slowest:")
    for ln in slowest[:8]:
        _say("  " + ln.strip())

    # 2. Set-based beside the naive loop.
    current = current_month()
    months = months_between(run.first_month, current.end)
    if args.naive_months:
        months = months[-args.naive_months:]
    keys = [k for k in _naive_definitions() if k in {i.key for i in indicators()}]
    if not args.no_naive:
        fast_s, fast = set_based(keys, months[0], current.end)
        slow_s, queries, slow = naive(keys, months)
        problems = compare(fast, slow, months)
        _say(f"\n{len(keys)} indicators x 35 dongs x {len(months)} months:")
        _say(f"  set-based compute  {fast_s:8.2f}s ({load()})")
        _say(f"  naive ORM loop     {slow_s:8.2f}s, {queries:,} queries ({load()})")
        _say(f"  ratio naive / set-based: {slow_s / fast_s:.1f}x; figures that differ: {len(problems)}")
        for p in problems[:20]:
            _say("    " + p)

    # 3. The incremental refresh after new events.
    def visits_done_now() -> float:
        c = Cell.objects.filter(indicator="visits.done", period=current.code, area="city", dim="").first()
        return (c.numerator or 0.0) if c else 0.0

    before = visits_done_now()
    t = time.perf_counter()
    written = add_recent_events(count=args.new_events, seed=args.seed)
    _say(f"\n{sum(written.values()):,} new records ({', '.join(f'{k} {v}' for k, v in written.items())}) written "
         f"in {time.perf_counter() - t:.1f}s")
    inc = refresh(full=False)
    _say(f"incremental refresh: {inc.first_month:%Y-%m}..{inc.last_month:%Y-%m}, {inc.facts:,} facts, "
         f"{inc.cells:,} cells in {inc.seconds:.1f}s ({load()}); full was {run.seconds:.1f}s")
    gained = visits_done_now() - before
    expected = written.get("visits.Visit", 0)
    _say(f"  city visits done in {current.code}: +{gained:.0f} (visits written: {expected})"
         + ("" if gained == expected else "  MISMATCH"))
    again = refresh(full=False)
    _say(f"  again with nothing new: {again.seconds:.1f}s")

    # 4. The dashboards.
    _say(f"\nrenders ({args.renders} each, Django test client, city-team user):")
    for label, (times, queries) in renders(args.renders).items():
        ms = sorted(x * 1000 for x in times)
        target = "  (target < 300 ms)" if label.startswith("city /") else ""
        _say(f"  {label:<28} p50 {statistics.median(ms):6.0f} ms  p95 {p95(ms):6.0f} ms  max {ms[-1]:6.0f} ms  "
             f"{queries} queries{target} ({load()})")


if __name__ == "__main__":
    main(ARGS)
