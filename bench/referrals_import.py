"""Benchmark: importing the national resource file (bulk, set-based) against a save-per-row baseline.

    .venv/bin/python bench/referrals_import.py                    # 90,000 rows (the national file's size)
    .venv/bin/python bench/referrals_import.py --rows 20000 --baseline-rows 5000

Both run on a fresh SQLite database under a temporary DOLBOM_DATA_DIR (or DATABASE_URL if set). The baseline is
what a straightforward import does: Institution/Service update_or_create and dongs.set() per row; it runs on
--baseline-rows rows (default: all) and its time per row is scaled to the full size for the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DOLBOM_DATA_DIR", tempfile.mkdtemp(prefix="dolbom-bench-referrals-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dolbom.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from dolbom.areas.selectors import dong_list_valid_on  # noqa: E402
from dolbom.referrals.categories import categories  # noqa: E402
from dolbom.referrals.models import Institution, Service  # noqa: E402
from dolbom.referrals.resource_import import COLUMNS, KIND_BY_LABEL, resource_file_import  # noqa: E402


def make_file(rows: int, seed: int) -> str:
    rng = random.Random(seed)
    minors = list(categories().minors.values())
    dongs = [d.name for d in dong_list_valid_on(timezone.localdate())]
    kinds = list(KIND_BY_LABEL)
    lines = [",".join(COLUMNS)]
    institutions = max(rows // 30, 1)
    for i in range(rows):
        c = rng.choice(minors)
        inst = rng.randrange(institutions)
        area = "전체" if rng.random() < 0.2 else ";".join(rng.sample(dongs, rng.randint(1, 4)))
        lines.append(f"N{i:07d},I{inst:05d},기관{inst},{kinds[inst % len(kinds)]},{c.major_code},{c.code},"
                     f"{c.name} {i},대상 기준 {i % 97},{area},{rng.randint(0, 300)},{rng.randint(0, 40)},"
                     f"063-{inst:04d},전주시 주소 {inst}")
    return "\n".join(lines) + "\n"


@transaction.atomic
def baseline(text: str, limit: int) -> None:
    import csv
    import io

    dongs = {d.name: d for d in dong_list_valid_on(timezone.localdate())}
    for n, row in enumerate(csv.DictReader(io.StringIO(text))):
        if n >= limit:
            break
        inst, _ = Institution.objects.update_or_create(code=row["기관코드"], defaults={
            "name": row["기관명"], "kind": KIND_BY_LABEL[row["기관유형"]], "phone": row["연락처"], "address": row["주소"]})
        citywide = row["제공지역"] == "전체"
        svc, _ = Service.objects.update_or_create(code=row["자원ID"], defaults={
            "institution": inst, "name": row["서비스명"], "category_code": row["소분류"],
            "eligibility": row["자격요건"], "citywide": citywide, "capacity": int(row["정원"]),
            "waiting": int(row["대기"])})
        svc.dongs.set([] if citywide else [dongs[d] for d in row["제공지역"].split(";")])


def clear() -> None:
    Service.dongs.through.objects.all().delete()
    Service.objects.all().delete()
    Institution.objects.all().delete()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=90_000)
    ap.add_argument("--baseline-rows", type=int, default=0, help="0: all rows")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    call_command("migrate", verbosity=0)
    text = make_file(args.rows, args.seed)

    clear()
    t = time.perf_counter()
    result = resource_file_import(text)
    ours = time.perf_counter() - t
    assert not result.errors and result.services_created == args.rows, result.errors[:3]
    t = time.perf_counter()
    again = resource_file_import(text)
    ours_again = time.perf_counter() - t
    assert again.services_created == 0 and again.services_updated == args.rows

    clear()
    limit = args.baseline_rows or args.rows
    t = time.perf_counter()
    baseline(text, limit)
    base = (time.perf_counter() - t) * args.rows / limit

    print(f"rows: {args.rows:,} (baseline measured on {limit:,}, scaled)")
    print(f"bulk import, first run:   {ours:8.2f} s")
    print(f"bulk import, re-import:   {ours_again:8.2f} s (idempotent: 0 created, {args.rows:,} updated)")
    print(f"per-row baseline:         {base:8.2f} s")
    print(f"speed-up: {base / ours:.1f}x")


if __name__ == "__main__":
    main()
