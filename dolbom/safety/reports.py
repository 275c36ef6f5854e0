"""The monthly figures of the emergency safety service, for the report page (in the viewer's scope) and for
the reports app's indicators (metrics.py, city-wide, per month and dong).

Targets are the social-alarm ones the service publishes (after the European response-centre standard
EN 50134-7 and the UK TEC Quality Standards): 97.5% of alarms acknowledged within 60 seconds and 99% within 3
minutes; 90% of emergencies attended (a worker or 119 on site) within 45 minutes.

Every figure is a count of homes or incidents, set-based: a few aggregate queries per month, and Polars for
the days an inactivity alert was open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from django.contrib.auth.models import User
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dolbom.lib.metrics import month_add
from dolbom.safety.models import (
    ALARM_CAUSES,
    Cause,
    DeviceTicket,
    FaultKind,
    Incident,
    Level,
    Outcome,
    Severity,
)

ACK_TARGETS = ((60, 97.5), (180, 99.0))
ATTEND_MINUTES, ATTEND_TARGET = 45, 90.0
INACTIVE_DAYS = 5
NO_DATA_FAULTS = (FaultKind.HEARTBEAT_LOST, FaultKind.SILENT_SINCE_INSTALL)
FALSE_ALARM_KINDS = (("fire", Cause.FIRE), ("gas", Cause.GAS), ("button", Cause.BUTTON), ("activity", Cause.INACTIVITY))


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(start, dt.time(), tzinfo=tz), dt.datetime.combine(end, dt.time(), tzinfo=tz)


def _alarms(qs: QuerySet[Incident]) -> QuerySet[Incident]:
    return qs.filter(cause__in=list(ALARM_CAUSES))


def _emergencies(qs: QuerySet[Incident]) -> QuerySet[Incident]:
    """Emergencies: every P1 (alarms, danger-level inactivity) that was not a false alarm."""
    return qs.filter(severity=Severity.P1).exclude(outcome=Outcome.FALSE_ALARM)


def _ack_within(seconds: int) -> Q:
    return Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("opened_at") + dt.timedelta(seconds=seconds))


def _attended_within(minutes: int) -> Q:
    return Q(attended_at__isnull=False, attended_at__lte=F("opened_at") + dt.timedelta(minutes=minutes))


def inactive_days(qs: QuerySet[Incident], start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None = None
                  ) -> pl.DataFrame:
    """Per home (with its dong and month), the number of days on which an inactivity alert was open."""
    now = now or timezone.now()
    rows = list(qs.filter(cause=Cause.INACTIVITY, opened_at__lt=end)
                .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=start))
                .values_list("home_id", "dong_id", "opened_at", "resolved_at"))
    if not rows:
        return pl.DataFrame(schema={"home_id": pl.Int64, "dong_id": pl.Int64, "month": pl.Date, "days": pl.UInt32})
    tz = timezone.get_current_timezone()
    frame = pl.DataFrame({
        "home_id": [r[0] for r in rows], "dong_id": [r[1] for r in rows],
        "first": [timezone.localtime(max(r[2], start), tz).date() for r in rows],
        "last": [timezone.localtime(min(r[3] or now, end - dt.timedelta(microseconds=1), now), tz).date() for r in rows],
    }).filter(pl.col("last") >= pl.col("first"))
    return (frame.with_columns(day=pl.date_ranges("first", "last")).explode("day")
            .with_columns(month=pl.col("day").dt.truncate("1mo"))
            .group_by("home_id", "dong_id", "month").agg(days=pl.col("day").n_unique()))


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int
    target: float | None = None

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None

    @property
    def met(self) -> bool | None:
        if self.target is None or self.percent is None:
            return None
        return self.percent >= self.target


@dataclass(frozen=True)
class MonthlyReport:
    month: dt.date
    incidents: int
    alarms: int
    inactivity: dict[str, int]
    homes_inactive_5_days: int
    power_cuts: int
    power_cut_homes: int
    no_data_homes: int
    acknowledged: list[tuple[int, Rate]]
    attended: Rate
    false_alarms: list[tuple[str, Rate]]


def monthly(*, viewer: User, month: dt.date) -> MonthlyReport:
    """The month's figures over what the viewer may see (counts only: no person is named)."""
    from dolbom.safety.selectors import incident_visible, ticket_visible

    start, end = bounds(month, month_add(month, 1))
    incidents = incident_visible(viewer)
    opened = incidents.filter(opened_at__gte=start, opened_at__lt=end)
    alarms = _alarms(opened)
    alarm_count = alarms.count()
    ack = alarms.aggregate(**{f"s{s}": Count("pk", filter=_ack_within(s)) for s, _t in ACK_TARGETS})
    emergencies = _emergencies(opened)
    attended = emergencies.aggregate(total=Count("pk"), ok=Count("pk", filter=_attended_within(ATTEND_MINUTES)))
    by_level = dict(opened.filter(cause=Cause.INACTIVITY).values_list("level").annotate(n=Count("pk")))
    days = inactive_days(incidents, start, end)
    tickets = ticket_visible(viewer).filter(opened_at__gte=start, opened_at__lt=end)
    power = tickets.filter(kind=FaultKind.POWER_OFF).aggregate(n=Count("pk"), homes=Count("home_id", distinct=True))
    no_data = tickets.filter(kind__in=NO_DATA_FAULTS).aggregate(homes=Count("home_id", distinct=True))
    false = []
    resolved = opened.filter(resolved_at__isnull=False)
    for kind, cause in FALSE_ALARM_KINDS:
        counts = resolved.filter(cause=cause).aggregate(total=Count("pk"),
                                                        false=Count("pk", filter=Q(outcome=Outcome.FALSE_ALARM)))
        false.append((kind, Rate(counts["false"], counts["total"])))
    return MonthlyReport(
        month=month, incidents=opened.count(), alarms=alarm_count,
        inactivity={level: by_level.get(level, 0) for level in Level.values},
        homes_inactive_5_days=int((days["days"] >= INACTIVE_DAYS).sum()) if days.height else 0,
        power_cuts=power["n"], power_cut_homes=power["homes"], no_data_homes=no_data["homes"],
        acknowledged=[(s, Rate(ack[f"s{s}"], alarm_count, target)) for s, target in ACK_TARGETS],
        attended=Rate(attended["ok"], attended["total"], ATTEND_TARGET), false_alarms=false)


