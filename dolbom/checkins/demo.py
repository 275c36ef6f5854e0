"""Demo: four clients of the demo case manager enrolled in check-in calls, last week's calls played
through the real caller (so the memory and the signals are what the code makes of them), one client
who did not answer twice, and open alerts in the queue."""

from __future__ import annotations

import datetime as dt
import time
from typing import TextIO

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.cases.models import Case, CaseStatus
from dolbom.checkins import services
from dolbom.checkins.models import Alert, Call, Enrolment, MemoryChange, MemorySlot

# (honorific, weekday, what the client says on last week's call); the caller uses the given name.
SCRIPTS: list[tuple[str, int, list[str]]] = [
    ("어르신", 1, ["네, 괜찮아요", "요즘 무릎이 아파서 계단을 못 내려가요", "아직 못 갔어요", "밥은 잘 먹어요",
                        "잠은 그럭저럭 자요", "경로당에 가끔 가요", "나비라는 고양이랑 지내서 괜찮아요", "딸이 주말에 왔어요"]),
    ("할머니", 2, ["네 말씀하세요", "괜찮아요", "혼자 먹으니까 밥맛이 없어서 하루 한 끼 먹어요", "한 사흘 됐어요",
                        "잠은 잘 자요", "시장에 다녀왔어요", "그냥 그래요", "아들이 서울에 살아요"]),
    ("어르신", 3, ["네", "괜찮아요", "잘 먹어요", "잘 자요", "복지관에 다녀요", "좋아요", "괜찮아요"]),
]
MISSING = ("어르신", 4)


def play_script(actor: User, enrolment: Enrolment, lines: list[str]) -> tuple[Call, services.TurnResult]:
    """A call due now, answered, with the client saying each line until the caller ends it (demo, tests)."""
    call = services.call_now(actor=actor, enrolment=enrolment)
    result = services.call_start(actor=actor, call=call)
    for line in lines:
        result = services.call_reply(actor=actor, call=call, text=line)
        if result.ended:
            break
    call.refresh_from_db()
    return call, result


def _backdate(call: Call, days: int) -> None:
    shift = dt.timedelta(days=days)
    Call.objects.filter(pk=call.pk).update(due_at=call.due_at - shift, started_at=(call.started_at or call.due_at) - shift,
                                           ended_at=(call.ended_at or call.due_at) - shift)
    call.turns.update(at=call.due_at - shift)


def seed_demo(*, seed: int, out: TextIO) -> None:
    manager = User.objects.filter(username="manager").first()
    if manager is None or Enrolment.objects.exists():
        return
    cases = list(Case.objects.filter(manager=manager).exclude(status=CaseStatus.CLOSED)
                 .select_related("resident").order_by("pk")[:4])
    if len(cases) < 4:
        return
    started = time.perf_counter()
    with transaction.atomic():
        for case, (honorific, weekday, lines) in zip(cases, SCRIPTS, strict=False):
            enrolment = services.enrolment_create(
                actor=manager, case=case,
                schedule=services.Schedule(frequency="weekly", weekday=weekday, window_start=dt.time(10),
                                           window_end=dt.time(12)),
                preferences=services.Preferences(preferred_name=case.resident.name[1:], honorific=honorific))
            call, result = play_script(manager, enrolment, lines)
            if not result.ended:
                services.call_hang_up(actor=manager, call=call)
            call.refresh_from_db()
            _backdate(call, 7)
        honorific, weekday = MISSING
        enrolment = services.enrolment_create(
            actor=manager, case=cases[3],
            schedule=services.Schedule(frequency="twice_weekly", weekday=weekday, second_weekday=0,
                                       window_start=dt.time(14), window_end=dt.time(16)),
            preferences=services.Preferences(preferred_name=cases[3].resident.name[1:], honorific=honorific,
                                             opted_out=["mood"]))
        for days in (7, 3):
            call = services.call_now(actor=manager, enrolment=enrolment)
            for _ in range(3):
                services.call_no_answer(actor=manager, call=call)
            call.refresh_from_db()
            _backdate(call, days)
        week_ago = timezone.now() - dt.timedelta(days=7)
        MemorySlot.objects.update(updated_at=week_ago)
        MemoryChange.objects.update(at=week_ago)
    out.write(f"안부전화: 등록 {Enrolment.objects.count()}명, 지난 통화 {Call.objects.count()}건, "
              f"미종료 경보 {Alert.objects.exclude(status='closed').count()}건 ({time.perf_counter() - started:.1f}초)\n")
