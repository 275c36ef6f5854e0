"""Retention: closed welfare cases destroyed after their legal period, the access log pruned after its own.

The law. 개인정보 보호법 §21① asks a controller to destroy personal information without delay once its
retention period has passed, unless another law requires keeping it (the proviso, and §21③: kept apart);
its Decree §16 asks for a method that cannot be reversed; 표준 개인정보 보호지침 §10 asks for a record of
each destruction (파기 관리대장). The period of a case-management record is five years from closure
(DOLBOM_CASE_RETENTION_YEARS): the period the Ministry of Health and Welfare's 통합사례관리 guidance sets for
case-management files under the Social Security Benefits Act (사회보장급여의 이용·제공 및 수급권자 발굴에 관한
법률), which the Integrated Care Support Act's case management follows. A city whose records schedule
(공공기록물 관리에 관한 법률 §27: disposal after the records officer's review) says otherwise sets its own
period, or turns the daily job off (DOLBOM_CASE_PURGE_BY_JOB=0) and runs ``dolbom ops purge`` after review.
The access log is kept at least two years (개인정보의 안전성 확보조치 기준 §8②: processors of unique
identifiers or of 50,000 people or more), then pruned; migration audit/0002 lets the database delete
nothing younger.

What goes with a case. Every row that refers to the case, directly or through another row that does (its
surveys, decisions, plans, follow-ups, timeline, and every domain's records about it: referrals, agenda
items, visits, check-in enrolments and their calls, incidents, ...), found from the models' foreign keys
when the purge runs, and deleted in one transaction per case. We chose this over a hook in cases that each
app fills: a table that points at a case is covered the day it is added, without its app remembering to
connect a receiver (a forgotten receiver would leave case information behind, silently), and ops sits at
the top layer, where importing every app is allowed (docs/ARCHITECTURE.md). ``case_dependents`` is the plan;
ops/tests/test_retention.py checks that no model refers to a destroyed case afterwards. The resident, their
household and consents stay: they are the registry's, not the case's. What the destroyed cases leave is a
count by month, dong, origin, closure reason, age band and sex (ops.DestroyedCaseCount), with no identifier.

A hold (ops.RetentionHold: litigation, an objection, an audit, another law) keeps a case while in force.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import lock_in_scope, role_of
from dolbom.cases.models import Case, CaseStatus
from dolbom.cases.selectors import case_visible
from dolbom.lib.errors import DomainError, Forbidden
from dolbom.ops.errors import OpsErrorCode
from dolbom.ops.models import (
    DestroyedCaseCount,
    Destruction,
    DestructionKind,
    HoldBasis,
    JobRun,
    RetentionHold,
)

CASE_BASIS = ("개인정보 보호법 제21조, 같은 법 시행령 제16조; 사회보장급여법에 따른 통합사례관리 기록 보존기간"
              "(종결 후 5년, 보건복지부 통합사례관리 사업안내)")
ACCESS_LOG_BASIS = "개인정보의 안전성 확보조치 기준 제8조 제2항 (접속기록 2년 이상 보관)"
CASE_METHOD = "데이터베이스에서 삭제(복구 불가); 통계용 익명 집계만 남김"
ACCESS_LOG_METHOD = "데이터베이스에서 삭제(복구 불가)"
MIN_ACCESS_LOG_DAYS = 730
JOB_RUN_DAYS = 90
_CHUNK = 500
_LOG_BATCH = 10_000


# What a case takes with it -------------------------------------------------------------------------

def _referring_fields(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """(model, foreign-key column) of every concrete foreign key to ``model``, hidden ones included."""
    found = []
    for other in apps.get_models(include_auto_created=True):
        if other._meta.proxy or not other._meta.managed:
            continue
        for f in other._meta.concrete_fields:
            if f.is_relation and f.related_model is model:
                found.append((other, f.attname))
    return found


def case_dependents() -> list[type[models.Model]]:
    """Every model whose rows go with a case: those that refer to it, then to those, and so on."""
    seen: list[type[models.Model]] = []
    todo = [Case]
    while todo:
        model = todo.pop(0)
        for other, _column in _referring_fields(model):
            if other not in seen and other is not Case:
                seen.append(other)
                todo.append(other)
    return seen


def _collect(case_ids: list[int]) -> dict[type[models.Model], set]:
    """The primary keys of every row that goes with these cases, by model (breadth first from the case)."""
    doomed: dict[type[models.Model], set] = defaultdict(set)
    doomed[Case] = set(case_ids)
    order: list[type[models.Model]] = [Case]
    todo: list[tuple[type[models.Model], set]] = [(Case, set(case_ids))]
    while todo:
        parent, ids = todo.pop(0)
        for child, column in _referring_fields(parent):
            new: set = set()
            id_list = sorted(ids)
            for i in range(0, len(id_list), _CHUNK):
                new |= set(child._default_manager.filter(**{f"{column}__in": id_list[i:i + _CHUNK]})
                           .values_list("pk", flat=True))
            new -= doomed[child]
            if new:
                doomed[child] |= new
                if child not in order:
                    order.append(child)
                todo.append((child, new))
    return {m: doomed[m] for m in order}


def _delete_rows(model: type[models.Model], pks: Iterable) -> int:
    """Plain DELETE: the models' PROTECT is Python's guard against deleting a case by accident, and this is
    the one deliberate deletion; the database's own foreign keys are still checked at commit."""
    qn = connection.ops.quote_name
    pk_list = sorted(pks)
    deleted = 0
    with connection.cursor() as cursor:
        for i in range(0, len(pk_list), _CHUNK):
            chunk = pk_list[i:i + _CHUNK]
            cursor.execute(f"DELETE FROM {qn(model._meta.db_table)} WHERE {qn(model._meta.pk.column)} IN "
                           f"({', '.join(['%s'] * len(chunk))})", chunk)
            deleted += cursor.rowcount
    return deleted


