"""``dolbom accounts create-staff USERNAME --name 김민지 --role dong_officer --dong 서신동``."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import CommandError, CommandParser

from dolbom.accounts.models import Role
from dolbom.accounts.services import staff_create
from dolbom.areas.models import Dong
from dolbom.lib.commands import AppCommand, verb


def _create_staff_arguments(parser: CommandParser) -> None:
    parser.add_argument("username")
    parser.add_argument("--name", required=True, help="display name, e.g. 김민지")
    parser.add_argument("--role", required=True, choices=Role.values)
    parser.add_argument("--dong", help="current dong name, e.g. 서신동")
    parser.add_argument("--institution", default="")
    parser.add_argument("--password", help="initial password (prompted if omitted)")


class Command(AppCommand):
    help = "Staff accounts: create-staff."

    @verb("create-staff", "Create a staff account with a role (and a dong for dong officers and case managers).",
          arguments=_create_staff_arguments)
    def create_staff(self, *, username: str, name: str, role: str, dong: str | None, institution: str,
                     password: str | None, **options: Any) -> None:
        dong_obj = None
        if role in (Role.DONG_OFFICER, Role.CASE_MANAGER):
            if not dong:
                raise CommandError("--dong is required for dong officers and case managers")
            dong_obj = Dong.objects.filter(name=dong, valid_to__isnull=True).first()
            if dong_obj is None:
                raise CommandError(f"no current dong named {dong}")
        if not password:
            password = getpass.getpass("password: ")
        staff_create(username=username, password=password, display_name=name, role=Role(role), dong=dong_obj,
                     institution=institution)
        self.stdout.write(f"created {username} ({role})")
