"""Benchmark: eligibility and score of many applications, column-wise (Polars) against the reference
evaluator one application at a time, a selection round, and the ledger under concurrent approvals.

    .venv/bin/python bench/subsidies.py                                # 100,000 applications, 20 rules
    .venv/bin/python bench/subsidies.py --applications 20000 --baseline 500 --approvals 20
    .venv/bin/python bench/subsidies.py --skip-ledger                  # no database needed
    .venv/bin/python bench/subsidies.py --database-url sqlite:////tmp/bench-subsidies.sqlite3

The rules are the shipped EV programme's (dolbom/subsidies/programmes/ev-2026.json) with score items added
up to ``--rules``; both evaluators read the same CEL. The baseline is the reference evaluator (cel-python,
per application, per rule), the one decisions use; it runs on the first ``--baseline`` applications and
every one of them must give exactly what the column-wise path gives, or the bench exits 1.

The ledger part makes ``--approvals`` selected applications whose amounts add up to more than the budget
left, starts one thread per approval (each with its own database connection, PostgreSQL by default) and
checks that the committed amount ends exactly at the budget and every refusal is budget_exceeded.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCORE_ITEMS = [
    ("older", "age >= 65", 10), ("disability", "has_disability", 15), ("basic", "income_tier == \"basic\"", 20),
    ("near_poor", "income_tier == \"near_poor\"", 12), ("long_resident", "residence_months >= 60", 5),
    ("multi_child", "multi_child", 8), ("scrapped", "scrapped_diesel", 6), ("merit", "national_merit", 8),
    ("cheap_car", "vehicle_price < 40000000", 3), ("freight", "category == \"freight\"", 4),
    ("youth", "first_car_youth && age <= 34", 4), ("small_business", "buyer_type == \"small_business\"", 5),
]


def definition(rules: int) -> dict:
    from dolbom.subsidies import programmes

    d = copy.deepcopy(programmes.load(programmes.HERE / "ev-2026.json")["rules"]["definition"])
    base = len(d["eligibility"]) + len(d["amount"]["tiers"]) + len(d["amount"]["top_ups"]) + 1 + len(d["priority_groups"])
    d["score"] = [{"key": k, "label": k, "when": w, "points": p} for k, w, p in SCORE_ITEMS[: max(0, rules - base)]]
    d["selection_mode"] = "score"
    d["tie_breaks"] = [{"by": "age", "order": "desc"}, {"by": "received_at", "order": "asc"}]
    return d


def applications(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    freight = rng.random(n) < 0.27
    start = dt.datetime(2026, 2, 23, 9, tzinfo=dt.UTC)
    return pl.DataFrame({
        "id": np.arange(1, n + 1, dtype=np.int64),
        "number": [f"EV-2026-{i:06d}" for i in range(1, n + 1)],
        "received_at": [start + dt.timedelta(seconds=int(s)) for s in np.sort(rng.integers(0, 120 * 86400, n))],
        "delivered_on": [dt.date(2026, 3, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 150, n)],
        "category": np.where(freight, "freight", "passenger"),
        "in_city": rng.random(n) < 0.97,
        "residence_months": rng.integers(0, 240, n),
        "age": rng.integers(16, 92, n),
        "buyer_type": rng.choice(["individual", "individual", "individual", "small_business", "business", "institution"], n),
        "vehicle_model": rng.choice(["아이오닉 5", "EV6", "레이 EV", "포터 II 일렉트릭"], n),
        "vehicle_price": rng.integers(15_000_000, 95_000_000, n),
        "prior_support_count": (rng.random(n) < 0.08).astype(np.int64),
        "income_tier": rng.choice(["general"] * 8 + ["near_poor", "basic"], n),
        "has_disability": rng.random(n) < 0.05, "national_merit": rng.random(n) < 0.03,
        "multi_child": rng.random(n) < 0.1, "scrapped_diesel": rng.random(n) < 0.08,
        "first_car_youth": rng.random(n) < 0.07,
    })


def evaluate(n: int, rules_n: int, baseline: int, seed: int) -> int:
    from dolbom.subsidies.rules import selection as picking
    from dolbom.subsidies.rules.compiled import compile_rules

    frame = applications(n, seed)
    t = time.perf_counter()
    rules = compile_rules(definition(rules_n))
    compile_s = time.perf_counter() - t
    d = rules.definition
    counted = len(d.eligibility) + len(d.amount.tiers) + len(d.amount.top_ups) + (1 if d.amount.cap else 0) + \
        len(d.score) + len(d.priority_groups)
    print(f"규칙 {counted}개 (자격 {len(d.eligibility)}, 금액 {len(d.amount.tiers)}+{len(d.amount.top_ups)}+한도, "
          f"점수 {len(d.score)}, 우선순위 {len(d.priority_groups)}), 컴파일 {compile_s * 1000:.1f} ms")
    facts = frame.select(list(rules.frame_schema())).cast(rules.frame_schema())
    rules.evaluate_frame(facts.head(1000))  # warm-up (Polars' first call compiles its kernels)
    t = time.perf_counter()
    fast = rules.evaluate_frame(facts)
    fast_s = time.perf_counter() - t
    print(f"열 단위 평가 (Polars): {n:,}건 {fast_s:.3f} s → {n / fast_s:,.0f}건/s, "
          f"적격 {int(fast['eligible'].sum()):,}건")

    sample = facts.head(baseline).to_dicts()
    t = time.perf_counter()
    reference = [rules.evaluate(row).summary() for row in sample]
    naive_s = time.perf_counter() - t
    naive_rate = len(sample) / naive_s
    print(f"기준선 (cel-python, 신청 1건씩): {len(sample):,}건 {naive_s:.2f} s → {naive_rate:,.0f}건/s")
    cols = ["eligible", "amount", "score", "tier", "priority_groups", "failed"]
    fast_rows = fast.head(baseline).select(cols).to_dicts()
    mismatches = sum(a != b for a, b in zip(fast_rows, reference, strict=True))
    ratio = (n / fast_s) / naive_rate
    print(f"배율: {ratio:,.0f}× (목표 50× 이상) · 같은 {len(sample):,}건의 결과 일치: "
          f"{len(sample) - mismatches:,}/{len(sample):,}")

    evaluated = pl.concat([frame.select("id", "number", "received_at", "delivered_on", "category", "age"),
                           fast.select("eligible", "amount", "score", "priority_groups")], how="horizontal")
    eligible = evaluated.filter(pl.col("eligible"))
    t = time.perf_counter()
    result = picking.select(eligible, d, places={"passenger": 1875, "freight": 688}, taken={},
                            money_left=33_300_000_000, on=dt.date(2026, 7, 1))
    select_s = time.perf_counter() - t
    chosen = {p.application_id for p in result.selected}
    money = int(eligible.filter(pl.col("id").is_in(list(chosen)))["amount"].sum())
    print(f"선정 (점수 순, 우선 배정 먼저): 적격 {eligible.height:,}건 → 선정 {len(chosen):,}건, "
          f"예비 {len(result.picks) - len(chosen):,}건, {select_s:.3f} s; 선정 금액 {money:,}원 ≤ 33,300,000,000원")
    for code, s in result.summary.items():
        print(f"  {code}: 자리 {s['places']:,}, 우선 배정 {s['reserved']} (채움 {s['by_group']}), 선정 {s['selected']:,}")
    ok = mismatches == 0 and money <= 33_300_000_000 and len(chosen) <= 1875 + 688
    if not ok:
        print("실패: 두 평가기의 결과가 다르거나 선정이 자리·예산을 넘음")
    return 0 if ok else 1


def fresh_database(database_url: str) -> None:
    if database_url.startswith("postgres"):
        import psycopg

        base, name = database_url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    elif database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)


def ledger(approvals: int, fits: int) -> int:
    from django.core.management import call_command
    from django.db import connection

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"\n원장 시험 ({connection.vendor}): 데이터베이스 준비 {time.perf_counter() - t:.1f} s")

    from dolbom.accounts.models import Role
    from dolbom.lib.errors import DomainError
    from dolbom.subsidies import programmes, services
    from dolbom.subsidies.models import Budget, LedgerEntry
    from dolbom.testing import personas

    city = personas.make_staff("bench-city", "정하늘", Role.CITY_TEAM)
    officers = [personas.make_staff(f"bench-{i}", f"담당자{i}", Role.CITY_TEAM) for i in range(approvals)]
    data = programmes.load(programmes.HERE / "ev-2026.json")
    programme = services.programme_load(actor=city, data=data)
    round = programme.rounds.get(number=1)
    passenger = programme.categories.get(code="passenger")
    apps = []
    for i in range(approvals):
        app = services.application_submit(
            actor=city, programme=programme, round=round, category=passenger,
            applicant=services.Applicant(name=f"신청자{i}", birth_date=dt.date(1980, 1, 1), phone="010-2000-0000",
                                         address=f"전주시 덕진구 벤치로 {i}"),
            declared={"buyer_type": "individual", "vehicle_model": "아이오닉 5", "vehicle_price": 46_900_000,
                      "national_merit": False, "multi_child": False, "scrapped_diesel": False,
                      "first_car_youth": False, "resident_since": "2020-01-01", "delivered_on": "2026-03-10",
                      "income_tier": "general"},
            documents=[services.Upload(k, _pdf(), f"{k}.pdf") for k in ("resident_register", "purchase_contract")],
            at=round.opens_at + dt.timedelta(hours=i + 1))
        for doc in app.documents.all():
            services.document_review(actor=city, document=doc, accept=True)
        apps.append(app)
    services.selection_run(actor=city, round=round)
    amount = 11_500_000
    Budget.objects.filter(programme=programme).update(announced=amount * fits)
    barrier = threading.Barrier(approvals)
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(officer, application) -> None:
        try:
            barrier.wait(timeout=60)
            services.application_approve(actor=officer, application=application)
            result = "approved"
        except DomainError as exc:
            result = str(exc.code)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=approve, args=(o, a)) for o, a in zip(officers, apps, strict=True)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    took = time.perf_counter() - t
    budget = Budget.objects.get(programme=programme)
    commits = LedgerEntry.objects.filter(budget=budget, kind="commit")
    approved = outcomes.count("approved")
    refused = sorted(set(o for o in outcomes if o != "approved"))
    print(f"동시 승인 {approvals}건 (스레드마다 연결 하나, {took:.2f} s): 승인 {approved}건, 거절 {len(outcomes) - approved}건 "
          f"{refused}; 예산 {budget.announced:,}원, 약정 {budget.committed:,}원, 잔액 {budget.left:,}원, "
          f"원장 약정 기록 {commits.count()}건")
    ok = (approved == fits and budget.committed == budget.announced and budget.left == 0
          and commits.count() == fits and refused in ([], ["budget_exceeded"]) and len(outcomes) == approvals)
    print("원장이 예산에서 정확히 멈춤" if ok else "실패: 원장이 예산과 다름")
    return 0 if ok else 1


def _pdf() -> bytes:
    import io

    import pypdf

    w = pypdf.PdfWriter()
    w.add_blank_page(width=100, height=100)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--rules", type=int, default=20)
    parser.add_argument("--baseline", type=int, default=2_000, help="applications the per-application baseline runs")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--approvals", type=int, default=50, help="concurrent approvals in the ledger test")
    parser.add_argument("--fits", type=int, default=30, help="how many of them the budget covers")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/dolbom_bench_subsidies",
                        help="a database the bench may drop and create")
    parser.add_argument("--skip-ledger", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dolbom.settings")
    os.environ.setdefault("DOLBOM_DATA_DIR", "/tmp/dolbom-bench-subsidies")
    os.environ["DOLBOM_MESSAGE_BACKEND"] = "locmem"  # the ledger test sends no text to anyone
    if not args.skip_ledger:
        os.environ["DATABASE_URL"] = args.database_url
        fresh_database(args.database_url)
    import django

    django.setup()
    rc = evaluate(args.applications, args.rules, min(args.baseline, args.applications), args.seed)
    if not args.skip_ledger:
        rc |= ledger(args.approvals, min(args.fits, args.approvals))
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
