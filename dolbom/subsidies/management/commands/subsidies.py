"""`dolbom subsidies load|golden|select|decide|board|lapse`.

Writes run as a programme officer or a city-team user (``--as USERNAME``; default: the first city-team
user) and go through the same services as the pages, so a refusal reads the same here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser

from dolbom.lib.commands import AppCommand, verb


def _actor(username: str | None) -> User:
    from dolbom.accounts.models import Role

    qs = User.objects.filter(is_active=True)
    user = qs.filter(username=username).first() if username else \
        qs.filter(staff__role=Role.CITY_TEAM).order_by("pk").first()
    if user is None:
        raise CommandError("시 통합돌봄팀 사용자가 없습니다. --as 로 지정하거나 "
                           "'dolbom accounts create-staff'로 먼저 만드세요.")
    return user


def _load_arguments(parser: CommandParser) -> None:
    parser.add_argument("files", nargs="*", help="programme notice files (JSON); none: the shipped programmes")
    parser.add_argument("--as", dest="username", default=None)


def _golden_arguments(parser: CommandParser) -> None:
    parser.add_argument("--code", default="", help="one programme (default: every shipped one)")


def _round_arguments(parser: CommandParser) -> None:
    parser.add_argument("--programme", required=True, help="programme code, e.g. ev-2026")
    parser.add_argument("--round", type=int, default=1)
    parser.add_argument("--as", dest="username", default=None)


def _board_arguments(parser: CommandParser) -> None:
    parser.add_argument("--programme", default="", help="one programme (default: all)")


class Command(AppCommand):
    help = "Subsidy programmes: load notice files, run golden cases, run a round's selection and decisions."

    @verb("load", "create or extend programmes from their notice files", arguments=_load_arguments)
    def load(self, *, files: list[str], username: str | None, **options: Any) -> None:
        from dolbom.subsidies import programmes, services

        actor = _actor(username)
        paths = [Path(f) for f in files] or programmes.shipped()
        for path in paths:
            try:
                data = programmes.load(path)
            except (OSError, json.JSONDecodeError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            programme = services.programme_load(actor=actor, data=data)
            self.stdout.write(f"{programme.code}: {programme.name} (규칙 v{programme.rule_sets.first().version})")

    @verb("golden", "run the golden cases of the shipped programmes through both evaluators",
          arguments=_golden_arguments)
    def golden(self, *, code: str, **options: Any) -> None:
        from dolbom.subsidies import programmes
        from dolbom.subsidies.rules.compiled import compile_rules

        failures = 0
        for path in programmes.shipped():
            data = programmes.load(path)
            if code and data["code"] != code:
                continue
            rules = compile_rules(data["rules"]["definition"])
            for result in programmes.check_cases(rules, (programmes.golden(data["code"]) or {"cases": []})["cases"]):
                failures += not result["ok"]
                said = result["outcome"].explanation if result["outcome"] else result["error"]
                self.stdout.write(f"{'통과' if result['ok'] else '실패'}  {data['code']}  {result['case']['name']}: {said}")
        if failures:
            raise CommandError(f"골든 케이스 {failures}건 실패")

    @verb("select", "run the selection of a round", arguments=_round_arguments)
    def select(self, *, programme: str, round: int, username: str | None, **options: Any) -> None:
        from dolbom.subsidies import selectors, services

        p = selectors.programme_get(code=programme)
        r = selectors.round_get(programme=p, number=round)
        run = services.selection_run(actor=_actor(username), round=r)
        self.stdout.write(f"{p.name} {r.name}: 선정 {run.selected}건, 예비 {run.waitlisted}건 ({run.mode})")
        for code, s in run.summary.items():
            self.stdout.write(f"  {code}: 자리 {s['places']}, 우선 배정 {s['reserved']}, 선정 {s['selected']}")

    @verb("decide", "approve the selected of a round while the budget lasts, refuse the ineligible",
          arguments=_round_arguments)
    def decide(self, *, programme: str, round: int, username: str | None, **options: Any) -> None:
        from dolbom.subsidies import selectors, services

        r = selectors.round_get(programme=selectors.programme_get(code=programme), number=round)
        counts = services.round_decide(actor=_actor(username), round=r)
        self.stdout.write(f"지원 결정 {counts['approved']}건, 지원 불가 {counts['refused']}건, 검토 필요 {counts['skipped']}건")

    @verb("board", "print the public board (announced / received / selected / remaining)", arguments=_board_arguments)
    def board(self, *, programme: str, **options: Any) -> None:
        from dolbom.subsidies import selectors

        for p in selectors.programme_list(public=True):
            if programme and p.code != programme:
                continue
            b = p.budget
            self.stdout.write(f"{p.name}  예산 {b.announced:,}원 · 집행 {b.used:,}원 · 잔액 {b.left:,}원")
            for row in selectors.board(programme=p):
                self.stdout.write(f"  {row.category.name}: 공고 {row.announced:,} · 접수 {row.received:,} · "
                                  f"선정 {row.selected:,} · 잔여 {row.remaining:,}")

    @verb("lapse", "mark applications whose supplement deadline passed")
    def lapse(self, **options: Any) -> None:
        from dolbom.subsidies.services import supplements_lapse

        self.stdout.write(f"보완 기한 경과 {supplements_lapse()}건")
