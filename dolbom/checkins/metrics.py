"""Indicators of check-in calls (lib/metrics.py): calls answered, the response rate, alerts and how fast a
person acknowledged them.

Two aggregate queries. A scheduled check-in counts once however often the phone rang (checkins/models.py):
answered (completed) or not (missed) by the month it was due; a call moved to later counts on its new due
time, a cancelled one not at all. Calls and alerts count in the dong they were made for.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from dolbom.lib.metrics import Indicator, Rows, count_rows, frame, local_month, metric_register, month_start


def _month(value: dt.datetime | dt.date) -> dt.date:
    return (value.date() if isinstance(value, dt.datetime) else value).replace(day=1)


def _calls(start: dt.date, end: dt.date) -> list[dict]:
    from dolbom.checkins.models import Call, CallStatus

    return list(Call.objects.filter(due_at__gte=month_start(start), due_at__lt=month_start(end),
                                    status__in=[CallStatus.COMPLETED, CallStatus.MISSED])
                .annotate(m=TruncMonth("due_at")).values("m", "dong_id")
                .annotate(completed=Count("pk", filter=Q(status=CallStatus.COMPLETED)), n=Count("pk")).order_by())


def calls_completed(start: dt.date, end: dt.date) -> Rows:
    return [{"month": _month(r["m"]), "dong_id": r["dong_id"], "numerator": r["completed"]} for r in _calls(start, end)]


def response_rate(start: dt.date, end: dt.date) -> Rows:
    return [{"month": _month(r["m"]), "dong_id": r["dong_id"], "numerator": r["completed"], "denominator": r["n"]}
            for r in _calls(start, end)]


def _alerts(start: dt.date, end: dt.date, **flt) -> pl.DataFrame:
    from dolbom.checkins.models import Alert

    rows = Alert.objects.filter(created_at__gte=month_start(start), created_at__lt=month_start(end),
                                **flt).values_list("dong_id", "created_at", "acknowledged_at")
    df = frame(rows, {"dong_id": pl.Int64, "created_at": pl.Datetime("us", "UTC"),
                      "acknowledged_at": pl.Datetime("us", "UTC")})
    return df.with_columns(month=local_month("created_at"))


def alerts(start: dt.date, end: dt.date) -> Rows:
    return count_rows(_alerts(start, end), ["month", "dong_id"])


def alerts_high(start: dt.date, end: dt.date) -> Rows:
    return count_rows(_alerts(start, end, severity="high"), ["month", "dong_id"])


def ack_minutes(start: dt.date, end: dt.date) -> Rows:
    df = _alerts(start, end, acknowledged_at__isnull=False).with_columns(
        minutes=(pl.col("acknowledged_at") - pl.col("created_at")).dt.total_seconds() / 60.0)
    return count_rows(df, ["month", "dong_id"], numerator=pl.col("minutes").sum(), denominator=pl.len())


def register() -> None:
    metric_register(Indicator(
        key="checkins.calls_completed", label=_("Check-in calls answered"), unit="건", higher_is_better=True,
        definition=_("Scheduled check-in calls due in the month that the client answered and finished."),
        compute=calls_completed, numerator=_("calls answered")))
    metric_register(Indicator(
        key="checkins.response_rate", label=_("Check-in response rate"), unit="%", higher_is_better=True,
        definition=_("Scheduled check-ins answered out of those answered or missed after every try, for the "
                     "calls due in the month."),
        compute=response_rate, numerator=_("calls answered"), denominator=_("calls answered or missed"),
        tags=("annual_plan", "headline")))
    metric_register(Indicator(
        key="checkins.alerts", label=_("Check-in alerts"), unit="건", higher_is_better=None,
        definition=_("Alerts raised by check-in calls in the month (risk signals, missed calls in a row)."),
        compute=alerts, numerator=_("alerts")))
    metric_register(Indicator(
        key="checkins.alerts_high", label=_("High check-in alerts"), unit="건", higher_is_better=None,
        definition=_("Alerts of high severity raised by check-in calls in the month."),
        compute=alerts_high, numerator=_("high alerts"), tags=("headline",)))
    metric_register(Indicator(
        key="checkins.ack_minutes", label=_("Minutes to acknowledge an alert"), unit="분", higher_is_better=False,
        definition=_("Average minutes from an alert to a person acknowledging it, for the alerts of the month "
                     "that were acknowledged."),
        compute=ack_minutes, numerator=_("minutes to acknowledge"), denominator=_("alerts acknowledged")))