# For the reports app (metrics.py): per month and dong, city-wide --------------------------------------

def _monthly_rows(qs: QuerySet, date_field: str, numerator: Q | None = None, distinct: str | None = None
                  ) -> Iterable[dict]:
    counted = Count(distinct or "pk", distinct=bool(distinct))
    values = qs.annotate(month=TruncMonth(date_field)).values("month", "dong_id")
    if numerator is None:
        for row in values.annotate(n=counted):
            yield {"month": _date(row["month"]), "dong_id": row["dong_id"], "numerator": row["n"]}
        return
    for row in values.annotate(total=Count("pk"), n=Count("pk", filter=numerator)):
        yield {"month": _date(row["month"]), "dong_id": row["dong_id"], "numerator": row["n"],
               "denominator": row["total"]}


def _date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def compute_ack(seconds: int):
    def compute(start: dt.date, end: dt.date) -> Iterable[dict]:
        a, b = bounds(start, end)
        return _monthly_rows(_alarms(Incident.objects.filter(opened_at__gte=a, opened_at__lt=b)), "opened_at",
                             _ack_within(seconds))
    return compute


def compute_attended(start: dt.date, end: dt.date) -> Iterable[dict]:
    a, b = bounds(start, end)
    return _monthly_rows(_emergencies(Incident.objects.filter(opened_at__gte=a, opened_at__lt=b)), "opened_at",
                         _attended_within(ATTEND_MINUTES))


def compute_false_alarms(cause: str):
    def compute(start: dt.date, end: dt.date) -> Iterable[dict]:
        a, b = bounds(start, end)
        qs = Incident.objects.filter(opened_at__gte=a, opened_at__lt=b, cause=cause, resolved_at__isnull=False)
        return _monthly_rows(qs, "opened_at", Q(outcome=Outcome.FALSE_ALARM))
    return compute


def compute_power_cuts(start: dt.date, end: dt.date) -> Iterable[dict]:
    a, b = bounds(start, end)
    return _monthly_rows(DeviceTicket.objects.filter(kind=FaultKind.POWER_OFF, opened_at__gte=a, opened_at__lt=b),
                         "opened_at")


def compute_no_data(start: dt.date, end: dt.date) -> Iterable[dict]:
    a, b = bounds(start, end)
    return _monthly_rows(DeviceTicket.objects.filter(kind__in=NO_DATA_FAULTS, opened_at__gte=a, opened_at__lt=b),
                         "opened_at", distinct="home_id")


def compute_inactive_5_days(start: dt.date, end: dt.date) -> Iterable[dict]:
    a, b = bounds(start, end)
    days = inactive_days(Incident.objects.all(), a, b)
    if not days.height:
        return []
    counted = (days.filter(pl.col("days") >= INACTIVE_DAYS).group_by("month", "dong_id").agg(n=pl.len()))
    return [{"month": r["month"], "dong_id": r["dong_id"], "numerator": r["n"]} for r in counted.iter_rows(named=True)]
