"""``dolbom meetings seed-councils``: the standing councils and one care council per current dong (idempotent)."""

from __future__ import annotations

from typing import Any

from dolbom.lib.commands import AppCommand, verb
from dolbom.meetings.models import Council
from dolbom.meetings.services import councils_seed


class Command(AppCommand):
    help = "Meetings: seed-councils."

    @verb("seed-councils", "Create Jeonju's standing councils and one care council per current dong; existing ones "
                           "are kept.")
    def seed_councils(self, **options: Any) -> None:
        created = councils_seed()
        self.stdout.write(f"협의체 {len(created)}개 생성, 전체 {Council.objects.count()}개.")
