"""Running a call turn by turn, the tries when nobody answers, and the call's results.

The results of a call (summary, signals, memory, alerts, the timeline entry) are written in the same
transaction that ends it, so they reach the dong the moment the call ends; the due-runner finishes
calls a gateway left hanging (see runner.py), well within the two hours the city promises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dolbom.accounts.scope import lock_in_scope
from dolbom.checkins import events
from dolbom.checkins.channels import ChannelAdapter, TextChannel
from dolbom.checkins.dialogue import script
from dolbom.checkins.dialogue.engine import CallContext, DialogueEngine, MemoryCue, Reply
from dolbom.checkins.dialogue.llm import llm_client
from dolbom.checkins.errors import CheckinErrorCode
from dolbom.checkins.events import SIGNAL_LABELS, signals_line
from dolbom.checkins.models import (
    AlertKind,
    Call,
    CallbackStatus,
    CallbackTask,
    CallKind,
    CallStatus,
    CheckinSettings,
    Enrolment,
    EnrolmentStatus,
    MemorySlot,
    Severity,
    Slot,
    Turn,
    TurnRole,
)
from dolbom.checkins.services import analysis as signal_service
from dolbom.checkins.services.alerts import alert_raise
from dolbom.checkins.services.common import caller_user, require_writer
from dolbom.checkins.services.memory import memory_update_from_call
from dolbom.lib.errors import DomainError

_RANK = {None: 0, "low": 1, "medium": 2, "high": 3}
TOPIC_LABELS = {"health": "건강", "meals": "식사", "sleep": "수면", "activity": "외출·운동", "mood": "기분",
                "daily": "생활"}


@dataclass(frozen=True)
class TurnResult:
    call: Call
    text: str
    ended: bool
    outcome: str = ""
    safety: bool = False


def _lock_call(actor: User, call: Call) -> Call:
    from dolbom.checkins.selectors import call_visible

    return lock_in_scope(call_visible(actor).select_related("enrolment__case", "campaign"), call.pk,
                    CheckinErrorCode.CALL_NOT_FOUND, actor=actor, record_type="checkin_call",
                    resident="enrolment__resident_id")


def _context(call: Call) -> CallContext:
    enrolment = call.enrolment
    now = timezone.now()
    memory = {m.slot: m for m in MemorySlot.objects.filter(resident_id=enrolment.resident_id)}
    cues = tuple(
        MemoryCue(slot=slot, phrase=memory[slot].follow_up, days_ago=(now - memory[slot].updated_at).days)
        for slot in (Slot.HEALTH, Slot.SLEEP, Slot.MEALS)
        if slot in memory and memory[slot].follow_up and slot not in enrolment.opted_out
    )
    following = enrolment.next_due_at
    days_ahead = (following.date() - now.date()).days if following else None
    topics = tuple(t for t in script.TOPIC_ORDER if t in (enrolment.topics or script.TOPIC_ORDER)
                   and t not in enrolment.opted_out)
    return CallContext(
        address=client_address(enrolment), topics=topics, cues=cues,
        pet=memory[Slot.PETS].cue if Slot.PETS in memory else "",
        place=memory[Slot.PLACES].cue if Slot.PLACES in memory else "",
        family=memory[Slot.FAMILY].cue if Slot.FAMILY in memory else "",
        next_call=script.next_call_phrase(timezone.localtime(following).weekday() if following else None, days_ahead),
        campaign_kind=call.campaign.kind if call.campaign_id else "",
        campaign_message=call.campaign.message if call.campaign_id else "",
        seed=call.pk,
    )


def client_address(enrolment: Enrolment) -> str:
    """How the caller addresses this client: the preferred name and an honorific that fits their sex and
    age (dialogue/script.py address_for), whatever honorific was typed at enrolment."""
    resident = enrolment.resident
    return script.address_for(enrolment.preferred_name, enrolment.honorific, sex=resident.sex,
                              age=resident.age_on(timezone.localdate()))


def _engine(call: Call) -> DialogueEngine:
    return DialogueEngine(context=_context(call), analyse=signal_service.analyse_utterance, phraser=llm_client())


def _add_turn(call: Call, role: TurnRole, text: str, step: str = "", signals: dict | None = None) -> Turn:
    last = call.turns.aggregate(m=Max("seq"))["m"]
    return Turn.objects.create(call=call, seq=(last or 0) + 1, role=role, text=text, step=step,
                               signals=signals or {}, at=timezone.now())


@transaction.atomic
def call_now(*, actor: User, enrolment: Enrolment) -> Call:
    """A call due now (a tester on the chat page, a case manager who wants a check today); an already
    due call of the enrolment is reused rather than ringing twice."""
    from dolbom.checkins.selectors import enrolment_visible

    require_writer(actor)
    enrolment = lock_in_scope(enrolment_visible(actor).select_related("case"), enrolment.pk,
                         CheckinErrorCode.ENROLMENT_NOT_FOUND, actor=actor, record_type="checkin_enrolment",
                         resident="resident_id")
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise DomainError(CheckinErrorCode.ENROLMENT_STOPPED)
    existing = enrolment.calls.filter(status__in=[CallStatus.DUE, CallStatus.IN_PROGRESS]).order_by("due_at").first()
    if existing is not None:
        return existing
    now = timezone.now()
    return Call.objects.create(enrolment=enrolment, dong_id=enrolment.case.dong_id, kind=CallKind.ROUTINE,
                               status=CallStatus.DUE, due_at=now, next_attempt_at=now)


@transaction.atomic
def call_start(*, actor: User, call: Call, channel: ChannelAdapter | None = None) -> TurnResult:
    """The client picked up: the caller greets them."""
    call = _lock_call(actor, call)
    if call.status != CallStatus.DUE:
        raise DomainError(CheckinErrorCode.CALL_NOT_DUE)
    channel = channel or TextChannel()
    engine = _engine(call)
    state: dict = {}
    reply = engine.opening(state)
    now = timezone.now()
    call.status, call.channel, call.started_at, call.state = CallStatus.IN_PROGRESS, channel.name, now, state
    call.attempts += 1
    call.next_attempt_at = None
    call.save(update_fields=["status", "channel", "started_at", "state", "attempts", "next_attempt_at"])
    _add_turn(call, TurnRole.CALLER, reply.text, reply.step)
    return TurnResult(call=call, text=channel.say(reply.text).text, ended=False)


def _excerpt(call: Call, last: int = 4) -> str:
    turns = list(call.turns.order_by("-seq")[:last])[::-1]
    return "\n".join(f"{'상담원' if t.role == TurnRole.CALLER else '어르신'}: {t.text}" for t in turns)


@transaction.atomic
def call_reply(*, actor: User, call: Call, text: str, channel: ChannelAdapter | None = None) -> TurnResult:
    """One turn of the client and the caller's answer. A self-harm or emergency signal raises a high
    alert in this very transaction, before the call goes on."""
    call = _lock_call(actor, call)
    if call.status != CallStatus.IN_PROGRESS:
        raise DomainError(CheckinErrorCode.CALL_NOT_IN_PROGRESS)
    channel = channel or TextChannel()
    heard = channel.hear(text)
    engine = _engine(call)
    state = dict(call.state)
    reply: Reply = engine.respond(state, heard)
    found = {s.kind: s.severity for s in reply.analysis.found()} if reply.analysis else {}
    _add_turn(call, TurnRole.CLIENT, heard, state.get("step", ""), found)
    _add_turn(call, TurnRole.CALLER, reply.text, reply.step)
    call.state = state
    call.llm_used = call.llm_used or reply.phrased
    if reply.safety_kind and not call.safety:
        call.safety = True
        alert_raise(actor=actor, case=call.enrolment.case, kind=reply.safety_kind, severity=Severity.HIGH,
                    excerpt=_excerpt(call), call=call)
    call.save(update_fields=["state", "llm_used", "safety"])
    if reply.ended:
        _finish(call, actor=actor, outcome=reply.outcome, reschedule=reply.reschedule)
    return TurnResult(call=call, text=channel.say(reply.text).text, ended=reply.ended, outcome=reply.outcome,
                      safety=call.safety)


@transaction.atomic
def call_hang_up(*, actor: User, call: Call) -> Call:
    """The line was closed (by the client, the gateway or the staff member playing the client)."""
    call = _lock_call(actor, call)
    if call.status != CallStatus.IN_PROGRESS:
        raise DomainError(CheckinErrorCode.CALL_NOT_IN_PROGRESS)
    _hang_up(call, actor)
    return call


@transaction.atomic
def call_no_answer(*, actor: User, call: Call) -> Call:
    """The phone rang out. Try again after the city's interval; after the last try, a person calls back."""
    call = _lock_call(actor, call)
    if call.status != CallStatus.DUE:
        raise DomainError(CheckinErrorCode.CALL_NOT_DUE)
    call.attempts += 1
    _after_unanswered_try(call, actor=actor)
    return call


