"""Reads of the checkins app. Visibility follows the case (cases.selectors.case_visible), written once here.

A call transcript, an alert's excerpt and the caller's memory are a person's record: reading one
writes the access log, and a direct request out of scope answers 404 and writes a DENIED row.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.paginator import Page
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import profile
from dolbom.areas.models import Dong
from dolbom.audit.logged import log_list, logged_get
from dolbom.cases.models import Case, CaseStatus
from dolbom.cases.selectors import case_visible
from dolbom.checkins.errors import CheckinErrorCode
from dolbom.checkins.models import (
    Alert,
    AlertStatus,
    Call,
    CallbackStatus,
    CallbackTask,
    CallStatus,
    Campaign,
    Enrolment,
    EnrolmentStatus,
    MemoryChange,
    MemorySlot,
    Severity,
    Slot,
)
from dolbom.lib.access import AccessContext
from dolbom.web.paging import page_of


def enrolment_visible(viewer: User) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(case__in=case_visible(viewer))


def call_visible(viewer: User) -> QuerySet[Call]:
    return Call.objects.filter(enrolment__case__in=case_visible(viewer))


def alert_visible(viewer: User) -> QuerySet[Alert]:
    return Alert.objects.filter(case__in=case_visible(viewer))


def callback_visible(viewer: User) -> QuerySet[CallbackTask]:
    return CallbackTask.objects.filter(call__enrolment__case__in=case_visible(viewer))


def case_id_of(*, record_type: str, record_id: int) -> int | None:
    """The case a check-in record belongs to, for the purpose kept per case; no personal data."""
    model, path = {"enrolment": (Enrolment, "case_id"), "call": (Call, "enrolment__case_id"),
                   "alert": (Alert, "case_id")}[record_type]
    return model.objects.filter(pk=record_id).values_list(path, flat=True).first()


def _log_list(viewer: User, record_type: str, resident_ids: list[int], context: AccessContext) -> None:
    log_list(viewer=viewer, context=context, record_type=record_type, resident_ids=resident_ids)


def _get(visible: QuerySet, pk: int, *, viewer: User, context: AccessContext, record_type: str,
         missing: CheckinErrorCode, resident: str, case_of: Callable[[Any], Case], seen_on_page: str = ""):
    """As for the case itself: a record outside the viewer's caseload is opened only with a purpose."""
    return logged_get(visible, pk, viewer=viewer, context=context, record_type=record_type, missing=missing,
                      resident=resident, purpose_required=True,
                      in_caseload=lambda row: case_of(row).manager_id == viewer.pk, seen_on_page=seen_on_page)


# Enrolments ------------------------------------------------------------------------------------

def _enrolments(viewer: User, status: str, mine: bool) -> QuerySet[Enrolment]:
    qs = enrolment_visible(viewer).select_related("resident", "case__manager__staff", "case__dong")
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(case__manager=viewer)
    return qs.order_by("status", "next_due_at", "pk")


def enrolment_list(*, viewer: User, context: AccessContext, status: str = "", mine: bool = False,
                   limit: int = 200) -> list[Enrolment]:
    rows = list(_enrolments(viewer, status, mine)[:limit])
    _log_list(viewer, "checkin_enrolment_list", [e.resident_id for e in rows], context)
    return rows


def enrolment_page(*, viewer: User, context: AccessContext, status: str = "", mine: bool = False,
                   page: object = None, per_page: int = 50) -> Page:
    """One page of the enrolments with the total; only the people on the page shown are logged."""
    rows = page_of(_enrolments(viewer, status, mine), page, per_page)
    _log_list(viewer, "checkin_enrolment_list", [e.resident_id for e in rows], context)
    return rows


def enrolment_get(*, viewer: User, enrolment_id: int, context: AccessContext) -> Enrolment:
    return _get(enrolment_visible(viewer).select_related("resident", "case__manager__staff", "case__dong"),
                enrolment_id, viewer=viewer, context=context, record_type="checkin_enrolment",
                missing=CheckinErrorCode.ENROLMENT_NOT_FOUND, resident="resident_id", case_of=lambda e: e.case)


def enrollable_cases(*, viewer: User, context: AccessContext, limit: int = 200) -> list[Case]:
    """Open cases of the viewer's scope without a live enrolment (for the enrolment form)."""
    live = Enrolment.objects.exclude(status=EnrolmentStatus.STOPPED).values("case_id")
    qs = (case_visible(viewer).exclude(status=CaseStatus.CLOSED).exclude(pk__in=live)
          .select_related("resident").order_by("resident__name", "pk"))
    mine = qs.filter(manager=viewer)
    rows = list(mine[:limit]) or list(qs[:limit])
    _log_list(viewer, "checkin_enrollable_cases", [c.resident_id for c in rows], context)
    return rows


