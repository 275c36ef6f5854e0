"""Demo: one national crisis-discovery cycle for the synthetic city, imported from generated agency files,
a first model trained on their hidden truth, the visit lists written, and a few visits recorded in the
demo dong (서신동) so that support rates and the case link show."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.discovery import pipeline, services
from dolbom.discovery.models import Cycle, CycleKind, EntrySource, Outcome, VisitListEntry

DEMO_DONG = "서신동"
# Outcomes of the first visits, roughly the national mix (58.4 % supported in 2024).
OUTCOME_MIX = [Outcome.SUPPORTED_PUBLIC] * 5 + [Outcome.SUPPORTED_PRIVATE] * 2 + [
    Outcome.CLOSED_COUNSELLED, Outcome.NOT_TARGET, Outcome.INVESTIGATING, Outcome.NO_CONTACT, Outcome.MOVED]


def seed_demo(*, seed: int, out: TextIO) -> None:
    started = time.perf_counter()
    city = User.objects.get(username="city")
    officer = User.objects.get(username="officer")
    today = timezone.localdate()
    name = services.national_cycle_name(today)
    if Cycle.objects.filter(name=name).exists():
        return
    starts_on = today.replace(day=1)
    manifest = pipeline.synthetic_sources(out_dir=Path(settings.DATA_DIR) / "discovery" / "demo-sources",
                                          seed=seed, as_of=starts_on)
    cycle = services.cycle_create(actor=city, name=name, kind=CycleKind.NATIONAL, starts_on=starts_on)
    services.cycle_import(actor=city, cycle=cycle, files=[(p.name, p) for p in manifest.source_paths.values()])
    model = services.model_retrain(actor=city, seed=seed, truth_path=manifest.truth_path, truth_cycle=cycle)
    summary = services.cycle_score(actor=city, cycle=cycle)
    rng = random.Random(seed)
    entries = list(VisitListEntry.objects.filter(cycle=cycle, dong__name=DEMO_DONG, source=EntrySource.MODEL)
                   .select_related("cycle").order_by("rank")[: len(OUTCOME_MIX) + 2])
    for entry, outcome in zip(entries, rng.sample(OUTCOME_MIX, len(OUTCOME_MIX)), strict=False):
        services.entry_outcome_record(actor=officer, entry=entry, outcome=outcome, note="데모 방문 기록")
    for entry in entries[:2]:
        services.entry_open_case(actor=officer, entry=entry)
    out.write(f"위기가구 발굴 {cycle.name}: 기관 자료 {len(manifest.source_paths)}개, 모델 {model.version} "
              f"(시험 AUC {model.metrics.get('auc_test', 0):.3f}, 지표 개수 규칙 "
              f"{model.metrics.get('baseline_auc_test', 0):.3f}), 명단 {summary.listed:,}가구 "
              f"({time.perf_counter() - started:.1f}초)\n")
