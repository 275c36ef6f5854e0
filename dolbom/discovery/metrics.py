"""Indicators of crisis discovery (lib/metrics.py), per cycle: households listed, supported and unreachable,
and the support rate the ministry publishes (supported ÷ listed; 58.4% nationally in 2024).

One aggregate query. An entry counts in the month its cycle started and the dong it was listed for.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from dolbom.lib.metrics import Indicator, Rows, metric_register

UNREACHABLE = ("no_contact", "empty_house", "moved", "long_hospital")


def _entries(start: dt.date, end: dt.date) -> list[dict]:
    from dolbom.discovery.models import SUPPORTED_OUTCOMES, VisitListEntry

    return list(VisitListEntry.objects.filter(cycle__starts_on__gte=start, cycle__starts_on__lt=end)
                .annotate(m=TruncMonth("cycle__starts_on")).values("m", "dong_id")
                .annotate(n=Count("pk"), supported=Count("pk", filter=Q(outcome__in=list(SUPPORTED_OUTCOMES))),
                          unreachable=Count("pk", filter=Q(outcome__in=UNREACHABLE)))
                .order_by())


def _rows(start: dt.date, end: dt.date, numerator: str, denominator: str | None = None) -> Rows:
    out = []
    for r in _entries(start, end):
        row = {"month": r["m"].replace(day=1), "dong_id": r["dong_id"], "numerator": r[numerator]}
        if denominator:
            row["denominator"] = r[denominator]
        out.append(row)
    return out


def listed(start: dt.date, end: dt.date) -> Rows:
    return _rows(start, end, "n")


def supported(start: dt.date, end: dt.date) -> Rows:
    return _rows(start, end, "supported")


def support_rate(start: dt.date, end: dt.date) -> Rows:
    return _rows(start, end, "supported", "n")


def unreachable(start: dt.date, end: dt.date) -> Rows:
    return _rows(start, end, "unreachable")


def register() -> None:
    metric_register(Indicator(
        key="discovery.listed", label=_("Households on the visit lists"), unit="가구", higher_is_better=None,
        definition=_("Households listed for a visit in the discovery cycles that started in the month "
                     "(ranked from crisis indicators, or reported by the community)."),
        compute=listed, numerator=_("households listed")))
    metric_register(Indicator(
        key="discovery.supported", label=_("Households supported after discovery"), unit="가구",
        higher_is_better=True,
        definition=_("Listed households of the month's cycles supported by a public service or a private "
                     "resource."),
        compute=supported, numerator=_("households supported")))
    metric_register(Indicator(
        key="discovery.support_rate", label=_("Discovery support rate"), unit="%", higher_is_better=True,
        definition=_("Households supported out of households listed, per cycle (the ministry's measure: 58.4% "
                     "nationally in 2024)."),
        compute=support_rate, numerator=_("households supported"), denominator=_("households listed"),
        tags=("annual_plan", "headline")))
    metric_register(Indicator(
        key="discovery.unreachable", label=_("Listed households not reached"), unit="가구", higher_is_better=False,
        definition=_("Listed households of the month's cycles that could not be located (no contact, empty "
                     "house, moved, long hospital stay)."),
        compute=unreachable, numerator=_("households not reached")))
