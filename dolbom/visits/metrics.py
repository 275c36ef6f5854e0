"""Indicators of home visits (lib/metrics.py): visits done and missed, by the month they were due.

One aggregate query. A visit counts in the dong of its household's 2021 boundary area (carried to the dong
valid in the month by reports), so that old months stay true after a merger; "missed" is a visit where
nobody was at home, or one still open after its day.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.lib.metrics import Indicator, Rows, metric_register


def _by_month(start: dt.date, end: dt.date) -> list[dict]:
    from dolbom.visits.models import Visit, VisitStatus

    missed = Q(status=VisitStatus.NOT_HOME) | Q(status=VisitStatus.OPEN, due_on__lt=timezone.localdate())
    return list(Visit.objects.filter(due_on__gte=start, due_on__lt=end)
                .annotate(m=TruncMonth("due_on")).values("m", "household__area__original_dong_id")
                .annotate(done=Count("pk", filter=Q(status=VisitStatus.DONE)), missed=Count("pk", filter=missed))
                .order_by())


def _rows(start: dt.date, end: dt.date, numerator: str, rate: bool = False) -> Rows:
    out = []
    for r in _by_month(start, end):
        row = {"month": r["m"].replace(day=1), "dong_id": r["household__area__original_dong_id"],
               "numerator": r[numerator]}
        if rate:
            row["denominator"] = r["done"] + r["missed"]
        out.append(row)
    return out


def visits_done(start: dt.date, end: dt.date) -> Rows:
    return _rows(start, end, "done")


def visits_missed(start: dt.date, end: dt.date) -> Rows:
    return _rows(start, end, "missed")


def done_rate(start: dt.date, end: dt.date) -> Rows:
    return _rows(start, end, "done", rate=True)


def register() -> None:
    metric_register(Indicator(
        key="visits.done", label=_("Home visits done"), unit="건", higher_is_better=True,
        definition=_("Home visits (nursing, medical, follow-up, discovery, care checks) due in the month and "
                     "recorded as done."),
        compute=visits_done, numerator=_("visits done"), tags=("annual_plan", "headline")))
    metric_register(Indicator(
        key="visits.missed", label=_("Home visits missed"), unit="건", higher_is_better=False,
        definition=_("Home visits due in the month where nobody was at home, or still open after their day "
                     "(rescheduled visits count on their new day)."),
        compute=visits_missed, numerator=_("visits missed")))
    metric_register(Indicator(
        key="visits.done_rate", label=_("Home visits completed"), unit="%", higher_is_better=True,
        definition=_("Visits done out of visits done or missed, for the visits due in the month."),
        compute=done_rate, numerator=_("visits done"), denominator=_("visits done or missed")))
