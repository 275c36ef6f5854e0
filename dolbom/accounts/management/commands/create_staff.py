from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dolbom.accounts.models import Role
from dolbom.accounts.services import staff_create
from dolbom.areas.models import Dong


class Command(BaseCommand):
    help = "Create a staff account with a role (and a dong for dong officers and case managers)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="display name, e.g. 김민지")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--dong", help="current dong name, e.g. 서신동")
        parser.add_argument("--institution", default="")
        parser.add_argument("--password", help="initial password (prompted if omitted)")

    def handle(self, *args, username, name, role, dong, institution, password, **options):
        dong_obj = None
        if role in (Role.DONG_OFFICER, Role.CASE_MANAGER):
            if not dong:
                raise CommandError("--dong is required for dong officers and case managers")
            dong_obj = Dong.objects.filter(name=dong, valid_to__isnull=True).first()
            if dong_obj is None:
                raise CommandError(f"no current dong named {dong}")
        if not password:
            import getpass

            password = getpass.getpass("password: ")
        staff_create(username=username, password=password, display_name=name, role=Role(role), dong=dong_obj,
                     institution=institution)
        self.stdout.write(f"created {username} ({role})")