def _after_unanswered_try(call: Call, *, actor: User) -> None:
    config = CheckinSettings.current()
    now = timezone.now()
    if call.attempts < config.max_attempts:
        call.status = CallStatus.DUE
        call.next_attempt_at = now + dt.timedelta(minutes=config.retry_minutes)
        call.save(update_fields=["status", "attempts", "next_attempt_at", "state"])
        return
    call.status, call.ended_at, call.next_attempt_at, call.reported_at = CallStatus.MISSED, now, None, now
    call.summary = f"전화를 받지 않음 ({call.attempts}회 시도). 동 담당자의 확인 전화가 필요합니다."
    call.save(update_fields=["status", "attempts", "ended_at", "next_attempt_at", "reported_at", "summary", "state"])
    CallbackTask.objects.create(call=call, dong_id=call.dong_id, status=CallbackStatus.OPEN, created_at=now)
    events.checkin_call(call=call, actor=actor)
    enrolment = Enrolment.objects.select_for_update().get(pk=call.enrolment_id)
    if call.kind == CallKind.ROUTINE:
        enrolment.missed_in_row += 1
        enrolment.save(update_fields=["missed_in_row", "updated_at"])
        if enrolment.missed_in_row >= config.missed_in_row_alert:
            alert_raise(actor=actor, case=enrolment.case, kind=AlertKind.MISSED_CALLS, severity=Severity.MEDIUM,
                        excerpt=f"안부전화를 {enrolment.missed_in_row}회 연속 받지 않았습니다.", call=call)


