"""Report endpoints: the indicator catalogue and published figures (suppressed exactly as on the pages).

Thin: every figure comes from reports.selectors; a hidden figure answers ``"hidden": true`` with no number.
Periods are months (``2025-03``), quarters (``2025-Q1``) or years (``2025``), nothing else: any other
period answers 400 ``period_invalid``. No ``from __future__ import annotations``: ninja reads the
annotations at import time.
"""

from django.http import HttpRequest
from ninja import Router, Schema

from dolbom.lib.api import ERRORS, actor
from dolbom.reports import selectors
from dolbom.reports.periods import current_month, parse

router = Router(tags=["reports"])


class IndicatorOut(Schema):
    key: str
    app: str
    label: str
    unit: str
    definition: str
    numerator: str
    denominator: str
    kind: str
    dimensions: list[str]
    stock: bool
    higher_is_better: bool | None
    tags: list[str]


class FigureOut(Schema):
    period: str
    area: str
    dong_id: int | None
    dong: str
    dim: str
    value_key: str
    hidden: bool
    value: float | None
    numerator: float | None
    denominator: float | None


class FiguresOut(Schema):
    indicator: str
    period: str
    city: FigureOut
    dongs: list[FigureOut]
    cuts: list[FigureOut]
    city_average: float | None


def _indicator_out(i) -> IndicatorOut:
    return IndicatorOut(key=i.key, app=i.app, label=str(i.label), unit=i.unit, definition=str(i.definition),
                        numerator=str(i.numerator), denominator=str(i.denominator), kind=i.kind,
                        dimensions=list(i.dimensions), stock=i.stock, higher_is_better=i.higher_is_better,
                        tags=list(i.tags))


def _figure_out(f: selectors.Figure, dong: str = "") -> FigureOut:
    return FigureOut(period=f.period, area=f.area, dong_id=f.dong_id, dong=dong, dim=f.dim, value_key=f.value_key,
                     hidden=f.hidden, value=None if f.hidden else f.value,
                     numerator=None if f.hidden else f.numerator, denominator=None if f.hidden else f.denominator)


@router.get("/reports/indicators", response={200: list[IndicatorOut], **ERRORS})
def indicator_list(request: HttpRequest):
    """Every indicator the apps registered (lib/metrics.py)."""
    selectors.require_reports(actor(request))
    return [_indicator_out(i) for rows in selectors.catalogue().values() for i in rows]


@router.get("/reports/figures", response={200: FiguresOut, **ERRORS})
def figures(request: HttpRequest, indicator: str, period: str = "", dong_id: int | None = None):
    """One indicator for one period: the city, every dong valid at the period's end, and the cuts (of the
    city, or of ``dong_id``)."""
    p = parse(period, default=selectors.latest_month() or current_month())
    table = selectors.figure_table(viewer=actor(request), key=indicator, period=p, dong_id=dong_id)
    cuts = [_figure_out(f) for rows in table.cuts.values() for _v, f in rows]
    return FiguresOut(indicator=indicator, period=p.code, city=_figure_out(table.city),
                      dongs=[_figure_out(f, d.name) for d, f in table.rows], cuts=cuts, city_average=table.average)


@router.get("/reports/series", response={200: list[FigureOut], **ERRORS})
def series(request: HttpRequest, indicator: str, last: str = "", months: int = 24, dong_id: int | None = None):
    """Monthly figures up to ``last`` (a month), oldest first: the city's, or a dong's (its comparable
    series before a merger)."""
    p = parse(last, default=selectors.latest_month() or current_month())
    p = p if p.kind == "M" else p.months[-1]
    rows = selectors.series(viewer=actor(request), key=indicator, last=p, months=max(1, min(months, 60)),
                            dong_id=dong_id)
    return [_figure_out(f) for f in rows]
