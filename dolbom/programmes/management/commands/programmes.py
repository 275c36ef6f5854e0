"""`dolbom programmes tick|remind|purge|schedule|lottery-verify`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from dolbom.lib.commands import AppCommand, verb


def _session_arguments(parser: CommandParser) -> None:
    parser.add_argument("--session", type=int, required=True, help="the session's id")


def _programme_arguments(parser: CommandParser) -> None:
    parser.add_argument("--programme", type=int, required=True, help="the programme's id")


class Command(AppCommand):
    help = "Programmes and consultations: offers, reserved places, lotteries, reminders, retention."

    @verb("tick", "pass over expired offers, release unused reserved places, draw due lotteries (every minute)")
    def tick(self, **options: Any) -> None:
        from dolbom.programmes.jobs import tick_job

        self.stdout.write(tick_job())

    @verb("remind", "send the reminders that are due (every few minutes)")
    def remind(self, **options: Any) -> None:
        from dolbom.programmes.jobs import remind_job

        self.stdout.write(remind_job())

    @verb("purge", "remove names and phone numbers 180 days after the session (daily)")
    def purge(self, **options: Any) -> None:
        from dolbom.programmes.jobs import purge_job

        self.stdout.write(purge_job())

    @verb("schedule", "create a programme's sessions for its season (idempotent)", arguments=_programme_arguments)
    def schedule(self, *, programme: int, **options: Any) -> None:
        from dolbom.programmes.models import Programme
        from dolbom.programmes.services.programmes import _schedule

        found = Programme.objects.filter(pk=programme).first()
        if found is None:
            raise CommandError(f"no programme {programme}")
        self.stdout.write(f"{len(_schedule(found))} sessions created")

    @verb("lottery-verify", "re-run a drawn lottery from its published seed and compare", arguments=_session_arguments)
    def lottery_verify(self, *, session: int, **options: Any) -> None:
        from dolbom.programmes.models import Session
        from dolbom.programmes.selectors import lottery_publication

        found = Session.objects.filter(pk=session).first()
        if found is None:
            raise CommandError(f"no session {session}")
        publication = lottery_publication(found)
        if not publication["drawn"]:
            raise CommandError("not drawn yet")
        self.stdout.write(f"seed {publication['seed']} (sha256 {publication['commitment']})")
        self.stdout.write(f"order {publication['order']}")
        if not publication["reproduced"]:
            raise CommandError("the stored order differs from the published algorithm's")
        self.stdout.write("the stored order is the published algorithm's")
