"""The periods reports publishes: calendar months, quarters and years, and nothing in between.

A free date range would let anyone difference two overlapping ranges (March = "January to March" minus
"January to February") around small-cell suppression; fixed periods nest (months in a quarter, quarters in
a year), and suppression holds along those lines (reports/suppression.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _

from dolbom.lib.errors import DomainError
from dolbom.lib.metrics import month_add
from dolbom.reports.errors import ReportErrorCode

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True, order=True)
class Period:
    kind: str  # "M", "Q", "Y"
    year: int
    index: int  # month 1-12, quarter 1-4, 0 for a year

    @cached_property
    def code(self) -> str:  # read a few thousand times per dashboard
        if self.kind == "M":
            return f"{self.year}-{self.index:02d}"
        if self.kind == "Q":
            return f"{self.year}-Q{self.index}"
        return f"{self.year}"

    @property
    def start(self) -> dt.date:
        if self.kind == "M":
            return dt.date(self.year, self.index, 1)
        if self.kind == "Q":
            return dt.date(self.year, 3 * self.index - 2, 1)
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return month_add(self.start, {"M": 1, "Q": 3, "Y": 12}[self.kind])

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def months(self) -> list[Period]:
        first = self.start
        return [month_of(month_add(first, i)) for i in range({"M": 1, "Q": 3, "Y": 12}[self.kind])]

    @property
    def label(self) -> str:
        if self.kind == "M":
            return _("%(year)d-%(month)02d") % {"year": self.year, "month": self.index}
        if self.kind == "Q":
            return _("%(year)d Q%(quarter)d") % {"year": self.year, "quarter": self.index}
        return _("Year %(year)d") % {"year": self.year}

    @property
    def short(self) -> str:
        return f"{self.year % 100:02d}.{self.index:02d}" if self.kind == "M" else self.code

    def previous(self) -> Period:
        if self.kind == "M":
            return month_of(month_add(self.start, -1))
        if self.kind == "Q":
            return quarter_of(month_add(self.start, -3))
        return Period("Y", self.year - 1, 0)

    def same_last_year(self) -> Period:
        return Period(self.kind, self.year - 1, self.index)


def month_of(day: dt.date) -> Period:
    return Period("M", day.year, day.month)


def quarter_of(day: dt.date) -> Period:
    return Period("Q", day.year, (day.month - 1) // 3 + 1)


def year_of(day: dt.date) -> Period:
    return Period("Y", day.year, 0)


def current_month() -> Period:
    return month_of(timezone.localdate())


def parse(code: str | None, *, default: Period | None = None) -> Period:
    """A period code (``2025-03``, ``2025-Q1``, ``2025``), or the stable refusal ``period_invalid``."""
    code = (code or "").strip()
    if not code and default is not None:
        return default
    for pattern, kind in ((_MONTH, "M"), (_QUARTER, "Q"), (_YEAR, "Y")):
        m = pattern.match(code)
        if m:
            year = int(m.group(1))
            index = int(m.group(2)) if kind != "Y" else 0
            if 2000 <= year <= 2100 and (kind != "M" or 1 <= index <= 12):
                return Period(kind, year, index)
    raise DomainError(ReportErrorCode.PERIOD_INVALID)


def months_back(last: Period, count: int) -> list[Period]:
    return [month_of(month_add(last.start, -i)) for i in range(count - 1, -1, -1)]