def _call_signals(call: Call) -> tuple[dict[str, str | None], dict[str, list[str]]]:
    """The call's signals: each client turn analysed on its own with the caller's line it answers ("네" to
    "잠은 잘 주무세요?" is nothing; to "혹시 죽고 싶다는 생각이 드신 적 있으세요?" it is self-harm), then
    combined by the whole-call rule (the worst of each kind; a lone medium the model is unsure of is low).
    Joining the turns into one text let an answer to one question colour another ("잠은 잘 자요" after
    "못 자요" asked about meals), so the turn is the unit, as on the line."""
    analyses = []
    last_caller = ""
    for role, text in call.turns.exclude(text="").order_by("seq").values_list("role", "text"):
        if role != TurnRole.CLIENT:
            last_caller = text
            continue
        analyses.append(signal_service.analyse_utterance(text, previous_caller_line=last_caller or None))
    combined = signal_service.combine_turns(analyses)
    evidence = {kind: words for kind, words in combined.evidence.items() if combined.signals.get(kind) and words}
    return dict(combined.signals), evidence


def _rule_summary(call: Call, signals: dict[str, str | None], evidence: dict[str, list[str]]) -> str:
    state = call.state or {}
    parts: list[str] = []
    if call.safety:
        parts.append(f"안전 대응으로 전환됨 ({SIGNAL_LABELS.get(state.get('safety_kind', ''), '')}).")
        if state.get("where"):
            parts.append(f"있는 곳: {state['where']}.")
    for slot, cue in (state.get("cues") or {}).items():
        result = "좋아졌다고 함" if cue.get("resolved") else "여전히 불편하다고 함"
        parts.append(f"지난 통화 후속({cue.get('phrase', slot)}): {result}.")
    for topic, answers in (state.get("answers") or {}).items():
        if topic in TOPIC_LABELS and answers:
            parts.append(f"{TOPIC_LABELS[topic]}: {answers[0][:60]}.")
    line = signals_line(signals)
    words = list(dict.fromkeys(w for k, v in signals.items() if v and _RANK[v] >= 2 for w in evidence.get(k, [])[:1]))
    parts.append(f"위험 신호: {line}" + (f" ('{', '.join(words)}')." if words else "."))
    return " ".join(parts)[:1000]


