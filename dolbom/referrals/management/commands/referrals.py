"""`dolbom referrals import FILE | load-catalogue | remind | sweep`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from dolbom.lib.commands import AppCommand, verb
from dolbom.referrals.catalogue import catalogue_load
from dolbom.referrals.resource_import import resource_file_import
from dolbom.referrals.selectors import referrals_awaiting_response
from dolbom.referrals.services import referral_reminders_mark, referrals_end_for_closed_cases

MAX_ERRORS_SHOWN = 100


def _import_arguments(parser: CommandParser) -> None:
    parser.add_argument("file", type=Path)


def _remind_arguments(parser: CommandParser) -> None:
    parser.add_argument("--mark", action="store_true", help="알림 보낸 시각을 기록합니다")
    parser.add_argument("--institution", default="", help="기관 코드")


def _sweep_arguments(parser: CommandParser) -> None:
    parser.add_argument("--actor", required=True, help="기록할 직원 사용자명")


class Command(AppCommand):
    help = "서비스 연계: 국가 자원 파일 가져오기, 기본 자원 목록 적재, 응답 기한 알림, 종결 사례 정리"

    @verb("import", "국가 통합돌봄 자원 파일(CSV, UTF-8)을 가져옵니다", arguments=_import_arguments)
    def import_file(self, *, file: Path, **options: Any) -> None:
        if not file.exists():
            raise CommandError(f"파일이 없습니다: {file}")
        try:
            text = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError("파일은 UTF-8 CSV여야 합니다 (엑셀에서 'CSV UTF-8'로 저장).") from exc
        result = resource_file_import(text)
        if result.errors:
            for line in result.errors[:MAX_ERRORS_SHOWN]:
                self.stderr.write(line)
            more = len(result.errors) - MAX_ERRORS_SHOWN
            if more > 0:
                self.stderr.write(f"... 외 {more}건")
            raise CommandError(f"오류 {len(result.errors)}건: 아무것도 가져오지 않았습니다. 고친 뒤 다시 실행하세요.")
        self.stdout.write(f"가져오기 완료: {result.rows:,}행, 새 기관 {result.institutions_created:,}, "
                          f"새 서비스 {result.services_created:,}, 갱신 {result.services_updated:,}")

    @verb("load-catalogue", "합성 전주시 기관·서비스 목록을 적재합니다")
    def load_catalogue(self, **options: Any) -> None:
        insts, svcs = catalogue_load()
        self.stdout.write(f"기관 {insts}곳, 서비스 {svcs}개 적재")

    @verb("remind", "응답 기한이 오늘이거나 지난 의뢰 목록 (기관별)", arguments=_remind_arguments)
    def remind(self, *, mark: bool, institution: str, **options: Any) -> None:
        today = timezone.localdate()
        rows = list(referrals_awaiting_response(today=today, institution_code=institution))
        for r in rows:
            flag = "기한 지남" if r.respond_by < today else "오늘 기한"
            self.stdout.write(f"{r.institution.code}\t{r.institution.name}\t의뢰 #{r.pk}\t{r.case.number}\t"
                              f"{r.service.name}\t{r.respond_by:%Y-%m-%d}\t{flag}")
        if mark:
            referral_reminders_mark(referrals=rows)
        self.stdout.write(f"응답 대기 {len(rows)}건")

    @verb("sweep", "종결된 사례의 진행 중 의뢰를 종료합니다", arguments=_sweep_arguments)
    def sweep(self, *, actor: str, **options: Any) -> None:
        user = User.objects.filter(username=actor).first()
        if user is None:
            raise CommandError(f"사용자가 없습니다: {actor}")
        self.stdout.write(f"종료한 의뢰 {referrals_end_for_closed_cases(actor=user)}건")
