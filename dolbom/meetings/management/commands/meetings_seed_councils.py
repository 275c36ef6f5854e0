"""`dolbom meetings_seed_councils`: the standing councils and one care council per current dong (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dolbom.meetings.models import Council
from dolbom.meetings.services import councils_seed


class Command(BaseCommand):
    help = "Create Jeonju's standing councils and one care council per current dong; existing ones are kept."

    def handle(self, *args: Any, **options: Any) -> None:
        created = councils_seed()
        self.stdout.write(f"협의체 {len(created)}개 생성, 전체 {Council.objects.count()}개.")
