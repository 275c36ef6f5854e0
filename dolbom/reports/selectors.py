"""Reads of the published figures, and who may read them.

Every page, API answer, export and the annual report reads ``Cell`` rows through here; a hidden cell
carries no numbers (reports/refresh.py), so what leaves this module can never be a suppressed count. The
figures count no identified person, so they are not personal data and a read is not logged; a download is
(개인정보의 안전성 확보조치 기준 §8 asks for the reason of downloads), and a list of the people behind a
figure is only ever the owning app's own export, scoped and logged there.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dolbom.accounts.models import Role
from dolbom.accounts.scope import can_see_personal_data, profile, role_of
from dolbom.areas.models import Dong
from dolbom.areas.selectors import dong_list_valid_on
from dolbom.audit.models import AccessAction
from dolbom.audit.services import access_log_write
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.lib.metrics import DIMENSION_VALUES, Indicator, indicator_get, indicators
from dolbom.reports.errors import ReportErrorCode
from dolbom.reports.models import Cell
from dolbom.reports.periods import Period, months_back

REPORT_ROLES = frozenset({Role.CITY_TEAM, Role.DONG_OFFICER, Role.CASE_MANAGER})
CUTS = ("age_band", "sex", "target_group")


# Who ------------------------------------------------------------------------------------------

def can_see_reports(user: Any) -> bool:
    """The city team, dong officers and case managers read the figures (of every dong: they are suppressed
    aggregates); partner workers, nurses, emergency workers and auditors do not need them."""
    return role_of(user) in REPORT_ROLES


def can_edit_plans(user: Any) -> bool:
    return role_of(user) == Role.CITY_TEAM


def can_sign_plans(user: Any) -> bool:
    """The team lead: a city-team member holding the sign-off permission (``dolbom reports grant-sign-off``)."""
    return can_edit_plans(user) and user.has_perm("reports.sign_annual_plan")


def require_reports(user: Any) -> None:
    if not can_see_reports(user):
        raise Forbidden(ReportErrorCode.NOT_ALLOWED)


def home_dong(user: Any) -> Dong | None:
    p = profile(user)
    return p.dong if p and p.dong_id else None


# What -----------------------------------------------------------------------------------------

def indicator_for(key: str) -> Indicator:
    try:
        return indicator_get(key)
    except KeyError:
        raise NotFound(ReportErrorCode.INDICATOR_UNKNOWN) from None


def catalogue() -> dict[str, list[Indicator]]:
    """Every registered indicator, by the app that registered it."""
    out: dict[str, list[Indicator]] = defaultdict(list)
    for ind in indicators():
        out[ind.app].append(ind)
    return dict(out)


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    period: str
    area: str
    dong_id: int | None
    hidden: bool
    numerator: float | None
    denominator: float | None
    dim: str = ""
    value_key: str = ""
    missing: bool = False  # no row at all: nothing was counted (a zero)

    @property
    def value(self) -> float | None:
        """The number a person reads: a count, a percentage, a mean; None when hidden or undefined."""
        if self.hidden:
            return None
        kind = self.indicator.kind
        num = self.numerator or 0.0
        if kind == "count" or (kind == "amount" and not self.indicator.is_rate):
            return num
        den = self.denominator or 0.0
        if den <= 0:
            return None
        return 100.0 * num / den if kind in ("share", "amount") else num / den

    @property
    def text(self) -> str:
        return format_value(self.indicator, self.value, hidden=self.hidden)


def format_value(indicator: Indicator, value: float | None, *, hidden: bool = False) -> str:
    if hidden:
        return _("hidden")
    if value is None:
        return "–"
    kind = indicator.kind
    if kind in ("share", "amount") and indicator.is_rate:
        return f"{value:.1f}%"
    if kind == "mean":
        return f"{value:,.1f}{indicator.unit}"
    return f"{value:,.0f}{indicator.unit}"


def _figure(ind: Indicator, c: Cell | None, period: str, area: str, dong_id: int | None, dim: str = "",
            value: str = "") -> Figure:
    if c is None:
        return Figure(ind, period, area, dong_id, False, 0.0, 0.0 if ind.is_rate else None, dim, value,
                      missing=True)
    return Figure(ind, c.period, c.area, c.dong_id, c.hidden, c.numerator, c.denominator, c.dim, c.value)


def _cells(**flt: Any) -> QuerySet:
    """Published cells as named tuples (not model instances: a dashboard reads about 1,500)."""
    return Cell.objects.filter(**flt).values_list("indicator", "period", "area", "dong_id", "dim", "value", "hidden",
                                                  "numerator", "denominator", named=True)


def dongs_of(period: Period) -> list[Dong]:
    """The dongs a period shows: those valid on its last day (35 before 2025-03-10, 34 after)."""
    return list(dong_list_valid_on(period.last_day).order_by("gu", "name"))


def dong_counts(periods: Iterable[Period]) -> dict[str, int]:
    """How many dongs each period shows, from one query."""
    dongs = list(Dong.objects.only("valid_from", "valid_to"))
    return {p.code: sum(d.is_valid_on(p.last_day) for d in dongs) for p in periods}


def dong_get(dong_id: int) -> Dong:
    dong = Dong.objects.filter(pk=dong_id).first()
    if dong is None:
        raise NotFound(ReportErrorCode.DONG_UNKNOWN)
    return dong


def city_average(ind: Indicator, city: Figure, dongs: int) -> float | None:
    """The comparison a dong is read against: the city's own rate or mean, or for a count the city's
    total shared by its dongs (what an average dong has)."""
    if city.value is None:
        return None
    if ind.kind in ("count",) or (ind.kind == "amount" and not ind.is_rate):
        return city.value / dongs if dongs else None
    return city.value


@dataclass
class Table:
    indicator: Indicator
    period: Period
    city: Figure
    none: Figure
    rows: list[tuple[Dong, Figure]]
    average: float | None
    cuts: dict[str, list[tuple[str, Figure]]] = field(default_factory=dict)


def figure_table(*, viewer: User, key: str, period: Period, dong_id: int | None = None) -> Table:
    """One indicator for one period: the city, each dong, what is not in a dong, and the cuts (of the
    city, or of ``dong_id``)."""
    require_reports(viewer)
    ind = indicator_for(key)
    cells = list(_cells(indicator=key, period=period.code, area__in=["city", "dong", "none"]))
    by = {(c.area, c.dong_id, c.dim, c.value): c for c in cells}
    dongs = dongs_of(period)
    city = _figure(ind, by.get(("city", None, "", "")), period.code, "city", None)
    rows = [(d, _figure(ind, by.get(("dong", d.pk, "", "")), period.code, "dong", d.pk)) for d in dongs]
    table = Table(ind, period, city, _figure(ind, by.get(("none", None, "", "")), period.code, "none", None), rows,
                  city_average(ind, city, len(dongs)) if "dong" in ind.dimensions else None)
    area, cut_dong = ("dong", dong_id) if dong_id else ("city", None)
    for dim in CUTS:
        if dim in ind.dimensions:
            table.cuts[dim] = [(v, _figure(ind, by.get((area, cut_dong, dim, v)), period.code, area, cut_dong, dim, v))
                               for v in DIMENSION_VALUES[dim]]
    return table


def series(*, viewer: User, key: str, last: Period, months: int = 24, dong_id: int | None = None) -> list[Figure]:
    """Monthly figures of the city or of a dong, oldest first; a dong's months before it existed are its
    comparable series (금암동 before 2025-03-10: 금암1동 plus 금암2동)."""
    require_reports(viewer)
    ind = indicator_for(key)
    periods = months_back(last, months)
    codes = [p.code for p in periods]
    if dong_id is None:
        found = {c.period: c for c in _cells(indicator=key, period__in=codes, area="city", dim="")}
        return [_figure(ind, found.get(p.code), p.code, "city", None) for p in periods]
    found = {c.period: c for c in _cells(indicator=key, period__in=codes, area__in=["dong", "series"], dong_id=dong_id,
                                         dim="")}
    return [_figure(ind, found.get(p.code), p.code, "dong", dong_id) for p in periods]


@dataclass
class Overview:
    indicator: Indicator
    now: Figure
    before: Figure
    year_ago: Figure
    trend: list[Figure]
    city: Figure | None = None  # on a dong's page: the city's figure of the same month
    city_trend: list[Figure] | None = None
    average: float | None = None


def overview(*, viewer: User, period: Period, dong_id: int | None = None, months: int = 13,
             keys: Iterable[str] | None = None) -> list[Overview]:
    """Every indicator (or ``keys``) for the month, the month before, the same month a year ago and a trend,
    for the city or for a dong beside the city: two queries for the whole page."""
    require_reports(viewer)
    chosen = [i for i in indicators() if keys is None or i.key in set(keys)]
    periods = months_back(period, months)
    codes = [p.code for p in periods] + [period.same_last_year().code]
    area_q = Q(area="city")
    if dong_id is not None:
        area_q |= Q(area__in=["dong", "series"], dong_id=dong_id)
    found: dict[tuple[str, str, str], Cell] = {}
    for c in _cells(indicator__in=[i.key for i in chosen], period__in=codes, dim="").filter(area_q):
        found[(c.indicator, c.period, "city" if c.area == "city" else "dong")] = c
    n_dongs = len(dongs_of(period))
    out = []
    for ind in chosen:
        scope = "city" if dong_id is None else "dong"
        area = "city" if dong_id is None else "dong"

        def fig(p: Period, s: str = scope, a: str = area, i: Indicator = ind) -> Figure:
            return _figure(i, found.get((i.key, p.code, s)), p.code, a, None if s == "city" else dong_id)

        item = Overview(ind, fig(period), fig(period.previous()), fig(period.same_last_year()),
                        [fig(p) for p in periods])
        if dong_id is not None:
            item.city = fig(period, "city", "city")
            item.city_trend = [fig(p, "city", "city") for p in periods]
            item.average = city_average(ind, item.city, n_dongs)
        out.append(item)
    return out


# Downloads ------------------------------------------------------------------------------------

def _reason(context: AccessContext) -> None:
    if len(context.purpose.strip()) < 2:
        raise DomainError(ReportErrorCode.EXPORT_REASON_REQUIRED)


def export_log(*, viewer: User, context: AccessContext, what: str, query: str) -> None:
    """A download of figures: asked for a reason and logged like every download, with no person in it."""
    require_reports(viewer)
    _reason(context)
    access_log_write(actor=viewer, action=AccessAction.EXPORT, record_type="report", record_id=what[:40],
                     context=context, subject_ids=[], query=query)


def can_export_people(user: Any, ind: Indicator) -> bool:
    return ind.people is not None and can_see_personal_data(user)


def people_export(*, viewer: User, context: AccessContext, key: str, dong_id: int | None) -> bytes:
    """The people behind a figure, now: the owning app's own export (its scope, its log with every person)."""
    ind = indicator_for(key)
    if not can_export_people(viewer, ind):
        raise Forbidden(ReportErrorCode.PEOPLE_NOT_AVAILABLE)
    _reason(context)
    return ind.people(viewer=viewer, context=context, dong_id=dong_id)


def latest_month() -> Period | None:
    from dolbom.reports.periods import month_of

    start = Cell.objects.filter(kind="M").order_by("-start").values_list("start", flat=True).first()
    return month_of(start) if isinstance(start, dt.date) else None