def _age_band(birth: dt.date, on: dt.date) -> int:
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return max(0, min(age // 10 * 10, 100))


def _count_for_statistics(case: Case) -> None:
    closed = timezone.localdate(case.closed_at)
    cell = dict(closed_month=closed.replace(day=1), dong_id=case.dong_id, origin=case.origin,
                closure_reason=case.closure_reason or "", age_band=_age_band(case.resident.birth_date, closed),
                sex=case.resident.sex)
    DestroyedCaseCount.objects.get_or_create(**cell)
    DestroyedCaseCount.objects.filter(**cell).update(cases=F("cases") + 1)


# Which cases are due -----------------------------------------------------------------------------

def _years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def holds_in_force(on: dt.date | None = None) -> models.QuerySet[RetentionHold]:
    on = on or timezone.localdate()
    return RetentionHold.objects.filter(released_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gte=on))


def cases_due(now: dt.datetime | None = None) -> models.QuerySet[Case]:
    """Closed cases whose retention period has passed and that no hold keeps."""
    now = now or timezone.now()
    cutoff = _years_before(now, settings.DOLBOM_CASE_RETENTION_YEARS)
    held = holds_in_force(timezone.localdate(now)).values("case_id")
    return (Case.objects.filter(status=CaseStatus.CLOSED, closed_at__lt=cutoff).exclude(pk__in=held)
            .order_by("closed_at", "pk"))


# The purge ----------------------------------------------------------------------------------------

@dataclass
class PurgeResult:
    dry_run: bool
    cases: list[str] = field(default_factory=list)  # case numbers
    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # table label -> rows
    held: int = 0
    access_log_rows: int = 0
    access_log_before: dt.datetime | None = None
    job_runs: int = 0

    def summary(self) -> str:
        verb = "would destroy" if self.dry_run else "destroyed"
        tables = ", ".join(f"{label} {n}" for label, n in sorted(self.rows.items())) or "no rows"
        return (f"{verb} {len(self.cases)} closed cases past {settings.DOLBOM_CASE_RETENTION_YEARS} years "
                f"({tables}); {self.held} held; access log rows before "
                f"{self.access_log_before:%Y-%m-%d}: {self.access_log_rows}; job runs: {self.job_runs}")


def _secure_delete() -> None:
    # SQLite leaves deleted rows' bytes in free pages until they are reused; secure_delete overwrites them
    # (시행령 §16: a method that cannot be reversed). PostgreSQL's dead rows go at the next VACUUM.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")


def case_destroy(*, case: Case, actor: User | None, now: dt.datetime) -> dict[str, int]:
    """Destroy one closed case and everything about it, in the caller's transaction; the record says what."""
    plan = _collect([case.pk])
    _count_for_statistics(case)
    rows: dict[str, int] = {}
    for model in reversed(list(plan)):  # the farthest rows first (foreign keys are checked at commit anyway)
        deleted = _delete_rows(model, plan[model])
        if deleted:
            rows[model._meta.label] = deleted
    years = settings.DOLBOM_CASE_RETENTION_YEARS
    Destruction.objects.create(
        kind=DestructionKind.CASE, subject=case.number, closed_at=case.closed_at, rows=rows,
        reason=f"보존기간 경과: 종결({timezone.localdate(case.closed_at):%Y-%m-%d}) 후 {years}년", basis=CASE_BASIS,
        method=CASE_METHOD, actor=actor, at=now)
    return rows


def access_log_prune(*, actor: User | None, now: dt.datetime, dry_run: bool) -> tuple[int, dt.datetime]:
    """Delete access-log rows older than the retention period, in batches (a long delete would hold the
    table); the trigger of audit/0002 refuses anything younger than two years whatever this asks."""
    from dolbom.audit.models import AccessLog

    days = settings.ACCESS_LOG_RETENTION_DAYS
    if days < MIN_ACCESS_LOG_DAYS:
        raise DomainError(OpsErrorCode.RETENTION_TOO_SHORT)
    # A day's margin: the trigger compares with the database's clock, which may differ from ours.
    before = now - dt.timedelta(days=days + 1)
    old = AccessLog.objects.filter(at__lt=before)
    if dry_run:
        return old.count(), before
    qn = connection.ops.quote_name
    table = qn(AccessLog._meta.db_table)
    total = 0
    first = last = None
    while True:
        with transaction.atomic():
            _secure_delete()
            ids = list(old.order_by("pk").values_list("pk", flat=True)[:_LOG_BATCH])
            if not ids:
                break
            span = old.filter(pk__in=ids).aggregate(first=models.Min("at"), last=models.Max("at"))
            first = span["first"] if first is None else min(first, span["first"])
            last = span["last"] if last is None else max(last, span["last"])
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(ids))})", ids)
            total += len(ids)
    if total:
        Destruction.objects.create(
            kind=DestructionKind.ACCESS_LOG, subject=f"접속기록 {first:%Y-%m-%d} – {last:%Y-%m-%d}",
            rows={AccessLog._meta.label: total}, reason=f"보존기간 경과: {days}일", basis=ACCESS_LOG_BASIS,
            method=ACCESS_LOG_METHOD, actor=actor, at=now)
    return total, before


