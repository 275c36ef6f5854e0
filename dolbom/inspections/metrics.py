"""Indicators of the inspections app for the reports app (lib/metrics.py), per month and facility dong.

Each is one aggregate query; a figure counts kitchens' inspections, swabs and actions, never people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from dolbom.lib.metrics import Indicator, Rows, metric_register, month_add


def _month(value: dt.date | dt.datetime) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    return day.replace(day=1)


def _rows(values: Iterable[dict], numerator: str, denominator: str | None = None) -> list[dict]:
    out = []
    for v in values:
        row = {"month": _month(v["month"]), "dong_id": v["dong_id"], "numerator": v[numerator]}
        if denominator:
            row["denominator"] = v[denominator]
        out.append(row)
    return out


def _closed_by_month(start: dt.date, end: dt.date) -> QuerySet:
    from dolbom.inspections.models import Grade, Inspection, InspectionStatus

    return (Inspection.objects.filter(status=InspectionStatus.CLOSED, visited_on__gte=start, visited_on__lt=end)
            .annotate(month=TruncMonth("visited_on")).values("month", dong_id=F("facility__dong_id"))
            .annotate(n=Count("pk"), passed=Count("pk", filter=~Q(grade=Grade.FAIL))))


def inspections_closed(start: dt.date, end: dt.date) -> Rows:
    return _rows(_closed_by_month(start, end), "n")


def pass_rate(start: dt.date, end: dt.date) -> Rows:
    return _rows(_closed_by_month(start, end), "passed", "n")


def atp_first_swab_fail_rate(start: dt.date, end: dt.date) -> Rows:
    from dolbom.inspections.models import AtpReading, AtpResult

    qs = (AtpReading.objects.filter(retest_of__isnull=True, measured_at__date__gte=start, measured_at__date__lt=end)
          .annotate(month=TruncMonth("measured_at")).values("month", dong_id=F("inspection__facility__dong_id"))
          .annotate(n=Count("pk"), failed=Count("pk", filter=Q(result=AtpResult.FAIL))))
    return _rows(qs, "failed", "n")


def actions_overdue(start: dt.date, end: dt.date) -> Rows:
    """Open corrective actions past their due date at each month's end (a level, not a flow)."""
    from dolbom.inspections.models import ActionStatus, CorrectiveAction

    rows = []
    month = start
    while month < end:
        month_end = month_add(month, 1)
        # Open at the month's end: not done then (done later, or still open), and due before it.
        qs = (CorrectiveAction.objects.filter(due_on__lt=month_end, created_at__date__lt=month_end)
              .filter(Q(status=ActionStatus.OPEN) | Q(done_at__date__gte=month_end)
                      | Q(done_at__isnull=True, verified_at__date__gte=month_end))
              .values(dong_id=F("facility__dong_id")).annotate(n=Count("pk")))
        rows += [{"month": month, "dong_id": r["dong_id"], "numerator": r["n"]} for r in qs]
        month = month_end
    return rows


def register() -> None:
    metric_register(Indicator(
        key="inspections.closed", label=_("Kitchen inspections closed"), unit="건",
        definition=_("Hygiene inspections of welfare-facility kitchens closed in the month, by the facility's dong."),
        compute=inspections_closed, numerator=_("inspections closed"), higher_is_better=True))
    metric_register(Indicator(
        key="inspections.pass_rate", label=_("Kitchen inspections passed"), unit="%",
        definition=_("Share of the month's closed inspections not graded fail (no failed critical item, score 70 or more)."),
        compute=pass_rate, numerator=_("inspections passed"), denominator=_("inspections closed"),
        higher_is_better=True))
    metric_register(Indicator(
        key="inspections.atp_fail_rate", label=_("ATP first swabs failed"), unit="%",
        definition=_("Share of first ATP swabs (re-tests left out) above the caution limit of their instrument and surface."),
        compute=atp_first_swab_fail_rate, numerator=_("first swabs failed"), denominator=_("first swabs"),
        higher_is_better=False))
    metric_register(Indicator(
        key="inspections.actions_overdue", label=_("Corrective actions overdue"), unit="건",
        definition=_("Corrective actions still open after their due date at the month's end."),
        compute=actions_overdue, numerator=_("actions overdue"), higher_is_better=False, stock=True))
