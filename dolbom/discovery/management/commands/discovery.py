"""`dolbom discovery …`: crisis discovery from the command line.

    dolbom discovery cycle --name 2026-6차 --starts-on 2026-11-01 [--kind national|city] [--due-on …]
    dolbom discovery sources --cycle 2026-6차 --out DIR [--seed 1]   (synthetic agency files for this registry)
    dolbom discovery import --cycle 2026-6차 FILE [FILE …]
    dolbom discovery retrain [--truth truth.parquet --cycle 2026-6차] [--seed 0]
    dolbom discovery score --cycle 2026-6차 [--engine local|spark]   (spark: the whole cycle as Spark jobs)
    dolbom discovery export --cycle 2026-6차 --out DIR   (the cycle's inputs for spark-submit, docs/SPARK.md)

Writes run as a city-team user (``--as USERNAME``; default: the first active one) and go through the same
services as the pages, so the same rules and the same audit rows apply.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser

from dolbom.accounts.models import Role
from dolbom.discovery import pipeline, selectors, services
from dolbom.discovery.models import CycleKind
from dolbom.lib.commands import AppCommand, verb
from dolbom.lib.errors import DomainError


def _cycle_arguments(c: CommandParser) -> None:
    c.add_argument("--name", required=True)
    c.add_argument("--kind", choices=CycleKind.values, default=CycleKind.NATIONAL)
    c.add_argument("--starts-on", type=dt.date.fromisoformat, required=True)
    c.add_argument("--due-on", type=dt.date.fromisoformat, default=None)
    c.add_argument("--limit", type=int, default=None, help="households per worker (warning above)")


def _sources_arguments(s: CommandParser) -> None:
    s.add_argument("--cycle", required=True)
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--format", choices=["parquet", "csv"], default="parquet")


def _import_arguments(i: CommandParser) -> None:
    i.add_argument("--cycle", required=True)
    i.add_argument("files", nargs="+", type=Path)


def _retrain_arguments(r: CommandParser) -> None:
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--truth", type=Path, default=None, help="labelled file (household_id, needs_support)")
    r.add_argument("--cycle", default=None, help="the cycle whose files go with --truth")


def _score_arguments(sc: CommandParser) -> None:
    sc.add_argument("--cycle", required=True)
    sc.add_argument("--engine", choices=["local", "spark"], default="local")


def _export_arguments(e: CommandParser) -> None:
    e.add_argument("--cycle", required=True)
    e.add_argument("--out", type=Path, required=True)
    e.add_argument("--capacity", default="0.01", help="for the printed spark-submit line")


class Command(AppCommand):
    help = "Crisis discovery: cycles, import, synthetic sources, scoring into visit lists, retraining."

    def add_common_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="username", default=None, help="city-team user the writes run as")

    def _actor(self, username: str | None) -> User:
        qs = User.objects.filter(is_active=True, staff__role=Role.CITY_TEAM)
        user = qs.filter(username=username).first() if username else qs.order_by("pk").first()
        if user is None:
            raise CommandError("시 통합돌봄팀 사용자가 없습니다. --as 로 지정하거나 "
                               "'dolbom accounts create-staff' 로 만드십시오.")
        return user

    def _get_cycle(self, name: str) -> Any:
        try:
            return selectors.cycle_get(name=name)
        except DomainError as exc:
            raise CommandError(f"{exc.message} ({name})") from exc

    def handle(self, *args: Any, username: str | None, **options: Any) -> None:
        # Every verb writes as a city-team user; a missing one is reported before any work starts.
        super().handle(*args, actor=self._actor(username), **options)

    @verb("cycle", "create a cycle", arguments=_cycle_arguments)
    def cycle(self, *, actor: User, **o: Any) -> None:
        cycle = services.cycle_create(actor=actor, name=o["name"], kind=o["kind"], starts_on=o["starts_on"],
                                      due_on=o["due_on"], households_per_worker_limit=o["limit"])
        self.stdout.write(f"발굴 차수 {cycle.name}: {cycle.starts_on} ~ {cycle.due_on}, "
                          f"담당자 1인당 {cycle.households_per_worker_limit}가구 초과 시 경고")

    @verb("sources", "write synthetic agency files for the households in the registry", arguments=_sources_arguments)
    def sources(self, *, actor: User, **o: Any) -> None:
        cycle = self._get_cycle(o["cycle"])
        manifest = pipeline.synthetic_sources(out_dir=o["out"], seed=o["seed"], as_of=cycle.starts_on, fmt=o["format"])
        self.stdout.write(f"합성 기관 자료 {len(manifest.source_paths)}개 파일 ({manifest.households:,}가구, "
                          f"지원 필요 {manifest.needs_support:,}), 숨은 정답 {manifest.truth_path}")
        for path in manifest.source_paths.values():
            self.stdout.write(f"  {path}")

    @verb("import", "import a cycle's files (each whole or not at all)", arguments=_import_arguments)
    def import_files(self, *, actor: User, **o: Any) -> None:
        cycle = self._get_cycle(o["cycle"])
        missing = [str(f) for f in o["files"] if not f.is_file()]
        if missing:
            raise CommandError("파일이 없습니다: " + ", ".join(missing))
        results = services.cycle_import(actor=actor, cycle=cycle, files=[(f.name, f) for f in o["files"]])
        failed = 0
        for r in results:
            if r.status == "imported":
                self.stdout.write(f"가져옴  {r.file_name}: {r.source}, {r.rows:,}행")
            elif r.status == "duplicate":
                self.stdout.write(f"변경 없음 {r.file_name}: 이미 가져온 파일입니다")
            else:
                failed += 1
                self.stderr.write(f"오류    {r.file_name}: 오류 {len(r.errors)}건, 아무것도 가져오지 않았습니다")
                for e in r.errors[:100]:
                    self.stderr.write(f"  {e.line}행 {e.column or '-'} [{e.code}] {e.message}")
                if len(r.errors) > 100:
                    self.stderr.write(f"  … 외 {len(r.errors) - 100}건")
        if failed:
            raise CommandError(f"{failed}개 파일을 가져오지 못했습니다.")

    @verb("retrain", "train a new model version from visit outcomes (or a truth file)", arguments=_retrain_arguments)
    def retrain(self, *, actor: User, **o: Any) -> None:
        truth_cycle = self._get_cycle(o["cycle"]) if o["cycle"] else None
        if o["truth"] is not None and truth_cycle is None:
            raise CommandError("--truth 에는 --cycle 이 필요합니다.")
        mv = services.model_retrain(actor=actor, seed=o["seed"], truth_path=o["truth"], truth_cycle=truth_cycle)
        m = mv.metrics
        self.stdout.write(f"모델 {mv.version}: 학습 {mv.training_rows:,}가구 ({mv.label_source}), "
                          f"시험 AUC {m.get('auc_test', float('nan')):.3f} "
                          f"(지표 개수 규칙 {m.get('baseline_auc_test', float('nan')):.3f})")

    @verb("score", "score every household of a cycle and write the visit lists", arguments=_score_arguments)
    def score(self, *, actor: User, **o: Any) -> None:
        cycle = self._get_cycle(o["cycle"])
        s = services.cycle_score(actor=actor, cycle=cycle, engine=o["engine"])
        self.stdout.write(f"{cycle.name}: {s.scored:,}가구 점수 산출 (모델 {s.model_version}), 명단 {s.listed:,}가구 "
                          f"({s.dongs}개 동), 기존 유지 {s.kept:,}, 진행 중 사례 알림 {s.signalled_cases}, "
                          f"자동처리 거부 제외 {s.objected}")

    @verb("export", "write a cycle's inputs for spark-submit on a cluster", arguments=_export_arguments)
    def export(self, *, actor: User, **o: Any) -> None:
        cycle = self._get_cycle(o["cycle"])
        paths = services.cycle_export(actor=actor, cycle=cycle, out_dir=o["out"])
        self.stdout.write(f"{cycle.name}: 가구, 기관 자료, 모델, 제외 가구를 {o['out']} 에 썼습니다. 공유 저장소에 "
                          "복사한 뒤 (docs/SPARK.md):")
        self.stdout.write(
            f"  spark-submit --master … dolbom/discovery/engine/spark_cycle.py --households {paths['households']} "
            f"--indicators {paths['sources']} --model {paths['model']} --as-of {cycle.starts_on} "
            f"--capacity {o['capacity']} --exclude {paths['exclude']} --out {Path(o['out']) / 'run'}")
