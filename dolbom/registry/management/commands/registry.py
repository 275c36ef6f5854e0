"""``dolbom registry generate-city|refresh-dongs``.

``generate-city`` fills the registry with a synthetic Jeonju. It refuses to touch a registry that already
holds residents unless --append is given: generated people would mix with real or earlier ones, and there is
deliberately no "replace" (deleting residents would also delete their cases and break the append-only access
log). Start from an empty database instead. Demo cases are the cases app's: ``dolbom cases seed-demo``.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from dolbom.lib.commands import AppCommand, verb
from dolbom.registry.models import Resident
from dolbom.registry.services import dong_assignments_refresh
from dolbom.registry.synthetic import generate
from dolbom.registry.synthetic.writer import write_city


def _generate_city_arguments(parser: CommandParser) -> None:
    parser.add_argument("--households", type=int, default=5000, help="households (full Jeonju: 300000)")
    parser.add_argument("--seed", type=int, default=20260327, help="same seed, same city")
    parser.add_argument("--append", action="store_true", help="add to a registry that already has residents")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                        help="date deciding who counts as 65+ and which dong is current (default: today)")


def _refresh_dongs_arguments(parser: CommandParser) -> None:
    parser.add_argument("--on", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")


class Command(AppCommand):
    help = "Registry: generate-city (a synthetic Jeonju), refresh-dongs (after a dong merge or split)."

    @verb("generate-city", "Generate a deterministic synthetic Jeonju (households, residents).",
          arguments=_generate_city_arguments)
    def generate_city(self, *, households: int, seed: int, append: bool, as_of: dt.date | None,
                      **options: Any) -> None:
        if households < 1:
            raise CommandError(_("--households must be at least 1"))
        existing = Resident.objects.count()
        if existing and not append:
            raise CommandError(_(
                "The registry already has %(count)s residents. Use --append to add a synthetic population "
                "to it, or run on an empty database."
            ) % {"count": f"{existing:,}"})
        as_of = as_of or timezone.localdate()
        started = time.perf_counter()
        city = generate(households=households, seed=seed, as_of=as_of)
        generated = time.perf_counter() - started
        result = write_city(city)
        total = time.perf_counter() - started
        older = city.r_is_older.mean() * 100
        alone = int(city.r_lives_alone.sum())
        self.stdout.write(_(
            "Synthetic Jeonju (seed %(seed)s): %(households)s households, %(residents)s residents "
            "(%(older).1f%% aged 65+, %(alone)s living alone) in %(total).1fs "
            "(generate %(generate).1fs, encrypt %(encrypt).1fs, write %(write).1fs)"
        ) % {
            "seed": seed, "households": f"{result.households:,}", "residents": f"{result.residents:,}",
            "older": older, "alone": f"{alone:,}", "total": total, "generate": generated,
            "encrypt": result.timings["encrypt"], "write": result.timings["prepare"] + result.timings["insert"],
        })

    @verb("refresh-dongs", "Point households and residents at the dong valid on a date (after a merge or split "
                           "takes effect).", arguments=_refresh_dongs_arguments)
    def refresh_dongs(self, *, on: dt.date | None, **options: Any) -> None:
        day = on or timezone.localdate()
        changed = dong_assignments_refresh(on=day)
        self.stdout.write(f"{day}: {changed} households moved to a new dong")