def _summary(call: Call, signals: dict[str, str | None], evidence: dict[str, list[str]]) -> str:
    rule = _rule_summary(call, signals, evidence)
    client = llm_client()
    if client is None or call.safety:
        return rule
    transcript = list(call.turns.order_by("seq").values_list("role", "text"))
    written = client.summarise(transcript)
    if not written:
        return rule
    call.llm_used = True
    # The facts a case manager acts on stay rule-based even when a model writes the prose.
    return f"{written}\n위험 신호: {signals_line(signals)}"[:1500]


def _finish(call: Call, *, actor: User, outcome: str, reschedule: str = "") -> None:
    now = timezone.now()
    if outcome == "no_response":
        # Picked up but never spoke: not a check-in. Counted as an unanswered try.
        call.ended_at = None
        _after_unanswered_try(call, actor=actor)
        return
    signals, evidence = _call_signals(call)
    call.signals = {k: v for k, v in signals.items() if v}
    call.evidence = evidence
    call.needs_followup = any(_RANK[v] >= 2 for v in signals.values())
    call.status = CallStatus.RESCHEDULED if outcome == "rescheduled" else CallStatus.COMPLETED
    call.ended_at = call.reported_at = now
    call.summary = ("다시 전화해 달라고 하심. " if outcome == "rescheduled" else "") + _summary(call, signals, evidence)
    enrolment = Enrolment.objects.select_for_update(of=("self",)).select_related("case").get(pk=call.enrolment_id)
    if outcome == "rescheduled":
        if reschedule == "tomorrow":
            due = _tomorrow_in_window(enrolment, now)
        else:
            due = now + dt.timedelta(hours=2)
        call.rescheduled_to = Call.objects.create(
            enrolment=enrolment, campaign=call.campaign, dong_id=call.dong_id, kind=call.kind, status=CallStatus.DUE,
            due_at=due, next_attempt_at=due)
    call.save()
    enrolment.missed_in_row = 0
    enrolment.save(update_fields=["missed_in_row", "updated_at"])
    memory_update_from_call(call=call, signals=signals, evidence=evidence)
    events.checkin_call(call=call, actor=actor)
    _alert_for_call(call, actor=actor, case=enrolment.case, signals=signals, evidence=evidence)


def _alert_for_call(call: Call, *, actor: User, case, signals: dict[str, str | None],
                    evidence: dict[str, list[str]]) -> None:
    """One call is one incident: at most one alert, of its worst signal, listing every signal that needs a
    person. A fall that also hurts and spoils the appetite was three alerts for one event; the case
    manager now sees one, with all of it. A safety alert raised during the call is that alert: its
    excerpt gets the list at the end."""
    worrying = {k: v for k, v in signals.items() if _RANK[v] >= 2}
    if not worrying and not call.safety:
        return
    listed = f"위험 신호: {signals_line(worrying or {k: v for k, v in signals.items() if v})}"
    words = [w for k in worrying for w in evidence.get(k, [])]
    excerpt = f"{listed}\n{_excerpt_for(call, words) or _excerpt(call)}"
    existing = call.alerts.exclude(kind=AlertKind.MISSED_CALLS).order_by("pk").first()
    if existing is not None:
        existing.excerpt = f"{listed}\n{existing.excerpt}"[:1000]
        existing.save(update_fields=["excerpt"])
        return
    kind, severity = max(worrying.items(), key=lambda item: (_RANK[item[1]], _SIGNAL_PRIORITY.get(item[0], 0)))
    alert_raise(actor=actor, case=case, kind=kind, severity=severity, excerpt=excerpt, call=call)


