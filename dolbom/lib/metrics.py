"""Indicators as code: each domain app declares what can be counted about its work, in one registry.

An app lists its indicators in ``<app>/metrics.py`` and registers them from its ``AppConfig.ready()``
(``metric_register(Indicator(...))``); the reports app reads the registry and computes, stores,
suppresses and draws them, so a new app adds its own indicators without touching reports
(docs/ARCHITECTURE.md, "Indicators").

The contract of ``compute``: given a half-open month range ``[start, end)`` (both the first day of a
month), return rows, one per month × dong (× the other dimensions the indicator declares), each a mapping
with keys ``month`` (date, first of the month), ``dong_id`` (int, or None for a figure that has no dong),
one key per extra dimension (``age_band``, ``sex``, ``target_group``), ``numerator`` (int or float) and,
for a rate, ``denominator``. Rows with nothing to count may be left out (they are zero). A count is
never of one identified person: reports applies small-cell suppression to every figure it shows.
``compute`` must be set-based (one or a few aggregate queries, or Polars/DuckDB), never a loop over
people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DIMENSIONS = ("dong", "month", "age_band", "sex", "target_group")
AGE_BANDS = ("0-64", "65-74", "75-84", "85+")

Rows = Iterable[Mapping[str, Any]]


@dataclass(frozen=True)
class Indicator:
    key: str  # "<app>.<name>", unique, e.g. "cases.follow_ups_overdue"
    label: Any  # Korean label (a lazy translation is fine)
    unit: str  # "명", "건", "%", "일", "분"
    definition: Any  # plain Korean: what is counted, when, from which records
    compute: Callable[[dt.date, dt.date], Rows]
    numerator: Any = ""  # what the numerator counts
    denominator: Any = ""  # what the denominator counts; "" for a plain count
    dimensions: tuple[str, ...] = ("dong", "month")
    higher_is_better: bool | None = None  # for colouring trends; None where neither is better
    stock: bool = False  # True: a level at the month's end (open cases), False: a flow within the month
    tags: tuple[str, ...] = field(default_factory=tuple)  # e.g. ("annual_plan",) for the plan report

    @property
    def is_rate(self) -> bool:
        return bool(self.denominator)


_INDICATORS: dict[str, Indicator] = {}


def metric_register(indicator: Indicator) -> None:
    unknown = set(indicator.dimensions) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"indicator {indicator.key!r} has unknown dimensions {sorted(unknown)}")
    known = _INDICATORS.get(indicator.key)
    if known is not None and known.compute is not indicator.compute:
        raise ValueError(f"indicator {indicator.key!r} is already registered")
    _INDICATORS[indicator.key] = indicator


def indicators() -> list[Indicator]:
    return sorted(_INDICATORS.values(), key=lambda i: i.key)


def indicator_get(key: str) -> Indicator:
    return _INDICATORS[key]


def month_floor(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_add(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def age_band(age: int) -> str:
    if age < 65:
        return "0-64"
    if age < 75:
        return "65-74"
    if age < 85:
        return "75-84"
    return "85+"
