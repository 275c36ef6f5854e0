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

Figures add up. Reports derives the city's figure by summing the dongs' rows, a cut (by age band, say) by
summing the other dimensions, and a quarter's or a year's flow by summing its months (a stock takes its
last month), so a numerator and a denominator are sums: counts, amounts, or for a mean (days in a step)
the total of the values and the number of them. Each person has one value of each dimension, so that a
cut adds up to the total: ``target_group`` is the person's primary group (``primary_target_group``).
A row's ``dong_id`` may be any dong, of any date: reports carries a dong that had ended by the month's end
to its successor (2025-03-10: 금암1동 and 금암2동 into 금암동); counting by the dong the record had at the
time (a case's dong at opening, a household's 2021 boundary area) keeps old months true.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DIMENSIONS = ("dong", "month", "age_band", "sex", "target_group")
AGE_BANDS = ("0-64", "65-74", "75-84", "85+")
SEXES = ("M", "F")
# Primary target groups, in the order that decides a person's one group (an older person with a severe
# disability counts as older, as the long-term-care system would serve them); "none": not a target.
TARGET_GROUPS = ("older", "severe_disability", "mental_illness", "other", "none")
DIMENSION_VALUES = {"age_band": AGE_BANDS, "sex": SEXES, "target_group": TARGET_GROUPS}
# How a figure is formed from its numerator and denominator; "" lets the unit decide (see Indicator.kind).
AGGREGATES = ("count", "share", "mean", "amount")

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
    # "count" (건, 명), "share" (numerator out of denominator, shown in %), "mean" (total ÷ number, in the
    # unit: 일, 시간), "amount" (money); "" = share for "%" with a denominator, mean for another unit with
    # one, count without.
    aggregate: str = ""
    # Small-cell suppression (reports). False only for a figure that counts no person (money, a budget).
    suppress: bool = True
    # Optional person-level list behind the figure, for roles allowed to export one:
    # people(*, viewer, context, month, dong_id) -> (header, rows), scoped and logged by the owning app.
    people: Callable[..., Any] | None = None

    @property
    def is_rate(self) -> bool:
        return bool(self.denominator)

    @property
    def kind(self) -> str:
        if self.aggregate:
            return self.aggregate
        if not self.denominator:
            return "count"
        return "share" if self.unit == "%" else "mean"

    @property
    def app(self) -> str:
        return self.key.split(".", 1)[0]


_INDICATORS: dict[str, Indicator] = {}


def metric_register(indicator: Indicator) -> None:
    unknown = set(indicator.dimensions) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"indicator {indicator.key!r} has unknown dimensions {sorted(unknown)}")
    if indicator.aggregate and indicator.aggregate not in AGGREGATES:
        raise ValueError(f"indicator {indicator.key!r}: aggregate must be one of {', '.join(AGGREGATES)}")
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


def primary_target_group(*, older: bool, severe_disability: bool, mental_illness: bool, other: bool) -> str:
    """A person's one target group for cuts (see TARGET_GROUPS for the order)."""
    if older:
        return "older"
    if severe_disability:
        return "severe_disability"
    if mental_illness:
        return "mental_illness"
    return "other" if other else "none"


# Set-based helpers for compute functions ---------------------------------------------------------
# Months are local (Asia/Seoul): an event at 23:30 on the 31st belongs to that month, not the next.

