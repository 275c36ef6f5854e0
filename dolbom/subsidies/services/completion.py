"""After approval: the completion report with photos, the inspector's visit (scheduled through visits),
the check, the payment, and the clawback when the conditions are not kept."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.lib.errors import DomainError, Forbidden
from dolbom.subsidies.errors import SubsidyErrorCode
from dolbom.subsidies.models import (
    Application,
    ApplicationStatus,
    Clawback,
    Completion,
    CompletionResult,
    Payment,
)
from dolbom.subsidies.selectors import can_manage
from dolbom.subsidies.services.applications import Upload, _lock, _text, document_add
from dolbom.subsidies.services.budget import budget_pay, budget_recover
from dolbom.visits.models import Priority, Skill, Visit, VisitType
from dolbom.visits.services import visit_create

INSPECTION_MINUTES = 40


def _require(actor: User, application: Application) -> None:
    if not can_manage(actor, application.programme):
        raise Forbidden(SubsidyErrorCode.NOT_ALLOWED)


def _status(application: Application, *allowed: str) -> None:
    if application.status not in allowed:
        raise DomainError(SubsidyErrorCode.BAD_STATUS, status=application.get_status_display())


@transaction.atomic
def completion_report(*, actor: User | None, application: Application, photos: list[Upload] = (),
                      note: str = "") -> Completion:
    """The installer or the applicant reports the work done (설치·준공), with photos."""
    application = _lock(actor, application)
    _status(application, ApplicationStatus.APPROVED)
    for photo in photos:
        document_add(actor=actor, application=application, kind="photo", data=photo.data, name=photo.name,
                     check=False)
    completion, _ = Completion.objects.update_or_create(application=application, defaults={
        "reported_at": timezone.now(), "note": note.strip()})
    return completion


@transaction.atomic
def inspection_schedule(*, actor: User, application: Application, due_on: dt.date) -> Visit:
    """The inspector's visit goes on the visits plan (visits.services.visit_create), like any home visit."""
    application = _lock(actor, application)
    _require(actor, application)
    _status(application, ApplicationStatus.APPROVED)
    if application.household_id is None:
        raise DomainError(SubsidyErrorCode.NO_HOUSEHOLD)
    if due_on < timezone.localdate():
        raise DomainError(SubsidyErrorCode.DUE_DATE_INVALID)
    visit = visit_create(actor=actor, household=application.household, visit_type=VisitType.CARE_CHECK,
                         skill=Skill.SOCIAL_WORKER, duration_minutes=INSPECTION_MINUTES,
                         window_start=dt.time(9), window_end=dt.time(17), due_on=due_on, priority=Priority.NORMAL,
                         note=f"지원사업 준공 확인: {application.programme.name} {application.number}")
    completion, _ = Completion.objects.get_or_create(application=application,
                                                     defaults={"reported_at": timezone.now()})
    completion.visit, completion.inspection_on = visit, due_on
    completion.save(update_fields=["visit", "inspection_on"])
    return visit


@transaction.atomic
def completion_check(*, actor: User, application: Application, passed: bool, note: str,
                     inspected_on: dt.date | None = None) -> Completion:
    application = _lock(actor, application)
    _require(actor, application)
    _status(application, ApplicationStatus.APPROVED)
    if not note.strip():
        raise DomainError(SubsidyErrorCode.REASON_REQUIRED)
    completion, _ = Completion.objects.get_or_create(application=application,
                                                     defaults={"reported_at": timezone.now()})
    completion.result = CompletionResult.PASSED if passed else CompletionResult.FAILED
    completion.note, completion.inspected_by, completion.checked_at = note.strip(), actor, timezone.now()
    completion.inspection_on = inspected_on or completion.inspection_on or timezone.localdate()
    completion.save()
    if passed:
        application.status = ApplicationStatus.COMPLETED
        application.save(update_fields=["status"])
    return completion


@transaction.atomic
def payment_record(*, actor: User, application: Application, paid_on: dt.date, reference: str,
                   amount: int | None = None) -> Payment:
    """Paid after the completion check: the commitment becomes payment (less if the work cost less)."""
    application = _lock(actor, application)
    _require(actor, application)
    _status(application, ApplicationStatus.COMPLETED)
    committed = int(application.amount or 0)
    amount = committed if amount is None else int(amount)
    if not 0 < amount <= committed or not reference.strip():
        raise DomainError(SubsidyErrorCode.AMOUNT_INVALID)
    budget_pay(actor=actor, application=application, committed=committed, paid=amount)
    payment = Payment.objects.create(application=application, amount=amount, paid_on=paid_on,
                                     reference=reference.strip()[:60], recorded_by=actor, recorded_at=timezone.now())
    application.status = ApplicationStatus.PAID
    application.save(update_fields=["status"])
    _text(application, f"[전주시] {application.programme.name} {application.number}: 보조금 {amount:,}원이 "
                       f"지급되었습니다 ({paid_on:%Y-%m-%d}).", f"subsidy-paid-{application.number}")
    return payment


@transaction.atomic
def clawback_decide(*, actor: User, application: Application, amount: int, reason: str, legal_basis: str,
                    due_on: dt.date) -> Clawback:
    """환수 (보조금 관리에 관한 법률 §33, the city's ordinance): the conditions of a paid subsidy were not kept."""
    application = _lock(actor, application)
    _require(actor, application)
    _status(application, ApplicationStatus.PAID)
    paid = application.payment.amount
    if not 0 < amount <= paid:
        raise DomainError(SubsidyErrorCode.AMOUNT_INVALID)
    if not reason.strip() or not legal_basis.strip():
        raise DomainError(SubsidyErrorCode.REASON_REQUIRED)
    if due_on <= timezone.localdate():
        raise DomainError(SubsidyErrorCode.DUE_DATE_INVALID)
    clawback = Clawback.objects.create(application=application, amount=amount, reason=reason.strip(),
                                       legal_basis=legal_basis.strip()[:200], decided_by=actor,
                                       decided_at=timezone.now(), due_on=due_on)
    application.status = ApplicationStatus.CLAWED_BACK
    application.save(update_fields=["status"])
    _text(application, f"[전주시] {application.programme.name} {application.number}: 보조금 {amount:,}원 환수 "
                       f"결정 (납부 기한 {due_on:%Y-%m-%d}). 사유: {reason.strip()[:40]}", f"subsidy-clawback-{clawback.pk}")
    return clawback


@transaction.atomic
def clawback_recovered(*, actor: User, clawback: Clawback, recovered_on: dt.date) -> Clawback:
    clawback = Clawback.objects.select_for_update().select_related("application__programme").get(pk=clawback.pk)
    _require(actor, clawback.application)
    if clawback.recovered_on is not None:
        raise DomainError(SubsidyErrorCode.BAD_STATUS, status="환수 완료")
    budget_recover(actor=actor, application=clawback.application, amount=clawback.amount,
                   note=f"환수 {clawback.pk}")
    clawback.recovered_on = recovered_on
    clawback.save(update_fields=["recovered_on"])
    return clawback