# Which kind names the alert when two signals are equally severe: the one a person must act on first.
_SIGNAL_PRIORITY = {"emergency": 6, "self_harm": 5, "health": 4, "meals": 3, "daily_living": 2, "mood": 1}


def _tomorrow_in_window(enrolment: Enrolment, now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    day = local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, enrolment.window_start, tzinfo=local.tzinfo)


def _excerpt_for(call: Call, words: list[str]) -> str:
    """The client's turns that hold the evidence, each with the caller's question before it."""
    turns = list(call.turns.order_by("seq"))
    picked: list[str] = []
    for i, turn in enumerate(turns):
        if turn.role == TurnRole.CLIENT and any(w and w in turn.text for w in words):
            if i and turns[i - 1].role == TurnRole.CALLER:
                picked.append(f"상담원: {turns[i - 1].text}")
            picked.append(f"어르신: {turn.text}")
    return "\n".join(picked[-6:])


@transaction.atomic
def callback_record(*, actor: User, task: CallbackTask, reached: bool, note: str) -> CallbackTask:
    """A person of the dong team called the client back. Reaching them counts as a response."""
    from dolbom.checkins.selectors import callback_visible

    require_writer(actor)
    task = lock_in_scope(callback_visible(actor).select_related("call__enrolment__case"), task.pk,
                    CheckinErrorCode.CALL_NOT_FOUND, actor=actor, record_type="checkin_callback",
                    resident="call__enrolment__resident_id")
    if task.status != CallbackStatus.OPEN:
        raise DomainError(CheckinErrorCode.CALLBACK_DONE)
    if len(note.strip()) < 2:
        raise DomainError(CheckinErrorCode.NOTE_REQUIRED)
    task.status = CallbackStatus.REACHED if reached else CallbackStatus.NOT_REACHED
    task.done_at, task.done_by, task.note = timezone.now(), actor, note.strip()
    task.save(update_fields=["status", "done_at", "done_by", "note"])
    call = task.call
    if reached:
        Enrolment.objects.filter(pk=call.enrolment_id).update(missed_in_row=0)
    call.summary = f"{call.summary} 확인 전화: {'통화됨' if reached else '연결 안 됨'} — {task.note}"[:1000]
    call.save(update_fields=["summary"])
    events.checkin_call(call=call, actor=actor)
    return task


ABANDONED_AFTER = dt.timedelta(minutes=30)
UNDIALLED_AFTER = dt.timedelta(hours=1)


def _each_locked(status: CallStatus, stale: dict, step: Callable[[Call, User], None]) -> int:
    """Runs ``step`` on each call still in ``status``, one transaction and one row lock per call, so
    that a runner started twice, or a gateway finishing the call meanwhile, never handles it twice."""
    actor = caller_user()
    done = 0
    for pk in list(Call.objects.filter(status=status, **stale).values_list("pk", flat=True)):
        with transaction.atomic():
            call = (Call.objects.select_for_update(of=("self",)).select_related("enrolment__case", "campaign")
                    .filter(pk=pk, status=status).first())
            if call is not None:
                step(call, actor)
                done += 1
    return done


def _hang_up(call: Call, actor: User) -> None:
    answered = call.turns.filter(role=TurnRole.CLIENT).exclude(text="").exists()
    _finish(call, actor=actor, outcome="safety" if call.safety else ("completed" if answered else "no_response"))


def _undialled(call: Call, actor: User) -> None:
    call.attempts += 1
    _after_unanswered_try(call, actor=actor)


def calls_finish_abandoned(*, now: dt.datetime | None = None) -> int:
    """Calls a gateway started and never ended (a dropped line): their results are written anyway."""
    now = now or timezone.now()
    return _each_locked(CallStatus.IN_PROGRESS, {"started_at__lte": now - ABANDONED_AFTER}, _hang_up)


def calls_count_undialled(*, now: dt.datetime | None = None) -> int:
    """A due try that no channel made within an hour counts as unanswered: if the gateway is down the
    dong still learns, through the call-back task, that nobody reached the client."""
    now = now or timezone.now()
    return _each_locked(CallStatus.DUE, {"next_attempt_at__lte": now - UNDIALLED_AFTER}, _undialled)
