"""Pieces the safety services share: the system's own actor, role gates, the clock of one home."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.cases.models import Case, CaseStatus
from dolbom.lib.errors import DomainError, Forbidden
from dolbom.safety import clock as clock_math
from dolbom.safety.errors import SafetyErrorCode
from dolbom.safety.models import Absence, Clock, Home

SYSTEM_USERNAME = "safety-system"
NOTE_MAX = 500


def system_user() -> User:
    """The actor of what the service does on its own (an alarm opened, a deadline fired, an escalation):
    no staff profile and no usable password, so it can be named on a timeline but never log in."""
    user, created = User.objects.get_or_create(username=SYSTEM_USERNAME,
                                               defaults={"first_name": "응급안전 시스템", "is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden(SafetyErrorCode.NOT_ALLOWED)


def clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(SafetyErrorCode.NOTE_TOO_LONG)
    return note


def open_case(resident_id: int) -> Case | None:
    """The resident's open case, where their incidents land on the timeline."""
    return (Case.objects.filter(resident_id=resident_id).exclude(status=CaseStatus.CLOSED)
            .select_related("manager", "resident").order_by("-opened_at").first())


def rules_of(home: Home) -> clock_math.Rules:
    return clock_math.Rules(caution_minutes=home.caution_minutes, warning_minutes=home.warning_minutes,
                            danger_minutes=home.danger_minutes, quiet_start=home.quiet_start,
                            quiet_end=home.quiet_end)


def absence_spans(home_id: int, *, after: dt.datetime) -> list[clock_math.Span]:
    """The home's registered absences that end after ``after`` (cancelled and ended-early ones aside)."""
    rows = Absence.objects.filter(home_id=home_id, cancelled_at__isnull=True, ends_at__gt=after)
    return clock_math.spans((a.starts_at, a.ended_early_at or a.ends_at) for a in rows)


def clock_restart(home: Home, at: dt.datetime, *, activity: bool = False) -> Clock:
    """Count again from ``at``: a sign of life (activity, a person confirming they are well) or the start
    of the service. Never moves the clock backwards."""
    now = timezone.now()
    clock = Clock.objects.select_for_update().filter(home=home).first()
    if clock is None:
        clock = Clock(home=home, base_at=at, updated_at=now)
    if activity and (clock.last_activity_at is None or at > clock.last_activity_at):
        clock.last_activity_at = at
    if clock.pk is None or at >= clock.base_at:
        clock.base_at = at
        nxt = clock_math.next_deadline(at, "", rules_of(home), absence_spans(home.pk, after=at))
        clock.next_level, clock.due_at = nxt.level, nxt.due_at
    clock.updated_at = now
    clock.save()
    return clock


def clock_recompute(home: Home) -> Clock | None:
    """The deadline again from the same base (an absence or the home's levels changed)."""
    clock = Clock.objects.select_for_update().filter(home=home).first()
    if clock is None:
        return None
    reached = ""
    if clock.next_level:
        index = clock_math.LEVELS.index(clock.next_level)
        reached = clock_math.LEVELS[index - 1] if index else ""
    elif clock.due_at is None:
        reached = "danger"
    nxt = clock_math.next_deadline(clock.base_at, reached, rules_of(home), absence_spans(home.pk, after=clock.base_at))
    clock.next_level, clock.due_at, clock.updated_at = nxt.level, nxt.due_at, timezone.now()
    clock.save(update_fields=["next_level", "due_at", "updated_at"])
    return clock
