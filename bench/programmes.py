"""Benchmark: 500 families sign up at once for one 10-family session, through the real HTTP path, on PostgreSQL.

    pip install -e '.[bench]'   # gunicorn, the WSGI server
    .venv/bin/python bench/programmes.py                         # 500 families, 10 places
    .venv/bin/python bench/programmes.py --families 1000 --capacity 20 --workers 4 --threads 8

A fresh database (``--database``, dropped and created), a real server (gunicorn, gthread workers, on a free
port) and real HTTP clients (urllib, one cookie jar per family, a distinct X-Forwarded-For address each, as
the families are at their own homes; the server believes it from 127.0.0.1 only). Each family opens the
session page, posts the form (the server sends a one-time code through the ``file`` message backend), and
reads its code; then all of them post their code at the same moment (a barrier), which is the sign-up
itself. Printed: confirmed places (must be exactly the capacity), waiting-list entries, server errors (5xx),
other refusals, p50/p95/max latency of the sign-up request and the rate. Beside it, in the same run and the
same server, a naive check-then-insert baseline (count the confirmed places, insert if there is room; no row
lock, no counter, no constraint), which overbooks.

Then cancellations under load on the real session: confirmed families and waiting families cancel at once
through their links, the offered families accept while more cancel, and offers left unanswered expire
(the periodic job): after each step the places held equal the session's counter, never above the capacity,
and the offers went to the first waiting families in order.

The naive view lives here, not in the product: the server is started on this module's ``application``,
the product's URLs plus ``/bench/naive/verify/<token>/``.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# The server side: the product plus the naive baseline view ------------------------------------------

def _naive_verify(request, token: str):
    """Check-then-insert: read how many places are confirmed, insert as confirmed when it looks like there
    is room. Between the read and the insert another request does the same; nothing stops both."""
    import secrets

    from django.db import transaction
    from django.db.models import Sum
    from django.http import HttpResponse, HttpResponseRedirect
    from django.utils import timezone

    from dolbom.lib.metrics import month_floor
    from dolbom.programmes.models import Session, Signup, SignupStatus
    from dolbom.programmes.services.common import link_token, new_nonce, token_hash
    from dolbom.programmes.views.public import _pending
    from dolbom.verification.services import challenge_consume, challenge_verify, phone_hash

    pending = _pending(request, token)
    if pending is None:
        return HttpResponse(status=404)
    challenge_verify(token=token, purpose="programmes.signup", code=request.POST.get("code", ""))
    with transaction.atomic():
        session = Session.objects.select_related("programme").get(pk=pending["session"])
        phone = "".join(ch for ch in pending["phone"] if ch.isdigit())
        challenge = challenge_consume(token=token, purpose="programmes.signup", phone=phone,
                                      subject=f"session:{session.pk}")
        taken = Signup.objects.filter(session=session, status=SignupStatus.CONFIRMED).aggregate(
            n=Sum("places"))["n"] or 0
        places = session.programme.places_for(int(pending["party_size"]))
        status = SignupStatus.CONFIRMED if taken + places <= session.capacity else SignupStatus.WAITING
        nonce = new_nonce()
        Signup.objects.create(
            session=session, programme=session.programme, number=challenge.pk, status=status, source="public",
            name=pending["name"], phone=phone, phone_hash=phone_hash(phone), party_size=int(pending["party_size"]),
            places=places, family_key=phone_hash(phone), month=month_floor(timezone.localdate()),
            checkin_code=secrets.token_hex(4).upper(), manage_nonce=nonce,
            manage_token_hash=token_hash(link_token(nonce)), created_at=timezone.now())
    return HttpResponseRedirect("/programmes/p/")


def __getattr__(name: str) -> Any:
    # gunicorn imports ``bench.programmes:application``; the benchmark run itself never needs Django's URLs.
    if name == "application":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dolbom.settings")
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application

        app = get_wsgi_application()
        settings.ROOT_URLCONF = "bench.programmes"
        globals()["application"] = app
        return app
    if name == "urlpatterns":
        from django.urls import include, path

        return [path("bench/naive/verify/<str:token>/", _naive_verify), path("", include("dolbom.urls"))]
    raise AttributeError(name)


# The client side --------------------------------------------------------------------------------------

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Family:
    index: int
    phone: str
    address: str
    opener: urllib.request.OpenerDirector = field(repr=False, default=None)  # type: ignore[assignment]
    verify_path: str = ""
    csrf: str = ""
    code: str = ""
    link: str = ""
    status: int = 0
    seconds: float = 0.0


def _family(index: int) -> Family:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    return Family(index=index, phone=f"0107{index // 10000:01d}{index % 10000:04d}{random.randrange(100):02d}"[:11],
                  address=f"10.{index // 62500 % 250}.{index // 250 % 250}.{index % 250 + 1}", opener=opener)


def _request(family: Family, base: str, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(base + path, data=body, headers={
        "X-Forwarded-For": family.address, "Referer": base + path, "Accept-Language": "ko"})
    try:
        with family.opener.open(request, timeout=120) as response:
            return response.status, response.headers.get("Location", ""), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", ""), exc.read().decode("utf-8", "replace")


def _prepare(family: Family, base: str, session_id: int) -> None:
    """Open the session page and post the form: the server sends a code to the family's phone."""
    status, _, html = _request(family, base, f"/programmes/p/sessions/{session_id}/")
    if status != 200:
        raise RuntimeError(f"session page answered {status}")
    family.csrf = _CSRF.search(html).group(1)
    status, location, html = _request(family, base, f"/programmes/p/sessions/{session_id}/", {
        "csrfmiddlewaretoken": family.csrf, "name": f"가족{family.index}", "phone": family.phone,
        "party_size": "3", "privacy": "on"})
    if status != 302:
        raise RuntimeError(f"form answered {status}: {html[:300]}")
    family.verify_path = urllib.parse.urlparse(location).path


