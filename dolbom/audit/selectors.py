"""Reads of the access log: auditors only, and never the content of a person's record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as SignInLog
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from dolbom.accounts.lockout import cool_off_start
from dolbom.accounts.models import SecurityEvent
from dolbom.accounts.scope import can_read_access_log
from dolbom.audit.errors import AuditErrorCode
from dolbom.audit.models import AccessAction, AccessLog
from dolbom.lib.errors import Forbidden

SEOUL = ZoneInfo("Asia/Seoul")
# Outside 07:00–21:00 local time an access is unusual enough for the monthly review to list it.
WORK_START, WORK_END = 7, 21
BULK_SEARCH_SIZE = 30


@dataclass(frozen=True)
class AccessLogFilters:
    actor_username: str = ""
    action: str = ""
    resident_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    outside_caseload_only: bool = False


def _require_auditor(viewer: User) -> None:
    if not can_read_access_log(viewer):
        raise Forbidden(AuditErrorCode.NOT_ALLOWED)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SEOUL)


def access_log_list(*, viewer: User, filters: AccessLogFilters | None = None) -> QuerySet[AccessLog]:
    _require_auditor(viewer)
    f = filters or AccessLogFilters()
    qs = AccessLog.objects.all()
    if f.actor_username:
        qs = qs.filter(actor_username=f.actor_username)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.resident_id:
        qs = qs.filter(Q(resident_id=f.resident_id) | Q(subject_ids__contains=[f.resident_id])
                       if _json_contains_supported() else Q(resident_id=f.resident_id))
    if f.date_from:
        qs = qs.filter(at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    if f.outside_caseload_only:
        qs = qs.filter(action=AccessAction.VIEW, in_caseload=False)
    return qs.order_by("-at", "-pk")


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


@dataclass
class ActorSummary:
    username: str
    role: str
    views: int = 0
    searches: int = 0
    exports: int = 0
    reveals: int = 0
    denied: int = 0
    outside_caseload: int = 0
    after_hours: int = 0
    bulk_searches: int = 0


@dataclass
class MonthlyReview:
    year: int
    month: int
    total: int
    by_action: dict[str, int]
    actors: list[ActorSummary] = field(default_factory=list)
    denied: list[AccessLog] = field(default_factory=list)
    after_hours: list[AccessLog] = field(default_factory=list)
    outside_caseload_without_purpose: int = 0


def access_log_monthly_review(*, viewer: User, year: int, month: int) -> MonthlyReview:
    """The monthly check of access records (안전성 확보조치 기준 §8②: at least monthly)."""
    _require_auditor(viewer)
    start = dt.datetime(year, month, 1, tzinfo=SEOUL)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=SEOUL)
    qs = AccessLog.objects.filter(at__gte=start, at__lt=end)
    by_action = dict(qs.values_list("action").annotate(n=Count("pk")).values_list("action", "n"))
    actors: dict[str, ActorSummary] = {}
    after_hours: list[AccessLog] = []
    # One pass over the month's rows in chunks: a city's month is a few hundred thousand rows at most.
    for row in qs.only("actor_username", "actor_role", "action", "in_caseload", "at", "subject_ids",
                       "resident_id", "record_type", "record_id", "purpose", "ip").iterator(chunk_size=5000):
        s = actors.setdefault(row.actor_username, ActorSummary(row.actor_username, row.actor_role))
        if row.action == AccessAction.VIEW:
            s.views += 1
            if not row.in_caseload:
                s.outside_caseload += 1
        elif row.action == AccessAction.SEARCH:
            s.searches += 1
            if len(row.subject_ids) >= BULK_SEARCH_SIZE:
                s.bulk_searches += 1
        elif row.action == AccessAction.EXPORT:
            s.exports += 1
        elif row.action == AccessAction.REVEAL_RRN:
            s.reveals += 1
        elif row.action == AccessAction.DENIED:
            s.denied += 1
        local = timezone.localtime(row.at, SEOUL)
        if not (WORK_START <= local.hour < WORK_END) or local.weekday() >= 5:
            s.after_hours += 1
            if len(after_hours) < 200:
                after_hours.append(row)
    return MonthlyReview(
        year=year, month=month, total=sum(by_action.values()), by_action=by_action,
        actors=sorted(actors.values(), key=lambda a: (-a.denied, -a.outside_caseload, a.username)),
        denied=list(qs.filter(action=AccessAction.DENIED).order_by("-at")[:200]),
        after_hours=after_hours,
        outside_caseload_without_purpose=qs.filter(action=AccessAction.VIEW, in_caseload=False, purpose="").count(),
    )


@dataclass(frozen=True)
class MonthToDate:
    """What the auditor's start page counts, from the first of the month to now: one aggregate query."""
    since: dt.date
    total: int
    denied: int
    exports: int
    reveals: int
    outside_caseload_without_purpose: int


