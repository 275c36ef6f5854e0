"""Access-log endpoints for auditors (개인정보 접속기록 점검). Read-only: the log is append-only.

No ``from __future__ import annotations`` here: ninja reads the annotations at import time to build
its query and body schemas, and postponed (string) annotations break nested query schemas.
"""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from dolbom.audit import selectors
from dolbom.audit.errors import AuditErrorCode
from dolbom.audit.models import AccessAction, AccessLog
from dolbom.lib.api import ErrorOut
from dolbom.lib.api import actor as actor_of
from dolbom.lib.errors import DomainError

router = Router(tags=["audit"])

ERRORS = {400: ErrorOut, 403: ErrorOut}
MONTH = Query(None, description="YYYY-MM; defaults to this month")


class AccessLogOut(Schema):
    """One access. Ids only: an auditor checks who looked at what, never the record's content."""

    id: int
    at: dt.datetime
    actor_username: str
    actor_role: str
    action: AccessAction
    record_type: str
    record_id: str
    resident_id: int | None
    subject_ids: list[int] = Field(description="Residents returned by a search or an export")
    query: str
    purpose: str
    in_caseload: bool
    ip: str | None
    path: str


class AccessLogFilterIn(Schema):
    actor: str = Field("", description="Username")
    action: AccessAction | None = None
    resident_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    outside_caseload_only: bool = False


class ActorSummaryOut(Schema):
    username: str
    role: str
    views: int
    searches: int
    exports: int
    reveals: int
    denied: int
    outside_caseload: int
    after_hours: int
    bulk_searches: int


class MonthlyReviewOut(Schema):
    year: int
    month: int
    total: int
    by_action: dict[str, int]
    actors: list[ActorSummaryOut]
    denied: list[AccessLogOut]
    after_hours: list[AccessLogOut]
    outside_caseload_without_purpose: int


@router.get("/access-log", response={200: list[AccessLogOut], **ERRORS}, summary="Access log (auditors only)")
@paginate(LimitOffsetPagination)
def access_log_list(request: HttpRequest, filters: Query[AccessLogFilterIn]) -> list[AccessLog]:
    return selectors.access_log_list(viewer=actor_of(request), filters=selectors.AccessLogFilters(
        actor_username=filters.actor, action=filters.action or "", resident_id=filters.resident_id,
        date_from=filters.date_from, date_to=filters.date_to, outside_caseload_only=filters.outside_caseload_only,
    ))


def _parse_month(value: str | None) -> tuple[int, int]:
    if not value:
        today = timezone.localdate()
        return today.year, today.month
    try:
        first = dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError as exc:
        raise DomainError(AuditErrorCode.MONTH_INVALID) from exc
    return first.year, first.month


@router.get("/access-log/monthly-review", response={200: MonthlyReviewOut, **ERRORS},
            summary="Monthly review of access records (auditors only)")
def access_log_monthly_review(request: HttpRequest,
                              month: str | None = MONTH) -> selectors.MonthlyReview:
    year, mon = _parse_month(month)
    return selectors.access_log_monthly_review(viewer=actor_of(request), year=year, month=mon)