def _codes(message_file: Path) -> dict[str, str]:
    codes = {}
    for line in message_file.read_text(encoding="utf-8").splitlines():
        message = json.loads(line)
        if m := re.search(r"인증번호 (\d{6})", message["text"]):
            codes[message["to"]] = m.group(1)
    return codes


def _fire(families: list[Family], base: str, path_of, data_of) -> float:
    """Every family's request at the same moment; each records its status and latency."""
    barrier = threading.Barrier(len(families))

    def go(family: Family) -> None:
        barrier.wait()
        started = time.perf_counter()
        family.status, family.link, _ = _request(family, base, path_of(family), data_of(family))
        family.seconds = time.perf_counter() - started

    threads = [threading.Thread(target=go, args=(f,)) for f in families]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Orchestration -------------------------------------------------------------------------------------

def _database(url: str) -> None:
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _setup(capacity: int) -> tuple[int, int]:
    """Migrate, one city-team user, a book-play programme (a family takes one place) and two sessions open
    now: one for the product's path, one for the naive baseline."""
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    from dolbom.accounts.models import Role
    from dolbom.accounts.services import staff_create
    from dolbom.programmes import services
    from dolbom.programmes.models import PartyCounting, Session

    city = staff_create(username="bench-city", password=None, display_name="벤치", role=Role.CITY_TEAM, dong=None)
    today = timezone.localdate()
    programme = services.programme_create(actor=city, schedule=False, data=services.ProgrammeData(
        name="주말 책놀이 (벤치)", organiser="전주시립도서관", venue="책기둥도서관", audience="가족", contact="063",
        rrule="FREQ=WEEKLY;BYDAY=SA", season_starts_on=today, season_ends_on=today + dt.timedelta(days=30),
        start_time=dt.time(13, 30), capacity=capacity, party_counting=PartyCounting.FAMILIES, max_party_size=5))
    now = timezone.now()
    ids = []
    for hours in (0, 2):
        starts = (now + dt.timedelta(days=7, hours=hours)).replace(second=0, microsecond=0)
        ids.append(Session.objects.create(programme=programme, starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
                                          capacity=capacity, signup_opens_at=now - dt.timedelta(hours=1),
                                          signup_closes_at=starts - dt.timedelta(hours=24)).pk)
    return ids[0], ids[1]


@dataclass
class Outcome:
    confirmed_places: int
    waiting: int
    server_errors: int
    refused: int
    seconds: list[float]
    wall: float


def _outcome(session_id: int, families: list[Family], wall: float) -> Outcome:
    from django.db.models import Sum

    from dolbom.programmes.models import Signup, SignupStatus

    rows = Signup.objects.filter(session_id=session_id)
    return Outcome(
        confirmed_places=rows.filter(status=SignupStatus.CONFIRMED).aggregate(n=Sum("places"))["n"] or 0,
        waiting=rows.filter(status=SignupStatus.WAITING).count(),
        server_errors=sum(1 for f in families if f.status >= 500),
        refused=sum(1 for f in families if 400 <= f.status < 500),
        seconds=[f.seconds for f in families], wall=wall)