def access_log_month_to_date(*, viewer: User, today: dt.date | None = None) -> MonthToDate:
    _require_auditor(viewer)
    today = today or timezone.localdate()
    since = today.replace(day=1)
    counts = AccessLog.objects.filter(at__gte=_day_start(since)).aggregate(
        total=Count("pk"),
        denied=Count("pk", filter=Q(action=AccessAction.DENIED)),
        exports=Count("pk", filter=Q(action=AccessAction.EXPORT)),
        reveals=Count("pk", filter=Q(action=AccessAction.REVEAL_RRN)),
        outside_caseload_without_purpose=Count("pk", filter=Q(action=AccessAction.VIEW, in_caseload=False,
                                                               purpose="")),
    )
    return MonthToDate(since=since, **counts)


# Sign-ins and lockouts (django-axes' records, accounts.SecurityEvent) ---------------------------

@dataclass(frozen=True)
class Lockout:
    kind: str  # "account" or "address"
    value: str
    failures: int
    last_at: dt.datetime


def lockouts_current(*, viewer: User) -> list[Lockout]:
    """Accounts and addresses locked now: their failures within the cool-off reach their budget
    (accounts/lockout.py)."""
    _require_auditor(viewer)
    attempts = AccessAttempt.objects.all()
    since = cool_off_start()
    if since is not None:
        attempts = attempts.filter(attempt_time__gte=since)
    found = []
    for kind, column, limit in (("account", "username", settings.DOLBOM_LOCKOUT_ACCOUNT_FAILURES),
                                ("address", "ip_address", settings.DOLBOM_LOCKOUT_ADDRESS_FAILURES)):
        rows = (attempts.exclude(**{f"{column}__isnull": True}).values(column)
                .annotate(n=Sum("failures_since_start"), last=Max("attempt_time")).filter(n__gte=limit))
        found += [Lockout(kind, str(r[column]), r["n"], r["last"]) for r in rows]
    return sorted(found, key=lambda lock: lock.last_at, reverse=True)


@dataclass(frozen=True)
class SignIn:
    at: dt.datetime
    username: str
    ip: str | None
    succeeded: bool
    locked_out: bool


def sign_ins_recent(*, viewer: User, limit: int = 100) -> list[SignIn]:
    """Sign-ins and failed sign-ins, newest first (안전성 확보조치 기준 §8 asks for the access record of the
    people who handle personal data, their sign-ins included)."""
    _require_auditor(viewer)
    ok = [SignIn(r.attempt_time, r.username or "", r.ip_address, True, False)
          for r in SignInLog.objects.order_by("-attempt_time")[:limit]]
    failed = [SignIn(r.attempt_time, r.username or "", r.ip_address, False, r.locked_out)
              for r in AccessFailureLog.objects.order_by("-attempt_time")[:limit]]
    return sorted(ok + failed, key=lambda s: s.at, reverse=True)[:limit]


def security_events_recent(*, viewer: User, limit: int = 100) -> list[SecurityEvent]:
    _require_auditor(viewer)
    return list(SecurityEvent.objects.order_by("-at", "-pk")[:limit])
