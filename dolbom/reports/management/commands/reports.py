"""``dolbom reports refresh [--full]|grant-sign-off``."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth.models import Permission, User
from django.core.management.base import CommandError, CommandParser

from dolbom.lib.commands import AppCommand, verb


def _refresh_arguments(parser: CommandParser) -> None:
    parser.add_argument("--full", action="store_true",
                        help="recompute every kept month (DOLBOM_REPORTS_MONTHS) instead of the last two")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")


def _grant_arguments(parser: CommandParser) -> None:
    parser.add_argument("username")
    parser.add_argument("--revoke", action="store_true")


class Command(AppCommand):
    help = "Reports: refresh the published figures; grant the annual plan's sign-off to the team lead."

    @verb("refresh", "Recompute every registered indicator and republish its figures (incremental by default).",
          arguments=_refresh_arguments)
    def refresh(self, *, full: bool, quiet: bool, **options: Any) -> None:
        from dolbom.reports.refresh import refresh

        run = refresh(full=full, out=None if quiet else sys.stdout)
        self.stdout.write(f"{'전체' if full else '최근 2개월'} 갱신: 지표 {run.indicators}개, 월별 사실 {run.facts:,}행, "
                          f"공표 값 {run.cells:,}개, {run.seconds:.1f}초 ({run.first_month:%Y-%m} ~ "
                          f"{run.last_month:%Y-%m})")

    @verb("grant-sign-off", "Let a city-team member sign off the annual plan (the team lead).",
          arguments=_grant_arguments)
    def grant_sign_off(self, *, username: str, revoke: bool, **options: Any) -> None:
        from dolbom.reports.selectors import can_edit_plans

        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"사용자 {username} 이(가) 없습니다.")
        if not revoke and not can_edit_plans(user):
            raise CommandError("결재 권한은 시 통합돌봄팀 직원에게만 줄 수 있습니다.")
        perm = Permission.objects.get(codename="sign_annual_plan", content_type__app_label="reports")
        (user.user_permissions.remove if revoke else user.user_permissions.add)(perm)
        self.stdout.write(f"{username}: 연간계획 결재 권한 {'회수' if revoke else '부여'}")
