"""The recurrence rules councils use, as a small RFC 5545 subset (no third-party dependency).

``FREQ=WEEKLY;INTERVAL=2;BYDAY=MO`` (every other Monday), ``FREQ=MONTHLY;BYDAY=2TU`` (second Tuesday),
``FREQ=MONTHLY;BYDAY=-1FR`` (last Friday), ``FREQ=MONTHLY;INTERVAL=3;BYDAY=3WE`` (quarterly),
``FREQ=MONTHLY;BYMONTHDAY=15``. Occurrences are counted from the council's first session date, so
"every other week" and "every third month" stay in step with the first sitting.
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
    weekday: int | None = None
    nth: int | None = None  # for monthly BYDAY: 1..5 or -1..-5
    monthday: int | None = None


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
    try:
        interval = int(parts.pop("INTERVAL", "1"))
    except ValueError as exc:
        raise RuleError(text) from exc
    if not 1 <= interval <= 12:
        raise RuleError(text)
    weekday = nth = monthday = None
    if "BYDAY" in parts:
        m = _BYDAY.match(parts.pop("BYDAY"))
        if not m:
            raise RuleError(text)
        weekday = WEEKDAYS[m.group(2)]
        nth = int(m.group(1)) if m.group(1) else None
    if "BYMONTHDAY" in parts:
        try:
            monthday = int(parts.pop("BYMONTHDAY"))
        except ValueError as exc:
            raise RuleError(text) from exc
        if not 1 <= monthday <= 31:
            raise RuleError(text)
    if parts:
        raise RuleError(text)
    if freq == "WEEKLY" and (weekday is None or nth is not None or monthday is not None):
        raise RuleError(text)
    if freq == "MONTHLY" and (weekday is None) == (monthday is None):
        raise RuleError(text)
    if freq == "MONTHLY" and weekday is not None and nth is None:
        raise RuleError(text)
    return Rule(freq=freq, interval=interval, weekday=weekday, nth=nth, monthday=monthday)


def _in_month(rule: Rule, year: int, month: int) -> dt.date | None:
    days = calendar.monthrange(year, month)[1]
    if rule.monthday is not None:
        # A session set for the 31st falls on the month's last day in shorter months.
        return dt.date(year, month, min(rule.monthday, days))
    assert rule.weekday is not None and rule.nth is not None
    hits = [d for d in range(1, days + 1) if dt.date(year, month, d).weekday() == rule.weekday]
    if abs(rule.nth) > len(hits):
        return None
    return dt.date(year, month, hits[rule.nth - 1 if rule.nth > 0 else rule.nth])


def occurrences(rule: Rule, start: dt.date) -> Iterator[dt.date]:
    """Every session date on or after ``start`` (the first sitting), in order, without end."""
    if rule.freq == "WEEKLY":
        assert rule.weekday is not None
        day = start + dt.timedelta(days=(rule.weekday - start.weekday()) % 7)
        while True:
            yield day
            day += dt.timedelta(weeks=rule.interval)
    year, month = start.year, start.month
    while True:
        day = _in_month(rule, year, month)
        if day is not None and day >= start:
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


def describe(text: str) -> str:
    """The rule in the reader's language (e.g. 매월 둘째 화요일, 2주마다 월요일)."""
    from django.utils.dates import WEEKDAYS as WEEKDAY_NAMES
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    try:
        rule = parse(text)
    except RuleError:
        return text
    ordinals = {1: pgettext("ordinal", "first"), 2: pgettext("ordinal", "second"), 3: pgettext("ordinal", "third"),
                4: pgettext("ordinal", "fourth"), 5: pgettext("ordinal", "fifth"), -1: pgettext("ordinal", "last")}
    weekday = str(WEEKDAY_NAMES[rule.weekday]) if rule.weekday is not None else ""
    if rule.freq == "WEEKLY":
        if rule.interval == 1:
            return _("Every %(weekday)s") % {"weekday": weekday}
        return _("Every %(n)s weeks on %(weekday)s") % {"n": rule.interval, "weekday": weekday}
    if rule.monthday is not None:
        if rule.interval == 1:
            return _("Monthly on day %(day)s") % {"day": rule.monthday}
        return _("Every %(n)s months on day %(day)s") % {"n": rule.interval, "day": rule.monthday}
    nth = ordinals.get(rule.nth or 0, str(rule.nth))
    if rule.interval == 1:
        return _("Monthly on the %(nth)s %(weekday)s") % {"nth": nth, "weekday": weekday}
    return _("Every %(n)s months on the %(nth)s %(weekday)s") % {"n": rule.interval, "nth": nth, "weekday": weekday}