def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the months in ``[start, end)``."""
    out, month = [], month_floor(start)
    while month < end:
        out.append(month)
        month = month_add(month, 1)
    return out


def month_start(month: dt.date) -> dt.datetime:
    """The first instant of a local month, in UTC (the ORM's and Polars' frame for aware datetimes); the
    bounds of a flow over ``[start, end)`` are ``month_start(start)`` and ``month_start(end)``."""
    from django.utils import timezone

    return dt.datetime.combine(month_floor(month), dt.time(), timezone.get_current_timezone()).astimezone(dt.UTC)


def month_cutoff(month: dt.date, now: dt.datetime | None = None) -> dt.datetime:
    """The instant a stock is counted at for ``month``: the start of the next month, or now for the month
    still running (an open case counted "at the end of this month" is one open now)."""
    from django.utils import timezone

    return min(month_start(month_add(month, 1)), (now or timezone.now()).astimezone(dt.UTC))


def local_month(column: str) -> Any:
    """A Polars expression: an aware datetime column (UTC, as the ORM returns it) as its local month."""
    import polars as pl
    from django.conf import settings

    return pl.col(column).dt.convert_time_zone(settings.TIME_ZONE).dt.truncate("1mo").dt.date()


def age_band_expr(birth: Any, on: Any) -> Any:
    """A Polars expression: the AGE_BANDS value of a birth date on a date (both expressions)."""
    import polars as pl

    age = (on.dt.year() - birth.dt.year()) - (
        (on.dt.month() * 100 + on.dt.day()) < (birth.dt.month() * 100 + birth.dt.day())).cast(pl.Int32)
    return (pl.when(age < 65).then(pl.lit("0-64")).when(age < 75).then(pl.lit("65-74"))
            .when(age < 85).then(pl.lit("75-84")).otherwise(pl.lit("85+")))


def target_group_expr(older: str, severe_disability: str, mental_illness: str, other: str) -> Any:
    """A Polars expression of four boolean columns: primary_target_group, set-based."""
    import polars as pl

    return (pl.when(pl.col(older)).then(pl.lit("older"))
            .when(pl.col(severe_disability)).then(pl.lit("severe_disability"))
            .when(pl.col(mental_illness)).then(pl.lit("mental_illness"))
            .when(pl.col(other)).then(pl.lit("other")).otherwise(pl.lit("none")))


def frame(rows: Iterable[tuple], schema: dict[str, Any]) -> Any:
    """A Polars DataFrame from ``values_list`` tuples; aware datetimes typed ``pl.Datetime("us", "UTC")``."""
    import polars as pl

    return pl.DataFrame(list(rows), schema=schema, orient="row")


def alive_at_month_ends(df: Any, start: dt.date, end: dt.date, *, since: str, until: str | None = None,
                        now: dt.datetime | None = None) -> Any:
    """The rows of ``df`` that are "open" at each month's cutoff (``since`` before it, ``until`` empty or
    not before it), with the month as a column: stocks such as referrals waiting for an answer, counted
    for every month at once without a query per month."""
    import polars as pl

    cut = pl.DataFrame({"month": months_between(start, end),
                        "_cutoff": [month_cutoff(m, now) for m in months_between(start, end)]},
                       schema={"month": pl.Date, "_cutoff": pl.Datetime("us", "UTC")})
    joined = df.join(cut, how="cross").filter(pl.col(since) < pl.col("_cutoff"))
    if until is not None:
        joined = joined.filter(pl.col(until).is_null() | (pl.col(until) >= pl.col("_cutoff")))
    return joined.drop("_cutoff")


def count_rows(df: Any, by: list[str], **sums: Any) -> list[dict[str, Any]]:
    """Group ``df`` by the row contract's keys and count (``numerator``) or sum the given expressions."""
    import polars as pl

    aggregates = [expr.alias(name) for name, expr in sums.items()] or [pl.len().alias("numerator")]
    return df.group_by(by).agg(aggregates).to_dicts()


_SHARED_MEMOS: list[dict[Any, Any]] = []


def shared_reads_clear() -> None:
    """Forget every shared read (a benchmark timing a cold run; the stamps already cover changed data)."""
    for memo in _SHARED_MEMOS:
        memo.clear()


def shared_read(stamp: Callable[[], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Cache a heavy read several indicators share (the case timeline, the population groups) for as long as
    ``stamp()`` (cheap: the newest row's id and a count, say) and the arguments stay the same. A refresh
    calls a dozen compute functions in a row on the same data; each would otherwise read it again."""
    def decorate(read: Callable[..., Any]) -> Callable[..., Any]:
        memo: dict[Any, Any] = {}
        _SHARED_MEMOS.append(memo)

        def wrapper(*args: Any) -> Any:
            key = (stamp(), args)
            if key not in memo:
                memo.clear()
                memo[key] = read(*args)
            return memo[key]

        wrapper.__name__ = read.__name__
        wrapper.__doc__ = read.__doc__
        return wrapper

    return decorate
