"""`dolbom checkins_run`: the due-runner (to become `dolbom checkins run-due`).

Run it every few minutes (cron, a systemd timer): it turns enrolments whose time has come into due
calls, finishes calls a gateway left open, counts tries no channel made, and escalates high alerts
nobody acknowledged.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dolbom.checkins.services import run_due


class Command(BaseCommand):
    help = "Run due check-in work: schedule calls, finish dropped calls, count undialled tries, escalate alerts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", help="ISO date-time to run as (for catching up or testing)")

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        if options.get("now"):
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        report = run_due(now=now)
        self.stdout.write(f"scheduled {report.scheduled}, finished {report.finished}, "
                          f"undialled {report.undialled}, escalated {report.escalated}\n")