def _print(name: str, o: Outcome, capacity: int) -> None:
    ms = [s * 1000 for s in o.seconds]
    verdict = "exactly the capacity" if o.confirmed_places == capacity else (
        f"OVERBOOKED by {o.confirmed_places - capacity}" if o.confirmed_places > capacity else "UNDER the capacity")
    print(f"{name:<28} confirmed places {o.confirmed_places:>4} ({verdict}) | waiting {o.waiting:>4} | "
          f"server errors {o.server_errors:>3} | refused {o.refused:>3} | p50 {_percentile(ms, .5):7.0f} ms  "
          f"p95 {_percentile(ms, .95):7.0f} ms  max {max(ms):7.0f} ms | {len(ms) / o.wall:6.1f} sign-ups/s")


def _invariant(session_id: int) -> tuple[bool, str]:
    from django.db.models import Sum

    from dolbom.programmes.models import Session, Signup, SignupStatus

    session = Session.objects.get(pk=session_id)
    held = Signup.objects.filter(session=session, status__in=[SignupStatus.CONFIRMED, SignupStatus.OFFERED]) \
        .aggregate(n=Sum("places"))["n"] or 0
    ok = held == session.taken <= session.capacity
    return ok, f"places held {held} = counter {session.taken} <= capacity {session.capacity}: {'yes' if ok else 'NO'}"


def _links(families: list[Family]) -> dict[str, Family]:
    """Link token -> family, from the sign-up answers' redirects."""
    out = {}
    for f in families:
        if "/programmes/p/s/" in f.link:
            out[f.link.split("/programmes/p/s/")[1].split("/")[0]] = f
    return out


