"""Reads of cases. Visibility (role, dong, caseload) is enforced here and nowhere else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.paginator import Page
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.accounts.scope import can_export_people, visible_by_role
from dolbom.audit.logged import log_list, logged_get
from dolbom.audit.models import AccessAction
from dolbom.audit.services import access_log_write
from dolbom.cases.errors import CaseErrorCode
from dolbom.cases.models import Case, CaseEvent, CaseStatus, SupportPlan
from dolbom.lib.access import AccessContext, is_meaningful_purpose
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.web.paging import page_of

OPEN_STATUSES = [s for s in CaseStatus if s != CaseStatus.CLOSED]


def case_visible(viewer: User) -> QuerySet[Case]:
    # A case follows its client's current dong (not the dong it was opened in); a nurse's cases are
    # granted by the visits app (visits/scope.py).
    return visible_by_role(viewer, Case.objects.all(), kind="case", dong="resident__dong_id",
                           caseload=Q(manager=viewer))


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    dong_id: int | None = None
    manager_id: int | None = None
    mine: bool = False
    overdue: bool = False


def case_list(*, viewer: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    f = filters or CaseFilters()
    qs = case_visible(viewer).select_related("resident", "dong", "manager__staff")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.dong_id:
        qs = qs.filter(dong_id=f.dong_id)
    if f.manager_id:
        qs = qs.filter(manager_id=f.manager_id)
    if f.mine:
        qs = qs.filter(manager=viewer)
    if f.overdue:
        qs = qs.filter(status=CaseStatus.IN_SERVICE, next_follow_up_due__lt=timezone.localdate())
    return qs


def case_list_logged(*, viewer: User, context: AccessContext, filters: CaseFilters | None = None,
                     limit: int = 200) -> list[Case]:
    """A case list shows people's names: the ids shown are logged like a search."""
    cases = list(case_list(viewer=viewer, filters=filters)[:limit])
    log_list(viewer=viewer, context=context, record_type="case_list", resident_ids=[c.resident_id for c in cases])
    return cases


def case_page_logged(*, viewer: User, context: AccessContext, filters: CaseFilters | None = None,
                     page: object = None, per_page: int = 50) -> Page:
    """One page of the case list, with the total of the whole list; only the people on the page shown
    are logged (a page is what the viewer saw)."""
    rows = page_of(case_list(viewer=viewer, filters=filters), page, per_page)
    log_list(viewer=viewer, context=context, record_type="case_list", resident_ids=[c.resident_id for c in rows])
    return rows


EXPORT_LIMIT = 50_000


def case_list_export(*, viewer: User, context: AccessContext, filters: CaseFilters | None = None) -> list[Case]:
    """Cases for a file download. A download leaves the system, so it always needs a reason
    (개인정보의 안전성 확보조치 기준 §8: downloads of personal data must have their reason checked),
    and the log keeps every resident it contained, even when the file is empty of people. Roles that do not
    work with people's records may not download them at all: a refusal, not an empty file."""
    if not can_export_people(viewer):
        raise Forbidden(CaseErrorCode.NOT_ALLOWED)
    if not is_meaningful_purpose(context.purpose):
        raise DomainError(CaseErrorCode.EXPORT_REASON_REQUIRED)
    cases = list(case_list(viewer=viewer, filters=filters).order_by("dong__name", "number")[:EXPORT_LIMIT])
    access_log_write(actor=viewer, action=AccessAction.EXPORT, record_type="case_list", context=context,
                     subject_ids=sorted({c.resident_id for c in cases}))
    return cases


def case_get(*, viewer: User, case_id: int, context: AccessContext) -> Case:
    """One case. Out of scope: refused and logged. Not the viewer's own case: purpose required."""
    return logged_get(
        case_visible(viewer).select_related("resident__dong", "resident__household", "dong", "manager__staff"),
        case_id, viewer=viewer, context=context, record_type="case", missing=CaseErrorCode.CASE_NOT_FOUND,
        resident="resident_id", in_caseload=lambda c: c.manager_id == viewer.pk, purpose_required=True)


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor__staff").order_by("at", "pk")


def case_current_plan(*, case: Case) -> SupportPlan | None:
    return case.plans.prefetch_related("lines").order_by("-version").first()


def plan_get(*, case: Case, version: int) -> SupportPlan:
    plan = case.plans.prefetch_related("lines").select_related("created_by__staff").filter(version=version).first()
    if plan is None:
        raise NotFound(CaseErrorCode.CASE_NOT_FOUND)
    return plan


# Dashboard -------------------------------------------------------------------------------------

NEXT_STEP = {
    CaseStatus.DISCOVERED: "application",
    CaseStatus.APPLIED: "survey",
    CaseStatus.SURVEYED: "decision",
    CaseStatus.DECIDED: "plan",
    CaseStatus.IN_SERVICE: "follow_up",
    CaseStatus.REASSESSMENT: "survey",
}
STEP_LABELS = {
    "application": _("Record the application"),
    "survey": _("Needs survey"),
    "decision": _("Eligibility decision"),
    "plan": _("Support plan"),
    "follow_up": _("Follow-up"),
}


def next_step_label(case: Case) -> str:
    return "" if case.is_closed else str(STEP_LABELS.get(NEXT_STEP.get(case.status, ""), ""))


@dataclass(frozen=True)
class OverdueRow:
    key: str
    label: str
    overdue: int
    due_soon: int


def follow_ups_overdue_by(*, viewer: User, by: str, today: dt.date | None = None) -> list[OverdueRow]:
    """Overdue follow-ups per dong (by='dong') or per worker (by='manager'), within the viewer's scope."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=14)
    field, label = ("dong_id", "dong__name") if by == "dong" else ("manager_id", "manager__staff__display_name")
    rows = (case_visible(viewer).filter(status=CaseStatus.IN_SERVICE)
            .values(field, label)
            .annotate(overdue=Count("pk", filter=Q(next_follow_up_due__lt=today)),
                      due_soon=Count("pk", filter=Q(next_follow_up_due__gte=today, next_follow_up_due__lte=soon)))
            .filter(Q(overdue__gt=0) | Q(due_soon__gt=0))
            .order_by("-overdue", label))
    return [OverdueRow(key=str(r[field]), label=r[label] or "-", overdue=r["overdue"], due_soon=r["due_soon"])
            for r in rows]


def case_counts_by_status(*, viewer: User, mine: bool = False) -> dict[str, int]:
    qs = case_visible(viewer)
    if mine:
        qs = qs.filter(manager=viewer)
    counts = dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {s.value: counts.get(s.value, 0) for s in CaseStatus}


@dataclass(frozen=True)
class DongCaseRow:
    dong_id: int
    dong: str
    open: int
    in_service: int
    overdue: int


def case_counts_by_dong(*, viewer: User, today: dt.date | None = None) -> list[DongCaseRow]:
    """Open cases per dong (the dong a case was opened in), for the city's start page; counts only."""
    today = today or timezone.localdate()
    rows = (case_visible(viewer).exclude(status=CaseStatus.CLOSED).values("dong_id", "dong__name")
            .annotate(open=Count("pk"), in_service=Count("pk", filter=Q(status=CaseStatus.IN_SERVICE)),
                      overdue=Count("pk", filter=Q(status=CaseStatus.IN_SERVICE, next_follow_up_due__lt=today)))
            .order_by("-overdue", "dong__name"))
    return [DongCaseRow(dong_id=r["dong_id"], dong=r["dong__name"], open=r["open"], in_service=r["in_service"],
                        overdue=r["overdue"]) for r in rows]