def enrolment_calls(*, enrolment: Enrolment, limit: int = 20) -> list[Call]:
    return list(enrolment.calls.select_related("campaign").order_by("-due_at", "-pk")[:limit])


@dataclass(frozen=True)
class MemoryView:
    slot: Slot
    memory: MemorySlot | None
    changes: list[MemoryChange] = field(default_factory=list)


def memory_for(*, enrolment: Enrolment, changes: int = 5) -> list[MemoryView]:
    """Read through an enrolment already obtained (and logged) by enrolment_get."""
    slots = {m.slot: m for m in MemorySlot.objects.filter(resident_id=enrolment.resident_id)}
    history: dict[int, list[MemoryChange]] = {}
    for change in (MemoryChange.objects.filter(memory__in=slots.values()).select_related("actor__staff")
                   .order_by("-at", "-pk")):
        history.setdefault(change.memory_id, []).append(change)
    return [MemoryView(slot=s, memory=slots.get(s.value), changes=history.get(slots[s.value].pk, [])[:changes]
                       if s.value in slots else []) for s in Slot]


# Calls ----------------------------------------------------------------------------------------

def call_get(*, viewer: User, call_id: int, context: AccessContext, seen_on_page: str = "") -> Call:
    """One call; ``seen_on_page``: the chat page a re-drawn transcript belongs to (one row per page view)."""
    return _get(call_visible(viewer).select_related("enrolment__resident", "enrolment__case__manager__staff",
                                                    "campaign"),
                call_id, viewer=viewer, context=context, record_type="checkin_call",
                missing=CheckinErrorCode.CALL_NOT_FOUND, resident="enrolment__resident_id",
                case_of=lambda c: c.enrolment.case, seen_on_page=seen_on_page)


def call_turns(*, call: Call) -> list:
    return list(call.turns.order_by("seq"))


def calls_due(*, viewer: User, context: AccessContext, now: dt.datetime | None = None, limit: int = 100) -> list[Call]:
    """What a gateway should dial now: due calls whose next try has come, within the viewer's scope."""
    now = now or timezone.now()
    rows = list(call_visible(viewer).filter(status=CallStatus.DUE, next_attempt_at__lte=now)
                .select_related("enrolment__resident", "campaign").order_by("next_attempt_at", "pk")[:limit])
    _log_list(viewer, "checkin_calls_due", [c.enrolment.resident_id for c in rows], context)
    return rows


def callback_list(*, viewer: User, context: AccessContext, open_only: bool = True, limit: int = 200) -> list[CallbackTask]:
    qs = callback_visible(viewer).select_related("call__enrolment__resident", "call__enrolment__case", "dong")
    if open_only:
        qs = qs.filter(status=CallbackStatus.OPEN)
    rows = list(qs.order_by("-created_at", "-pk")[:limit])
    _log_list(viewer, "checkin_callbacks", [t.call.enrolment.resident_id for t in rows], context)
    return rows


# Alerts ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AlertFilters:
    status: str = "active"  # "active" = open, acknowledged or acted; "" = all
    severity: str = ""
    mine: bool = False
    escalated: bool = False


def alert_list(*, viewer: User, context: AccessContext, filters: AlertFilters | None = None,
               limit: int = 200) -> list[Alert]:
    f = filters or AlertFilters()
    qs = alert_visible(viewer).select_related("case__resident", "case__manager__staff", "dong", "call")
    if f.status == "active":
        qs = qs.exclude(status=AlertStatus.CLOSED)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if f.mine:
        qs = qs.filter(case__manager=viewer)
    if f.escalated:
        qs = qs.filter(escalation__gt=0)
    return _alerts_logged(qs, viewer=viewer, context=context, limit=limit)


def alert_list_brief(*, viewer: User, context: AccessContext, limit: int = 5) -> list[Alert]:
    """The start page's newest open alerts, worst first, as alert_list(status="open") orders and logs them,
    with only what the box shows: the alert and the resident's name. alert_list joins the manager, the dong
    and the call (whose dialogue state is kilobytes a row) for the alerts page."""
    qs = (alert_visible(viewer).filter(status=AlertStatus.OPEN).select_related("case__resident")
          .only("kind", "severity", "status", "created_at", "call_id", "case__resident__name"))
    return _alerts_logged(qs, viewer=viewer, context=context, limit=limit)


_SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


def _alerts_logged(qs: QuerySet[Alert], *, viewer: User, context: AccessContext, limit: int) -> list[Alert]:
    rows = sorted(qs.order_by("-created_at", "-pk")[:limit],
                  key=lambda a: (a.status == AlertStatus.CLOSED, _SEVERITY_ORDER.get(a.severity, 3)))
    _log_list(viewer, "checkin_alert_list", [a.case.resident_id for a in rows], context)
    return rows


def alert_get(*, viewer: User, alert_id: int, context: AccessContext) -> Alert:
    return _get(alert_visible(viewer).select_related("case__resident", "case__manager__staff", "call", "dong"),
                alert_id, viewer=viewer, context=context, record_type="checkin_alert",
                missing=CheckinErrorCode.ALERT_NOT_FOUND, resident="case__resident_id", case_of=lambda a: a.case)


def alert_counts(*, viewer: User) -> dict[str, int]:
    rows = (alert_visible(viewer).exclude(status=AlertStatus.CLOSED).values("severity")
            .annotate(n=Count("pk")).values_list("severity", "n"))
    counts = dict(rows)
    return {s.value: counts.get(s.value, 0) for s in Severity}


def campaign_list(*, viewer: User, limit: int = 50) -> list[Campaign]:
    p = profile(viewer)
    if p is None or p.role != Role.CITY_TEAM:
        return []
    return list(Campaign.objects.select_related("dong").annotate(
        n=Count("calls"), done=Count("calls", filter=Q(calls__status=CallStatus.COMPLETED)),
    ).order_by("-created_at")[:limit])


# Dashboard ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DongRow:
    dong: str
    calls: int
    answered: int
    reached_by_callback: int
    alerts: dict[str, int]
    open_alerts: int
    ack_median_minutes: float | None

    @property
    def response_rate(self) -> float | None:
        return (self.answered + self.reached_by_callback) / self.calls if self.calls else None


FINISHED = [CallStatus.COMPLETED, CallStatus.RESCHEDULED, CallStatus.MISSED]


def dashboard_by_dong(*, viewer: User, days: int = 30, now: dt.datetime | None = None) -> list[DongRow]:
    """Counts only, no names: the response rate counts a check-in answered by the caller or reached by
    the dong's call-back, once per scheduled call however many tries it took."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    calls = call_visible(viewer).filter(due_at__gte=since, due_at__lte=now, status__in=FINISHED)
    call_rows = (calls.values("dong_id").annotate(
        n=Count("pk"),
        answered=Count("pk", filter=Q(status__in=[CallStatus.COMPLETED, CallStatus.RESCHEDULED])),
        reached=Count("pk", filter=Q(status=CallStatus.MISSED, callback__status=CallbackStatus.REACHED)),
    ))
    alerts = alert_visible(viewer).filter(created_at__gte=since, created_at__lte=now)
    by_severity: dict[int, dict[str, int]] = {}
    for row in alerts.values("dong_id", "severity").annotate(n=Count("pk")):
        by_severity.setdefault(row["dong_id"], {})[row["severity"]] = row["n"]
    open_counts = dict(alert_visible(viewer).exclude(status=AlertStatus.CLOSED).values("dong_id")
                       .annotate(n=Count("pk")).values_list("dong_id", "n"))
    waits: dict[int, list[float]] = {}
    for dong_id, created, acked in alerts.filter(acknowledged_at__isnull=False).values_list(
            "dong_id", "created_at", "acknowledged_at"):
        waits.setdefault(dong_id, []).append((acked - created).total_seconds() / 60)
    counted = {r["dong_id"]: r for r in call_rows}
    dong_ids = set(counted) | set(by_severity) | set(open_counts)
    names = dict(Dong.objects.filter(pk__in=dong_ids).values_list("pk", "name"))
    rows = []
    for dong_id in dong_ids:
        r = counted.get(dong_id, {"n": 0, "answered": 0, "reached": 0})
        rows.append(DongRow(
            dong=names.get(dong_id, "-"), calls=r["n"], answered=r["answered"], reached_by_callback=r["reached"],
            alerts={s.value: by_severity.get(dong_id, {}).get(s.value, 0) for s in Severity},
            open_alerts=open_counts.get(dong_id, 0),
            ack_median_minutes=round(statistics.median(waits[dong_id]), 1) if waits.get(dong_id) else None,
        ))
    return sorted(rows, key=lambda r: r.dong)