def _cancellation_phase(session_id: int, families: list[Family], base: str, rng: random.Random) -> bool:
    import datetime as dt

    from django.utils import timezone

    from dolbom.programmes.models import Signup, SignupStatus
    from dolbom.programmes.services import tick
    from dolbom.programmes.services.common import link_token

    by_token = _links(families)
    token_of = {s.pk: link_token(s.manage_nonce) for s in Signup.objects.filter(session_id=session_id)}

    def order() -> list[int]:
        return list(Signup.objects.filter(session_id=session_id, status=SignupStatus.WAITING)
                    .order_by("queue_rank", "number").values_list("pk", flat=True))

    def fire(rows: list[tuple[int, str]]) -> tuple[int, float]:
        picked = [(by_token[token_of[pk]], action) for pk, action in rows]
        tokens = {id(f): token_of[pk] for (pk, _), (f, _) in zip(rows, picked, strict=True)}
        actions = {id(f): action for f, action in picked}
        wall = _fire([f for f, _ in picked], base, lambda f: f"/programmes/p/s/{tokens[id(f)]}/{actions[id(f)]}/",
                     lambda f: {"csrfmiddlewaretoken": f.csrf})
        return sum(1 for f, _ in picked if f.status >= 500), wall

    ok_all = True
    confirmed = list(Signup.objects.filter(session_id=session_id, status=SignupStatus.CONFIRMED)
                     .values_list("pk", flat=True))
    waiting = order()
    leaving_waiting = rng.sample(waiting[10:], min(20, max(0, len(waiting) - 10)))
    cancelling = confirmed[:5]
    expected = [pk for pk in waiting if pk not in leaving_waiting][:len(cancelling)]
    errors, wall = fire([(pk, "cancel") for pk in cancelling] + [(pk, "cancel") for pk in leaving_waiting])
    offered = list(Signup.objects.filter(session_id=session_id, status=SignupStatus.OFFERED)
                   .order_by("queue_rank", "number").values_list("pk", flat=True))
    ok, text = _invariant(session_id)
    in_order = offered == expected
    ok_all &= ok and in_order and errors == 0
    print(f"  {len(cancelling)} confirmed and {len(leaving_waiting)} waiting families cancel at once ({wall:.2f} s, "
          f"server errors {errors}): offers to the first {len(offered)} waiting families in order: "
          f"{'yes' if in_order else 'NO'}; {text}")

    waiting = order()
    more = list(Signup.objects.filter(session_id=session_id, status=SignupStatus.CONFIRMED)
                .values_list("pk", flat=True))[:3]
    accepting = offered[:3]
    expected = waiting[:len(more)]
    errors, wall = fire([(pk, "accept") for pk in accepting] + [(pk, "cancel") for pk in more])
    now_offered = set(Signup.objects.filter(session_id=session_id, status=SignupStatus.OFFERED)
                      .values_list("pk", flat=True))
    accepted = Signup.objects.filter(pk__in=accepting, status=SignupStatus.CONFIRMED).count()
    in_order = set(expected) <= now_offered
    ok, text = _invariant(session_id)
    ok_all &= ok and in_order and errors == 0 and accepted == len(accepting)
    print(f"  {accepted}/{len(accepting)} offered families accept while {len(more)} confirmed cancel ({wall:.2f} s, "
          f"server errors {errors}): the next {len(more)} waiting families offered: {'yes' if in_order else 'NO'}; "
          f"{text}")

    waiting = order()
    unanswered = list(Signup.objects.filter(session_id=session_id, status=SignupStatus.OFFERED)
                      .values_list("pk", flat=True))
    Signup.objects.filter(pk__in=unanswered).update(offer_expires_at=timezone.now() - dt.timedelta(seconds=1))
    done = tick()
    passed = Signup.objects.filter(pk__in=unanswered, status=SignupStatus.PASSED_OVER).count()
    offered_next = list(Signup.objects.filter(session_id=session_id, status=SignupStatus.OFFERED)
                        .order_by("queue_rank", "number").values_list("pk", flat=True))
    in_order = offered_next == waiting[:len(unanswered)]
    ok, text = _invariant(session_id)
    ok_all &= ok and in_order and passed == len(unanswered)
    print(f"  {len(unanswered)} offers left unanswered expire (the job: {done['expired']} passed over): "
          f"the next {len(offered_next)} waiting families offered in order: {'yes' if in_order else 'NO'}; {text}")
    return ok_all


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (each holds a connection)")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/dolbom_bench_programmes",
                        help="PostgreSQL URL; the database is dropped and created")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None:
        print("gunicorn is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    random.seed(args.seed)
    work = Path(tempfile.mkdtemp(prefix="dolbom-bench-programmes-"))
    messages = work / "messages.jsonl"
    env = {**os.environ, "DATABASE_URL": args.database, "DOLBOM_DATA_DIR": str(work), "DOLBOM_MESSAGE_BACKEND": "file",
           "DOLBOM_MESSAGE_FILE": str(messages), "DOLBOM_TRUSTED_PROXIES": "127.0.0.1",
           "DJANGO_SETTINGS_MODULE": "dolbom.settings", "DOLBOM_LOG_LEVEL": "ERROR", "PYTHONPATH": str(ROOT)}
    os.environ.update(env)
    _database(args.database)
    real, naive = _setup(args.capacity)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "bench.programmes:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--worker-class", "gthread",
         "--backlog", "2048", "--timeout", "120", "--chdir", str(ROOT), "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=(work / "server.log").open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/programmes/p/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        load = os.getloadavg()
        print(f"{args.families} families, one session of {args.capacity} places (a family takes one place); "
              f"gunicorn {args.workers} workers x {args.threads} threads on {os.cpu_count()} CPUs; PostgreSQL; "
              f"load before {load[0]:.2f}\n")
        results = {}
        for name, session_id, path_of in (
                ("product (row lock + CHECK)", real, lambda f: f.verify_path),
                ("naive check-then-insert", naive, lambda f: f.verify_path.replace("/programmes/p/verify/",
                                                                                 "/bench/naive/verify/"))):
            families = [_family(i + (0 if session_id == real else args.families)) for i in range(args.families)]
            with ThreadPoolExecutor(args.workers * args.threads) as pool:
                list(pool.map(_prepare, families, [base] * len(families), [session_id] * len(families)))
            codes = _codes(messages)
            for f in families:
                f.code = codes[f.phone]
            wall = _fire(families, base, path_of, lambda f: {"csrfmiddlewaretoken": f.csrf, "code": f.code})
            results[name] = (_outcome(session_id, families, wall), families)
            _print(name, results[name][0], args.capacity)
        product = results["product (row lock + CHECK)"][0]
        baseline = results["naive check-then-insert"][0]
        ratio = statistics.median(product.seconds) / statistics.median(baseline.seconds)
        print(f"\nmedian latency, product / naive: {ratio:.2f}")
        exact = product.confirmed_places == args.capacity and product.waiting == args.families - args.capacity
        print(f"product: exactly {args.capacity} confirmed and {args.families - args.capacity} waiting: "
              f"{'yes' if exact else 'NO'}; server errors {product.server_errors}")
        print("\ncancellations under load (product session):")
        ok = _cancellation_phase(real, results["product (row lock + CHECK)"][1], base, rng)
        load = os.getloadavg()
        print(f"\nload after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; server log: {work / 'server.log'}")
        return 0 if exact and product.server_errors == 0 and ok else 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


if __name__ == "__main__":
    sys.exit(main())
