"""``dolbom accounts create-staff USERNAME --name 김민지 --role dong_officer --dong 서신동``,
``dolbom accounts reset-second-factor USERNAME --reason ...``, ``dolbom accounts totp-code USERNAME`` (demo)."""

from __future__ import annotations

import getpass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dolbom.accounts.models import Role
from dolbom.accounts.second_factor import second_factor_reset
from dolbom.accounts.services import staff_create
from dolbom.areas.models import Dong
from dolbom.lib.commands import AppCommand, verb
from dolbom.lib.errors import DomainError


def _create_staff_arguments(parser: CommandParser) -> None:
    parser.add_argument("username")
    parser.add_argument("--name", required=True, help="display name, e.g. 김민지")
    parser.add_argument("--role", required=True, choices=Role.values)
    parser.add_argument("--dong", help="current dong name, e.g. 서신동")
    parser.add_argument("--institution", default="")
    parser.add_argument("--password", help="initial password (prompted if omitted)")


def _username_argument(parser: CommandParser) -> None:
    parser.add_argument("username")


def _reset_second_factor_arguments(parser: CommandParser) -> None:
    parser.add_argument("username")
    parser.add_argument("--reason", required=True, help="why (kept in the security record), e.g. 휴대전화 분실")


class Command(AppCommand):
    help = "Staff accounts: create-staff, reset-second-factor, totp-code."

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
        try:
            staff_create(username=username, password=password, display_name=name, role=Role(role), dong=dong_obj,
                         institution=institution)
        except DomainError as exc:  # the password rules (settings.AUTH_PASSWORD_VALIDATORS)
            raise CommandError(exc.message) from exc
        self.stdout.write(f"created {username} ({role})")

    @verb("totp-code", "Print the current code of a person's authenticator app (demo and test servers only; "
          "refused with DOLBOM_ENV=production).", arguments=_username_argument)
    def totp_code(self, *, username: str, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("refused with DOLBOM_ENV=production: the code belongs on the person's phone")
        device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed", "-pk").first()
        if device is None:
            raise CommandError(f"{username} has no authenticator app yet: sign in once to start the enrolment")
        # What the app shows: the clock's code, not one shifted by the server's drift (a code that once arrived
        # a step late leaves the drift at -1, and a shifted code would be refused as already used).
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
        self.stdout.write(f"{totp.token():0{device.digits}d}")

    @verb("reset-second-factor", "Remove a person's authenticator app and recovery codes (a lost phone); they "
          "enrol again at their next sign-in.", arguments=_reset_second_factor_arguments)
    def reset_second_factor(self, *, username: str, reason: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account {username}")
        second_factor_reset(actor=None, user=user, reason=f"dolbom accounts reset-second-factor: {reason}")
        self.stdout.write(f"second factor of {username} removed; they enrol again at the next sign-in")
