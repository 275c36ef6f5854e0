"""A call from the first ring to its results: turns, signals, alerts, memory, timeline, tries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.cases.models import CaseEventType
from dolbom.checkins import services
from dolbom.checkins.models import (
    Alert,
    AlertKind,
    AlertStatus,
    CallbackStatus,
    CallbackTask,
    CallStatus,
    MemorySlot,
    TurnRole,
)
from dolbom.checkins.tests.conftest import play

pytestmark = pytest.mark.django_db


def test_a_completed_call_lands_on_the_timeline_with_its_signals_and_raises_an_alert(manager, enrolment):
    call, result = play(manager, enrolment, ["네 괜찮아요", "무릎이 아파요", "병원은 아직요", "잘 먹어요", "잘 자요",
                                             "가끔 경로당에 가요", "괜찮아요", "괜찮아요"])
    assert result.ended and call.status == CallStatus.COMPLETED
    assert call.signals == {"health": "medium"} and call.needs_followup
    assert call.reported_at is not None
    event = enrolment.case.events.get(type=CaseEventType.CHECKIN_CALL)
    assert event.new["signals"] == {"health": "medium"} and "건강(중간)" in event.new["summary"]
    alert = Alert.objects.get(call=call)
    assert (alert.kind, alert.severity, alert.status) == ("health", "medium", AlertStatus.OPEN)
    assert "무릎이 아파요" in alert.excerpt
    assert enrolment.case.events.filter(type=CaseEventType.CHECKIN_ALERT).exists()


def test_the_next_call_follows_up_on_what_the_client_said_last_time(manager, enrolment):
    play(manager, enrolment, ["네", "무릎이 아파요", "아니요", "잘 먹어요", "잘 자요", "경로당에 다녀왔어요", "좋아요",
                              "딸이 주말에 왔어요"])
    memory = {m.slot: m for m in MemorySlot.objects.filter(resident=enrolment.resident)}
    assert memory["health"].follow_up == "무릎이 아프다고"
    assert memory["places"].cue == "경로당"
    assert memory["family"].cue == "딸"
    MemorySlot.objects.filter(pk=memory["health"].pk).update(updated_at=timezone.now() - dt.timedelta(days=7))

    call, result = play(manager, enrolment, ["네"])
    assert "지난주에 무릎이 아프다고 하셨는데" in result.text
    result = services.call_reply(actor=manager, call=call, text="이제 다 나았어요, 괜찮아요")
    assert "다행" in result.text
    services.call_hang_up(actor=manager, call=call)
    assert MemorySlot.objects.get(resident=enrolment.resident, slot="health").follow_up == ""


def test_an_emergency_raises_a_high_alert_at_once_and_the_caller_stays_on_the_line(manager, enrolment):
    call = services.call_now(actor=manager, enrolment=enrolment)
    services.call_start(actor=manager, call=call)
    services.call_reply(actor=manager, call=call, text="네")
    result = services.call_reply(actor=manager, call=call, text="어제 화장실에서 넘어졌는데 못 일어나겠어요")
    assert not result.ended and result.safety
    assert "119" in result.text and "어디" in result.text
    alert = Alert.objects.get(call=call)
    assert (alert.kind, alert.severity) == (AlertKind.EMERGENCY, "high")
    call.refresh_from_db()
    assert call.status == CallStatus.IN_PROGRESS
    result = services.call_reply(actor=manager, call=call, text="")
    assert not result.ended
    services.call_hang_up(actor=manager, call=call)
    call.refresh_from_db()
    assert call.status == CallStatus.COMPLETED and call.safety and call.signals["emergency"] == "high"
    assert Alert.objects.filter(call=call).count() == 1


def test_self_harm_switches_to_the_safety_script_with_the_crisis_line(manager, enrolment):
    call, result = play(manager, enrolment, ["네", "그냥 죽고 싶어요"])
    assert "109" in result.text and "119" in result.text and not result.ended
    assert Alert.objects.get(call=call).kind == AlertKind.SELF_HARM


def test_busy_client_is_called_back_later_by_a_new_due_call(manager, enrolment):
    call, result = play(manager, enrolment, ["아이고 지금 바빠요, 나중에 전화해요"])
    assert result.ended and call.status == CallStatus.RESCHEDULED
    assert call.rescheduled_to.status == CallStatus.DUE
    assert call.rescheduled_to.due_at > timezone.now() + dt.timedelta(minutes=90)


def test_no_answer_is_retried_then_becomes_a_call_back_task(manager, enrolment):
    call = services.call_now(actor=manager, enrolment=enrolment)
    for _ in range(2):
        services.call_no_answer(actor=manager, call=call)
        call.refresh_from_db()
        assert call.status == CallStatus.DUE and call.next_attempt_at > timezone.now()
    services.call_no_answer(actor=manager, call=call)
    call.refresh_from_db()
    assert call.status == CallStatus.MISSED and call.attempts == 3
    assert CallbackTask.objects.get(call=call).status == CallbackStatus.OPEN
    assert not Alert.objects.filter(kind=AlertKind.MISSED_CALLS).exists()


def test_two_missed_calls_in_a_row_raise_an_alert_and_a_reached_call_back_resets(manager, enrolment):
    for _ in range(2):
        call = services.call_now(actor=manager, enrolment=enrolment)
        for _ in range(3):
            services.call_no_answer(actor=manager, call=call)
    alert = Alert.objects.get(kind=AlertKind.MISSED_CALLS)
    assert alert.severity == "medium" and alert.case == enrolment.case
    task = CallbackTask.objects.filter(call__enrolment=enrolment).first()
    services.callback_record(actor=manager, task=task, reached=True, note="통화함, 병원에 다녀오셨다고 함")
    enrolment.refresh_from_db()
    assert enrolment.missed_in_row == 0


def test_silence_after_picking_up_counts_as_an_unanswered_try(manager, enrolment):
    call, result = play(manager, enrolment, ["", "", ""])
    assert result.ended
    assert call.status == CallStatus.DUE and call.attempts == 1
    assert call.turns.filter(role=TurnRole.CLIENT).count() == 3


def test_the_runner_finishes_a_dropped_call_and_escalates_an_unacknowledged_high_alert(manager, enrolment):
    call, _ = play(manager, enrolment, ["네", "넘어졌어요"])
    later = timezone.now() + dt.timedelta(minutes=31)
    report = services.run_due(now=later)
    call.refresh_from_db()
    assert report.finished == 1 and call.status == CallStatus.COMPLETED
    alert = Alert.objects.get(call=call)
    assert alert.escalation == 1
    services.run_due(now=timezone.now() + dt.timedelta(minutes=61))
    alert.refresh_from_db()
    assert alert.escalation == 2
    summaries = [e.new.get("summary", "") for e in enrolment.case.events.filter(type=CaseEventType.CHECKIN_ALERT)]
    assert any("시 통합돌봄팀" in s for s in summaries)


def test_an_acknowledged_alert_does_not_escalate(manager, enrolment):
    call, _ = play(manager, enrolment, ["네", "넘어졌어요"])
    alert = services.alert_acknowledge(actor=manager, alert=Alert.objects.get(call=call))
    services.run_due(now=timezone.now() + dt.timedelta(hours=3))
    alert.refresh_from_db()
    assert alert.escalation == 0 and alert.acknowledged_by == manager


def test_an_undialled_call_counts_as_a_try(manager, enrolment):
    call = services.call_now(actor=manager, enrolment=enrolment)
    services.run_due(now=timezone.now() + dt.timedelta(hours=2))
    call.refresh_from_db()
    assert call.attempts == 1 and call.status == CallStatus.DUE


def test_the_calls_signals_read_each_answer_with_the_callers_line_before_it(manager, enrolment, monkeypatch):
    from dolbom.checkins.services import analysis
    from dolbom.checkins.tests.conftest import keyword_analysis

    call, _ = play(manager, enrolment, ["네 괜찮아요", "잘 먹어요"])
    heard: list[tuple[str, str | None]] = []

    def recording(text: str, previous_caller_line: str | None = None):
        heard.append((text, previous_caller_line))
        return keyword_analysis(text)

    monkeypatch.setattr(analysis, "analyse_utterance", recording)
    services.call_hang_up(actor=manager, call=call)
    turns = list(call.turns.order_by("seq").values_list("role", "text"))
    expected = [(text, turns[i - 1][1]) for i, (role, text) in enumerate(turns) if role == TurnRole.CLIENT]
    assert heard == expected and all(line for _, line in heard)
