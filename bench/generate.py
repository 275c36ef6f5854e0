"""Benchmark: the vectorised synthetic-city generator against a naive ORM loop.

    .venv/bin/python bench/generate.py                      # 300,000 households, temp SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch .venv/bin/python bench/generate.py

Without DATABASE_URL a temporary SQLite database is created and removed. With DATABASE_URL the
database must be a throw-away one with an empty registry: the script migrates it and writes to it.

The baseline is how one would write it without thinking about speed: a Python loop building model
instances (name, RRN, encryption, blind index per person), then ``bulk_create``. It runs on a smaller
city (``--baseline-households``) and is extrapolated per row, because running it at full size takes
minutes. Both write the same tables with the same encryption, inside one transaction each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def naive_city(households: int, seed: int) -> tuple[int, int]:
    """Python loop per household and per person, ORM instances, bulk_create."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from dolbom.areas.models import BoundaryArea
    from dolbom.areas.selectors import dong_for_area
    from dolbom.lib import rrn as rrn_lib
    from dolbom.lib.hangul import initials
    from dolbom.registry.models import Household, Resident
    from dolbom.registry.synthetic import tables

    rnd = random.Random(seed)
    today = timezone.localdate()
    areas = list(BoundaryArea.objects.select_related("original_dong"))
    dongs = {a.pk: dong_for_area(area=a, day=today) for a in areas}
    weights = [tables.DONG_PROFILE[a.name][0] for a in areas]
    surnames = [s for s, _ in tables.SURNAMES]
    surname_weights = [w for _, w in tables.SURNAMES]
    seen: set[str] = set()
    with transaction.atomic():
        homes = []
        for i in range(households):
            area = rnd.choices(areas, weights)[0]
            dong = dongs[area.pk]
            road = rnd.choice(tables.DONG_PROFILE[area.name][2])
            homes.append(Household(
                number=f"B-{i:08d}", road_address=f"전북특별자치도 전주시 {dong.gu} {road} {rnd.randint(1, 250)}",
                area=area, dong=dong, lon=dong.centroid_lon + rnd.gauss(0, 0.005),
                lat=dong.centroid_lat + rnd.gauss(0, 0.005), size=rnd.choices([1, 2, 3, 4, 5], [38, 29, 18, 12, 3])[0],
            ))
        Household.objects.bulk_create(homes, batch_size=2000)
        people = []
        for home in homes:
            for _ in range(home.size):
                female = rnd.random() < 0.5
                age = int(rnd.triangular(0, 100, 40))
                birth = today - dt.timedelta(days=age * 365 + rnd.randint(0, 364))
                year = birth.year
                generation = sum(year >= cut for cut in tables.GENERATION_CUTS)
                pool = (tables.GIVEN_NAMES_FEMALE if female else tables.GIVEN_NAMES_MALE)[generation]
                name = rnd.choices(surnames, surname_weights)[0] + rnd.choice(pool)
                sex_digit = (3 if year >= 2000 else 1) + female
                while True:
                    first12 = f"{birth:%y%m%d}{sex_digit}{rnd.randint(0, 99999):05d}"
                    digits = first12 + rrn_lib.check_digit(first12)
                    if digits not in seen:
                        seen.add(digits)
                        break
                people.append(Resident(
                    name=name, name_initials=initials(name), birth_date=birth, sex="F" if female else "M",
                    rrn_encrypted=rrn_lib.encrypt(digits, settings.RRN_ENCRYPTION_KEY),
                    rrn_index=rrn_lib.blind_index(digits, settings.RRN_INDEX_KEY),
                    phone=f"010-{rnd.randint(2000, 9999)}-{rnd.randint(0, 9999):04d}", household=home,
                    dong_id=home.dong_id, is_older=age >= 65, lives_alone=home.size == 1,
                ))
        Resident.objects.bulk_create(people, batch_size=2000)
    return len(homes), len(people)


def _clear() -> None:
    from django.db import transaction

    from dolbom.registry.models import Household, Resident

    with transaction.atomic():
        Resident.objects.all()._raw_delete(Resident.objects.db)
        Household.objects.all()._raw_delete(Household.objects.db)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--baseline-households", type=int, default=20_000, help="0 skips the baseline")
    parser.add_argument("--seed", type=int, default=20260327)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="dolbom-bench-")
    os.environ.setdefault("DOLBOM_DATA_DIR", scratch)
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dolbom.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from dolbom.registry.models import Resident
        from dolbom.registry.synthetic import generate
        from dolbom.registry.synthetic.writer import write_city

        call_command("migrate", verbosity=0, interactive=False)
        if Resident.objects.exists():
            print("The database already has residents; point DATABASE_URL at a throw-away database.")
            return 2
        print(f"database: {connection.vendor}; cores: {os.cpu_count()}")

        baseline_rate = None
        if args.baseline_households:
            started = time.perf_counter()
            h, r = naive_city(args.baseline_households, args.seed)
            seconds = time.perf_counter() - started
            baseline_rate = (h + r) / seconds
            print(f"naive ORM loop:  {h:,} households + {r:,} residents in {seconds:.1f}s "
                  f"= {baseline_rate:,.0f} rows/s")
            _clear()

        started = time.perf_counter()
        city = generate(households=args.households, seed=args.seed, as_of=timezone.localdate())
        generated = time.perf_counter() - started
        result = write_city(city)
        seconds = time.perf_counter() - started
        rows = result.households + result.residents
        rate = rows / seconds
        print(f"vectorised:      {result.households:,} households + {result.residents:,} residents in {seconds:.1f}s "
              f"= {rate:,.0f} rows/s (generate {generated:.1f}s, encrypt {result.timings['encrypt']:.1f}s, "
              f"prepare {result.timings['prepare']:.1f}s, insert+index {result.timings['insert']:.1f}s)")
        if baseline_rate:
            print(f"naive loop extrapolated to {rows:,} rows: {rows / baseline_rate:.0f}s; "
                  f"vectorised is {rate / baseline_rate:.1f}x faster")
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
