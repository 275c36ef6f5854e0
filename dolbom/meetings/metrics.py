"""Indicators of integrated support meetings and councils (lib/metrics.py): meetings held, decisions made.

One aggregate query each. A meeting counts in its dong (a city-level meeting has none: reports shows it
in the city's figure only); a decision counts in its case's dong.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from dolbom.lib.metrics import Indicator, Rows, metric_register, month_start


def _month(value: dt.datetime | dt.date) -> dt.date:
    return (value.date() if isinstance(value, dt.datetime) else value).replace(day=1)


def _held(kind: str):
    def compute(start: dt.date, end: dt.date) -> Rows:
        from dolbom.meetings.models import Meeting, MeetingStatus

        rows = (Meeting.objects.filter(kind=kind, status=MeetingStatus.SIGNED, scheduled_at__gte=month_start(start),
                                       scheduled_at__lt=month_start(end))
                .annotate(m=TruncMonth("scheduled_at")).values("m", "dong_id").annotate(n=Count("pk")).order_by())
        return [{"month": _month(r["m"]), "dong_id": r["dong_id"], "numerator": r["n"]} for r in rows]

    compute.__name__ = f"held_{kind}"
    return compute


def decisions(start: dt.date, end: dt.date) -> Rows:
    from dolbom.meetings.models import AgendaItem

    rows = (AgendaItem.objects.filter(decided_at__gte=month_start(start), decided_at__lt=month_start(end))
            .exclude(decision="").annotate(m=TruncMonth("decided_at")).values("m", "case__dong_id")
            .annotate(n=Count("pk")).order_by())
    return [{"month": _month(r["m"]), "dong_id": r["case__dong_id"], "numerator": r["n"]} for r in rows]


def register() -> None:
    from dolbom.meetings.models import MeetingKind

    metric_register(Indicator(
        key="meetings.held", label=_("Integrated support meetings held"), unit="회", higher_is_better=None,
        definition=_("Integrated support meetings (Act §15) held in the month whose minutes were signed."),
        compute=_held(MeetingKind.INTEGRATED_SUPPORT), numerator=_("meetings"), tags=("annual_plan",)))
    metric_register(Indicator(
        key="meetings.council_sessions", label=_("Council sessions held"), unit="회", higher_is_better=None,
        definition=_("Sessions of the city's and dongs' councils held in the month whose minutes were signed."),
        compute=_held(MeetingKind.COUNCIL), numerator=_("sessions")))
    metric_register(Indicator(
        key="meetings.decisions", label=_("Meeting decisions on cases"), unit="건", higher_is_better=None,
        definition=_("Cases an integrated support meeting decided on in the month (approve or change a plan, "
                     "add services, escalate, close)."),
        compute=decisions, numerator=_("decisions"), tags=("annual_plan",)))
