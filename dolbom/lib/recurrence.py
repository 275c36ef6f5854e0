"""Recurrence rules as a small RFC 5545 subset (no third-party dependency), for councils and programmes.

``FREQ=WEEKLY;INTERVAL=2;BYDAY=MO`` (every other Monday), ``FREQ=MONTHLY;BYDAY=2TU`` (second Tuesday),
``FREQ=MONTHLY;BYDAY=-1FR`` (last Friday), ``FREQ=MONTHLY;INTERVAL=3;BYDAY=3WE`` (quarterly),
``FREQ=MONTHLY;BYMONTHDAY=15``; several days in one rule, ``FREQ=MONTHLY;BYDAY=2SA,4SA`` (second and fourth
Saturday), and a season, ``BYMONTH=5,6,7,8,9,10,11`` (May to November). Occurrences are counted from the
first session date, so "every other week" and "every third month" stay in step with the first sitting.

Moved here from the meetings app so that programmes schedule their sessions by the same rules without
importing meetings (docs/ARCHITECTURE.md, layers): no model, no app, only Django's translations in
``describe``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")


class RuleError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    freq: str
    interval: int = 1
    # (nth, weekday) pairs: nth 1..5 or -1..-5 for monthly rules, None for weekly ones.
    days: tuple[tuple[int | None, int], ...] = ()
    monthday: int | None = None
    months: frozenset[int] = frozenset()  # empty: every month

    @property
    def weekday(self) -> int | None:
        return self.days[0][1] if self.days else None

    @property
    def nth(self) -> int | None:
        return self.days[0][0] if self.days else None


def _int(value: str, text: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise RuleError(text) from exc


def parse(text: str) -> Rule:
    parts: dict[str, str] = {}
    for chunk in text.strip().upper().split(";"):
        if "=" not in chunk:
            raise RuleError(text)
        key, value = chunk.split("=", 1)
        parts[key.strip()] = value.strip()
    freq = parts.pop("FREQ", "")
    if freq not in ("WEEKLY", "MONTHLY"):
        raise RuleError(text)
    interval = _int(parts.pop("INTERVAL", "1"), text)
    if not 1 <= interval <= 12:
        raise RuleError(text)
    days: list[tuple[int | None, int]] = []
    monthday = None
    if "BYDAY" in parts:
        for item in parts.pop("BYDAY").split(","):
            m = _BYDAY.match(item.strip())
            if not m:
                raise RuleError(text)
            days.append((int(m.group(1)) if m.group(1) else None, WEEKDAYS[m.group(2)]))
    if "BYMONTHDAY" in parts:
        monthday = _int(parts.pop("BYMONTHDAY"), text)
        if not 1 <= monthday <= 31:
            raise RuleError(text)
    months: set[int] = set()
    if "BYMONTH" in parts:
        months = {_int(v, text) for v in parts.pop("BYMONTH").split(",")}
        if not months or not all(1 <= m <= 12 for m in months):
            raise RuleError(text)
    if parts:
        raise RuleError(text)
    if freq == "WEEKLY" and (not days or any(nth is not None for nth, _ in days) or monthday is not None):
        raise RuleError(text)
    if freq == "MONTHLY" and bool(days) == (monthday is not None):
        raise RuleError(text)
    if freq == "MONTHLY" and any(nth is None for nth, _ in days):
        raise RuleError(text)
    if len(set(days)) != len(days):
        raise RuleError(text)
    return Rule(freq=freq, interval=interval, days=tuple(days), monthday=monthday, months=frozenset(months))


def _in_month(rule: Rule, year: int, month: int) -> list[dt.date]:
    days = calendar.monthrange(year, month)[1]
    if rule.monthday is not None:
        # A session set for the 31st falls on the month's last day in shorter months.
        return [dt.date(year, month, min(rule.monthday, days))]
    found = []
    for nth, weekday in rule.days:
        assert nth is not None
        hits = [d for d in range(1, days + 1) if dt.date(year, month, d).weekday() == weekday]
        if abs(nth) <= len(hits):
            found.append(dt.date(year, month, hits[nth - 1 if nth > 0 else nth]))
    return sorted(set(found))


def occurrences(rule: Rule, start: dt.date) -> Iterator[dt.date]:
    """Every session date on or after ``start`` (the first sitting), in order, without end."""
    if rule.freq == "WEEKLY":
        # Weeks are counted from the week of the first sitting, so "every other Monday" from a Tuesday start
        # falls on the Monday six days later, and then every two weeks.
        first = min(start + dt.timedelta(days=(w - start.weekday()) % 7) for _, w in rule.days)
        week = first - dt.timedelta(days=first.weekday())
        while True:
            for weekday in sorted(w for _, w in rule.days):
                day = week + dt.timedelta(days=weekday)
                if day >= start and (not rule.months or day.month in rule.months):
                    yield day
            week += dt.timedelta(weeks=rule.interval)
    year, month = start.year, start.month
    while True:
        if not rule.months or month in rule.months:
            for day in _in_month(rule, year, month):
                if day >= start:
                    yield day
        month += rule.interval
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1


def upcoming(text: str, start: dt.date, *, after: dt.date, count: int) -> list[dt.date]:
    """The next ``count`` session dates on or after ``after``."""
    out: list[dt.date] = []
    for day in occurrences(parse(text), start):
        if day >= after:
            out.append(day)
            if len(out) >= count:
                break
    return out


def between(text: str, start: dt.date, *, until: dt.date, limit: int = 400) -> list[dt.date]:
    """Every session date from ``start`` to ``until`` inclusive (a season), at most ``limit``."""
    out: list[dt.date] = []
    for day in occurrences(parse(text), start):
        if day > until or len(out) >= limit:
            break
        out.append(day)
    return out


def _months_text(months: frozenset[int]) -> str:
    ordered = sorted(months)
    runs: list[list[int]] = []
    for m in ordered:
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(str(m) for m in r) for r in runs)


def describe(text: str) -> str:
    """The rule in the reader's language (e.g. 매월 둘째 화요일, 2주마다 월요일, 매월 둘째·넷째 토요일)."""
    from django.utils.dates import WEEKDAYS as WEEKDAY_NAMES
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    try:
        rule = parse(text)
    except RuleError:
        return text
    ordinals = {1: pgettext("ordinal", "first"), 2: pgettext("ordinal", "second"), 3: pgettext("ordinal", "third"),
                4: pgettext("ordinal", "fourth"), 5: pgettext("ordinal", "fifth"), -1: pgettext("ordinal", "last")}
    weekdays = sorted({w for _, w in rule.days})
    weekday = "·".join(str(WEEKDAY_NAMES[w]) for w in weekdays)
    if rule.freq == "WEEKLY":
        if rule.interval == 1:
            out = _("Every %(weekday)s") % {"weekday": weekday}
        else:
            out = _("Every %(n)s weeks on %(weekday)s") % {"n": rule.interval, "weekday": weekday}
    elif rule.monthday is not None:
        if rule.interval == 1:
            out = _("Monthly on day %(day)s") % {"day": rule.monthday}
        else:
            out = _("Every %(n)s months on day %(day)s") % {"n": rule.interval, "day": rule.monthday}
    else:
        # One weekday on several weeks reads as one phrase (매월 둘째·넷째 토요일); mixed weekdays as a list.
        groups = [weekdays] if len(weekdays) == 1 else [[w] for w in weekdays]
        phrases = []
        for group in groups:
            nth = "·".join(ordinals.get(n or 0, str(n)) for n, w in sorted(rule.days, key=lambda d: (d[0] or 0) % 6)
                           if w in group)
            name = "·".join(str(WEEKDAY_NAMES[w]) for w in group)
            if rule.interval == 1:
                phrases.append(_("Monthly on the %(nth)s %(weekday)s") % {"nth": nth, "weekday": name})
            else:
                phrases.append(_("Every %(n)s months on the %(nth)s %(weekday)s")
                               % {"n": rule.interval, "nth": nth, "weekday": name})
        out = ", ".join(phrases)
    if rule.months:
        out = _("%(rule)s, in %(months)s") % {"rule": out, "months": _months_text(rule.months)}
    return out
