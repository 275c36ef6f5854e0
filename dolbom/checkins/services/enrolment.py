"""Enrolling a client in check-in calls, pausing, resuming, stopping, and the schedule of due calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.accounts.scope import lock_in_scope
from dolbom.cases.models import Case
from dolbom.checkins import events
from dolbom.checkins.errors import CheckinErrorCode
from dolbom.checkins.models import Call, CallKind, CallStatus, Enrolment, EnrolmentStatus, Frequency, Topic
from dolbom.checkins.services.common import require_writer
from dolbom.lib.errors import DomainError, NotFound


@dataclass(frozen=True)
class Schedule:
    frequency: Frequency | str
    weekday: int
    window_start: dt.time
    window_end: dt.time
    second_weekday: int | None = None


@dataclass(frozen=True)
class Preferences:
    preferred_name: str
    honorific: str = "어르신"
    topics: list[str] = field(default_factory=list)
    opted_out: list[str] = field(default_factory=list)
    note: str = ""


def _check_schedule(schedule: Schedule) -> None:
    if schedule.frequency not in Frequency.values or not 0 <= schedule.weekday <= 6:
        raise DomainError(CheckinErrorCode.SCHEDULE_INVALID)
    if schedule.second_weekday is not None and not 0 <= schedule.second_weekday <= 6:
        raise DomainError(CheckinErrorCode.SCHEDULE_INVALID)
    if schedule.window_end <= schedule.window_start:
        raise DomainError(CheckinErrorCode.SCHEDULE_INVALID)


def _check_topics(topics: list[str]) -> None:
    for topic in topics:
        if topic not in Topic.values:
            raise DomainError(CheckinErrorCode.TOPIC_INVALID, topic=topic)


def call_days(enrolment: Enrolment) -> set[int]:
    days = {enrolment.weekday}
    if enrolment.frequency == Frequency.TWICE_WEEKLY:
        days.add(enrolment.second_weekday if enrolment.second_weekday is not None else (enrolment.weekday + 3) % 7)
    return days


def next_due(enrolment: Enrolment, *, after: dt.datetime, previous: dt.datetime | None = None) -> dt.datetime:
    """The first call time strictly after ``after``: the window's start on a call day, in Korean time.
    Twice a month means every other week, so a slot within 13 days of the previous one is skipped."""
    tz = timezone.get_current_timezone()
    days = call_days(enrolment)
    min_gap = dt.timedelta(days=13) if enrolment.frequency == Frequency.TWICE_MONTHLY else dt.timedelta(0)
    start = timezone.localtime(after, tz).date()
    for offset in range(0, 40):
        day = start + dt.timedelta(days=offset)
        if day.weekday() not in days:
            continue
        candidate = dt.datetime.combine(day, enrolment.window_start, tzinfo=tz)
        if candidate > after and (previous is None or candidate - previous >= min_gap):
            return candidate
    raise AssertionError("no call day within 40 days")  # unreachable: days is never empty


def _visible_case(actor: User, case_id: int) -> Case:
    from dolbom.cases.selectors import case_visible

    case = case_visible(actor).select_related("resident").filter(pk=case_id).first()
    if case is None:
        raise NotFound(CheckinErrorCode.ENROLMENT_NOT_FOUND)
    return case


@transaction.atomic
def enrolment_create(*, actor: User, case: Case, schedule: Schedule, preferences: Preferences) -> Enrolment:
    require_writer(actor)
    case = _visible_case(actor, case.pk)
    if case.is_closed:
        raise DomainError(CheckinErrorCode.CASE_CLOSED)
    _check_schedule(schedule)
    _check_topics(list(preferences.topics) + list(preferences.opted_out))
    if not preferences.preferred_name.strip():
        raise DomainError(CheckinErrorCode.NAME_REQUIRED)
    if Enrolment.objects.filter(case=case).exclude(status=EnrolmentStatus.STOPPED).exists():
        raise DomainError(CheckinErrorCode.ALREADY_ENROLLED)
    topics = [t for t in (preferences.topics or Topic.values) if t not in preferences.opted_out]
    enrolment = Enrolment(
        case=case, resident=case.resident, status=EnrolmentStatus.ACTIVE, frequency=schedule.frequency,
        weekday=schedule.weekday, second_weekday=schedule.second_weekday, window_start=schedule.window_start,
        window_end=schedule.window_end, preferred_name=preferences.preferred_name.strip(),
        honorific=preferences.honorific.strip() or "어르신", topics=topics, opted_out=list(preferences.opted_out),
        note=preferences.note.strip(), enrolled_by=actor,
    )
    enrolment.next_due_at = next_due(enrolment, after=timezone.now())
    enrolment.save()
    events.checkin_enrolled(enrolment=enrolment, actor=actor)
    return enrolment


_TRANSITIONS = {
    EnrolmentStatus.PAUSED: ({EnrolmentStatus.ACTIVE}, "안부전화 일시 중지"),
    EnrolmentStatus.ACTIVE: ({EnrolmentStatus.PAUSED}, "안부전화 재개"),
    EnrolmentStatus.STOPPED: ({EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED}, "안부전화 종료"),
}


@transaction.atomic
def enrolment_set_status(*, actor: User, enrolment: Enrolment, status: EnrolmentStatus | str,
                         note: str = "") -> Enrolment:
    """Pause, resume or stop. Calls not yet made are cancelled on pause and stop, so a paused client
    is not rung by a retry queued earlier."""
    from dolbom.checkins.selectors import enrolment_visible

    require_writer(actor)
    enrolment = lock_in_scope(enrolment_visible(actor), enrolment.pk, CheckinErrorCode.ENROLMENT_NOT_FOUND,
                              actor=actor, record_type="checkin_enrolment", resident="resident_id")
    status = EnrolmentStatus(status)
    allowed_from, summary = _TRANSITIONS[status]
    if enrolment.status == EnrolmentStatus.STOPPED:
        raise DomainError(CheckinErrorCode.ENROLMENT_STOPPED)
    if enrolment.status not in allowed_from:
        raise DomainError(CheckinErrorCode.STATUS_UNCHANGED, status=EnrolmentStatus(enrolment.status).label)
    old = {"enrolment_status": enrolment.status}
    enrolment.status = status
    now = timezone.now()
    if status == EnrolmentStatus.ACTIVE:
        enrolment.next_due_at = next_due(enrolment, after=now)
        enrolment.missed_in_row = 0
    else:
        enrolment.next_due_at = None
        enrolment.calls.filter(status=CallStatus.DUE).update(status=CallStatus.CANCELLED, ended_at=now)
    enrolment.save(update_fields=["status", "next_due_at", "missed_in_row", "updated_at"])
    events.checkin_changed(enrolment=enrolment, actor=actor, old=old, summary=summary, note=note.strip())
    return enrolment


def calls_schedule(*, now: dt.datetime | None = None) -> int:
    """Turn every enrolment whose next call time has come into a due call; returns how many."""
    now = now or timezone.now()
    made = 0
    ids = list(Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE, next_due_at__lte=now).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            # Locked one at a time: two runners started together must not ring a client twice.
            enrolment = (Enrolment.objects.select_for_update(of=("self",)).select_related("case")
                         .filter(pk=pk, status=EnrolmentStatus.ACTIVE, next_due_at__lte=now).first())
            if enrolment is None:
                continue
            due = enrolment.next_due_at
            Call.objects.create(enrolment=enrolment, dong_id=enrolment.case.dong_id, kind=CallKind.ROUTINE,
                                status=CallStatus.DUE, due_at=due, next_attempt_at=due)
            following = next_due(enrolment, after=due, previous=due)
            # A runner that was down for days makes one call, not one per missed slot.
            while following <= now:
                following = next_due(enrolment, after=following, previous=following)
            enrolment.next_due_at = following
            enrolment.save(update_fields=["next_due_at", "updated_at"])
            made += 1
    return made