def purge(*, actor: User | None, dry_run: bool, now: dt.datetime | None = None, cases: bool = True) -> PurgeResult:
    """``dolbom ops purge [--dry-run]`` and the daily job: cases past their period, the old access log, the
    scheduler's old run history. Each case in its own transaction, so one that fails (a table that refuses)
    leaves the others done and itself whole."""
    now = now or timezone.now()
    result = PurgeResult(dry_run=dry_run)
    result.held = holds_in_force(timezone.localdate(now)).filter(
        case__status=CaseStatus.CLOSED,
        case__closed_at__lt=_years_before(now, settings.DOLBOM_CASE_RETENTION_YEARS)).values("case").distinct().count()
    if cases:
        for case_id in list(cases_due(now).values_list("pk", flat=True)):
            if dry_run:
                case = Case.objects.get(pk=case_id)
                for model, pks in _collect([case_id]).items():
                    result.rows[model._meta.label] += len(pks)
                result.cases.append(case.number)
                continue
            with transaction.atomic():
                _secure_delete()
                # Locked and checked again: a case reopened or held since the list was read stays.
                case = cases_due(now).select_for_update().select_related("resident").filter(pk=case_id).first()
                if case is None:
                    continue
                for label, n in case_destroy(case=case, actor=actor, now=now).items():
                    result.rows[label] += n
                result.cases.append(case.number)
    result.access_log_rows, result.access_log_before = access_log_prune(actor=actor, now=now, dry_run=dry_run)
    old_runs = JobRun.objects.filter(started_at__lt=now - dt.timedelta(days=JOB_RUN_DAYS))
    result.job_runs = old_runs.count() if dry_run else old_runs.delete()[0]
    return result


# Holds ---------------------------------------------------------------------------------------------

def _may_hold(actor: User) -> None:
    if role_of(actor) not in (Role.CITY_TEAM, Role.DONG_OFFICER):
        raise Forbidden(OpsErrorCode.NOT_ALLOWED)


@transaction.atomic
def retention_hold(*, actor: User, case_id: int, basis: HoldBasis, reason: str,
                   until: dt.date | None = None) -> RetentionHold:
    _may_hold(actor)
    reason = reason.strip()
    if len(reason) < 5:
        raise DomainError(OpsErrorCode.HOLD_REASON_REQUIRED)
    if until is not None and until <= timezone.localdate():
        raise DomainError(OpsErrorCode.HOLD_UNTIL_PAST)
    case = lock_in_scope(case_visible(actor), case_id, OpsErrorCode.CASE_NOT_FOUND, actor=actor,
                         record_type="case", resident="resident_id")
    return RetentionHold.objects.create(case=case, basis=HoldBasis(basis), reason=reason[:300], until=until,
                                        recorded_by=actor, recorded_at=timezone.now())


@transaction.atomic
def retention_release(*, actor: User, case_id: int, reason: str) -> int:
    """End every hold in force on the case; the case is destroyed at the next purge if its period is over."""
    _may_hold(actor)
    reason = reason.strip()
    if len(reason) < 5:
        raise DomainError(OpsErrorCode.HOLD_REASON_REQUIRED)
    case = lock_in_scope(case_visible(actor), case_id, OpsErrorCode.CASE_NOT_FOUND, actor=actor,
                         record_type="case", resident="resident_id")
    released = holds_in_force().filter(case=case).update(released_at=timezone.now(), released_by=actor,
                                                         release_reason=reason[:300])
    if not released:
        raise DomainError(OpsErrorCode.HOLD_NOT_FOUND)
    return released
