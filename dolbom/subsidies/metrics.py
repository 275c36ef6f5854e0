"""Indicators of the subsidies app (lib/metrics.py): budget use, applications, approvals. Set-based."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from dolbom.lib.metrics import Indicator, Rows, metric_register


def _month(value) -> dt.date:
    return value.date().replace(day=1) if isinstance(value, dt.datetime) else value.replace(day=1)


def applications_received(start: dt.date, end: dt.date) -> Rows:
    from dolbom.subsidies.models import Application

    rows = (Application.objects.filter(received_at__date__gte=start, received_at__date__lt=end)
            .annotate(month=TruncMonth("received_at")).values("month", "dong_id").annotate(n=Count("pk")))
    return [{"month": _month(r["month"]), "dong_id": r["dong_id"], "numerator": r["n"]} for r in rows]


def approvals(start: dt.date, end: dt.date) -> Rows:
    from dolbom.subsidies.models import Decision, DecisionKind

    rows = (Decision.objects.filter(kind=DecisionKind.APPROVE, superseded_by__isnull=True,
                                    decided_at__date__gte=start, decided_at__date__lt=end)
            .annotate(month=TruncMonth("decided_at")).values("month", "application__dong_id")
            .annotate(n=Count("pk")))
    return [{"month": _month(r["month"]), "dong_id": r["application__dong_id"], "numerator": r["n"]} for r in rows]


def budget_use(start: dt.date, end: dt.date) -> Rows:
    """Committed, paid less recovered, over announced, at each month's end (the ledger's running state)."""
    from dolbom.subsidies.models import Budget, LedgerEntry

    announced = int(Budget.objects.aggregate(total=Sum("announced"))["total"] or 0)
    if not announced:
        return []
    rows = []
    month = start
    while month < end:
        nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        moves = LedgerEntry.objects.filter(at__date__lt=nxt).values("kind").annotate(total=Sum("amount"))
        total = {m["kind"]: int(m["total"] or 0) for m in moves}
        used = total.get("commit", 0) - total.get("release", 0) - total.get("recover", 0)
        rows.append({"month": month, "dong_id": None, "numerator": used, "denominator": announced})
        month = nxt
    return rows


def register() -> None:
    metric_register(Indicator(
        key="subsidies.applications", label=_("Subsidy applications received"), unit="건",
        definition=_("Applications to the city's subsidy programmes received in the month, by the applicant's dong."),
        compute=applications_received, numerator=_("applications"), higher_is_better=None))
    metric_register(Indicator(
        key="subsidies.approvals", label=_("Subsidy approvals"), unit="건",
        definition=_("Approval decisions in force made in the month, by the applicant's dong."),
        compute=approvals, numerator=_("approvals"), higher_is_better=True))
    metric_register(Indicator(
        key="subsidies.budget_use", label=_("Subsidy budget used"), unit="%",
        definition=_("Money committed at approval or paid, less what was recovered, over the budget announced by "
                     "all programmes, at the month's end."),
        compute=budget_use, numerator=_("won used"), denominator=_("won announced"), dimensions=("month",),
        stock=True, higher_is_better=None))
