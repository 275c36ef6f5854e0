"""``dolbom cases seed-demo --count 300``: demo cases on a synthetic city (``dolbom registry generate-city``)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from dolbom.cases.demo import ensure_dong_managers, seed_demo_cases
from dolbom.lib.commands import AppCommand, verb
from dolbom.registry.models import Resident


def _seed_demo_arguments(parser: CommandParser) -> None:
    parser.add_argument("--count", type=int, default=300, help="cases to walk through the workflow")
    parser.add_argument("--seed", type=int, default=20260327, help="same seed, same cases")


class Command(AppCommand):
    help = "Cases: seed-demo."

    @verb("seed-demo", "Walk demo cases through every step of the workflow (one case manager per dong is created).",
          arguments=_seed_demo_arguments)
    def seed_demo(self, *, count: int, seed: int, **options: Any) -> None:
        if not Resident.objects.exists():
            raise CommandError("주민이 없습니다. 먼저 'dolbom registry generate-city' 를 실행하십시오.")
        started = time.perf_counter()
        statuses = seed_demo_cases(managers_by_dong=ensure_dong_managers(), rng_seed=seed, count=count)
        summary = ", ".join(f"{status} {n}" for status, n in sorted(statuses.items()))
        self.stdout.write(_("Demo cases: %(count)s (%(summary)s) in %(seconds).1fs") % {
            "count": f"{sum(statuses.values()):,}", "summary": summary, "seconds": time.perf_counter() - started,
        })
