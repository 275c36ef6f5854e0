from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from dolbom.registry.services import dong_assignments_refresh


class Command(BaseCommand):
    help = "Point households and residents at the dong valid on a date (after a merge or split takes effect)."

    def add_arguments(self, parser):
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")

    def handle(self, *args, on, **options):
        day = on or timezone.localdate()
        changed = dong_assignments_refresh(on=day)
        self.stdout.write(f"{day}: {changed} households moved to a new dong")
