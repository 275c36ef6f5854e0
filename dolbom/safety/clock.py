"""Inactivity deadlines, computed from the last sign of life: pure functions, no database.

A level is reached when the home has been without any sign of life for the level's minutes, counting only
*awake* time: the home's quiet hours (sleep, 23:00–06:00 say) and registered absences do not count. The
result is stored as a row (models.Clock) so that a restart finds it; nothing here keeps time in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")
LEVELS = ("caution", "warning", "danger")
# A loop bound, not a rule: no threshold is longer than three days of awake time.
_MAX_STEPS = 64


@dataclass(frozen=True)
class Rules:
    """A home's settings, as the clock needs them."""

    caution_minutes: int
    warning_minutes: int
    danger_minutes: int
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None

    def minutes(self, level: str) -> int:
        return {"caution": self.caution_minutes, "warning": self.warning_minutes,
                "danger": self.danger_minutes}[level]

    @property
    def has_quiet_hours(self) -> bool:
        return self.quiet_start is not None and self.quiet_end is not None and self.quiet_start != self.quiet_end


Span = tuple[dt.datetime, dt.datetime]


def _quiet_span_at(moment: dt.datetime, rules: Rules) -> Span | None:
    """The quiet window containing ``moment`` (local time), if any."""
    assert rules.quiet_start is not None and rules.quiet_end is not None
    local = moment.astimezone(KST)
    for day in (local.date() - dt.timedelta(days=1), local.date()):
        start = dt.datetime.combine(day, rules.quiet_start, tzinfo=KST)
        end_day = day if rules.quiet_end > rules.quiet_start else day + dt.timedelta(days=1)
        end = dt.datetime.combine(end_day, rules.quiet_end, tzinfo=KST)
        if start <= local < end:
            return start, end
    return None


def _next_quiet_start(moment: dt.datetime, rules: Rules) -> dt.datetime:
    assert rules.quiet_start is not None
    local = moment.astimezone(KST)
    start = dt.datetime.combine(local.date(), rules.quiet_start, tzinfo=KST)
    return start if start > local else start + dt.timedelta(days=1)


def _awake_deadline(start: dt.datetime, minutes: int, rules: Rules) -> dt.datetime:
    """``start`` plus ``minutes`` of time outside the quiet hours."""
    remaining = dt.timedelta(minutes=minutes)
    if not rules.has_quiet_hours:
        return start + remaining
    t = start
    for _ in range(_MAX_STEPS):
        quiet = _quiet_span_at(t, rules)
        if quiet is not None:
            t = quiet[1]
            continue
        nxt = _next_quiet_start(t, rules)
        if nxt - t >= remaining:
            return t + remaining
        remaining -= nxt - t
        t = nxt
    raise ValueError("quiet hours leave no awake time")


def deadline(base: dt.datetime, level: str, rules: Rules, absences: Sequence[Span] = ()) -> dt.datetime:
    """When ``level`` is reached if nothing happens after ``base``: absences restart the count at their end
    (someone away for a week is not "inactive" for a week the moment they return)."""
    start = base
    spans = sorted(absences)
    for _ in range(_MAX_STEPS):
        due = _awake_deadline(start, rules.minutes(level), rules)
        overlapping = [e for s, e in spans if s < due and e > start]
        if not overlapping:
            return due
        start = max(overlapping)
    raise ValueError("absences do not end")


@dataclass(frozen=True)
class Next:
    level: str  # "" once danger has been reached
    due_at: dt.datetime | None


def next_deadline(base: dt.datetime, reached: str, rules: Rules, absences: Sequence[Span] = ()) -> Next:
    """The deadline after ``reached`` ("" for none yet) counted from ``base``."""
    index = LEVELS.index(reached) + 1 if reached else 0
    if index >= len(LEVELS):
        return Next("", None)
    level = LEVELS[index]
    return Next(level, deadline(base, level, rules, absences))


def overdue_level(base: dt.datetime, now: dt.datetime, rules: Rules, absences: Sequence[Span] = ()) -> str:
    """The highest level reached by ``now`` ("" for none): a worker that was down for a day fires the
    danger level at once rather than walking through caution and warning."""
    reached = ""
    for level in LEVELS:
        if deadline(base, level, rules, absences) <= now:
            reached = level
    return reached


def awake_between(start: dt.datetime, end: dt.datetime, rules: Rules) -> dt.timedelta:
    """How much of [start, end) lies outside the quiet hours (for the home page: "inactive for 9 h")."""
    if end <= start:
        return dt.timedelta(0)
    if not rules.has_quiet_hours:
        return end - start
    total = dt.timedelta(0)
    t = start
    for _ in range(_MAX_STEPS * 4):
        if t >= end:
            break
        quiet = _quiet_span_at(t, rules)
        if quiet is not None:
            t = min(quiet[1], end)
            continue
        nxt = min(_next_quiet_start(t, rules), end)
        total += nxt - t
        t = nxt
    return total


def spans(rows: Iterable[tuple[dt.datetime, dt.datetime]]) -> list[Span]:
    return sorted((s, e) for s, e in rows if e > s)
