"""Writes of referrals: the closed loop from a support plan (or a meeting decision) to the provider and back.

Every referral step locks the referral row through the viewer's scope (referral_visible) and writes
its case-timeline event in the same transaction, so a partner who lost access (consent withdrawn,
case closed) cannot move a referral either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import can_write_cases, lock_in_scope, role_of
from dolbom.cases.models import Case, CaseStatus, SupportPlanLine
from dolbom.cases.selectors import case_visible
from dolbom.lib.errors import DomainError, Forbidden
from dolbom.referrals import events
from dolbom.referrals.errors import ReferralErrorCode
from dolbom.referrals.models import (
    ACTIVE_STATUSES,
    ActivityKind,
    EndReason,
    Referral,
    ReferralActivity,
    ReferralStatus,
    Service,
)
from dolbom.referrals.selectors import referral_visible, sharing_consent_for, sharing_consent_missing
from dolbom.registry.models import Consent, ConsentPurpose

DEFAULT_RESPONSE_DAYS = 3  # working practice in Jeonju: a provider answers a referral within three days
MAX_RESPONSE_DAYS = 30


def _not_future(day: dt.date) -> None:
    if day > timezone.localdate():
        raise DomainError(ReferralErrorCode.DATE_IN_FUTURE)


# Referral: the case manager's side -------------------------------------------------------------

@transaction.atomic
def referral_create(*, actor: User, case: Case, service: Service, plan_line: SupportPlanLine | None = None,
                    note: str = "", due_days: int | None = None) -> Referral:
    """Refer a client to a service (from a support-plan line, or from a meeting decision).

    Refused unless the client consented to sharing information with that institution (PIPA §17: a
    third party receives personal data only with the person's consent to that recipient and purpose);
    the consent is matched by the institution's code, never by a typed name."""
    if not can_write_cases(actor):
        raise Forbidden(ReferralErrorCode.NOT_ALLOWED)
    locked = lock_in_scope(case_visible(actor), case.pk, ReferralErrorCode.REFERRAL_NOT_FOUND, actor=actor,
                           record_type="case", resident="resident_id")
    if locked.status == CaseStatus.CLOSED:
        raise DomainError(ReferralErrorCode.CASE_CLOSED)
    service = Service.objects.select_related("institution").get(pk=service.pk)
    if not (service.active and service.institution.active):
        raise DomainError(ReferralErrorCode.SERVICE_INACTIVE)
    if plan_line is not None and plan_line.plan.case_id != locked.pk:
        raise DomainError(ReferralErrorCode.PLAN_LINE_NOT_IN_CASE)
    days = DEFAULT_RESPONSE_DAYS if due_days is None else due_days
    if not 1 <= days <= MAX_RESPONSE_DAYS:
        raise DomainError(ReferralErrorCode.DUE_DAYS_OUT_OF_RANGE)
    consent = sharing_consent_for(resident_id=locked.resident_id, institution=service.institution)
    if consent is None:
        # Say which consent is missing or not in force, so the officer knows what to record.
        code, params = sharing_consent_missing(resident_id=locked.resident_id, institution=service.institution)
        raise DomainError(code, **params)
    referral = Referral.objects.create(
        case=locked, service=service, institution=service.institution, plan_line=plan_line, consent=consent,
        note=note.strip(), created_by=actor, respond_by=timezone.localdate() + dt.timedelta(days=days),
    )
    events.referral_created(referral=referral, actor=actor)
    return referral


def _end(referral: Referral, actor: User, reason: EndReason) -> None:
    old = referral.status
    referral.status = ReferralStatus.ENDED
    referral.end_reason = reason
    referral.ended_at = timezone.now()
    referral.save(update_fields=["status", "end_reason", "ended_at"])
    events.referral_ended(referral=referral, actor=actor, old_status=old)


@transaction.atomic
def referral_cancel(*, actor: User, referral: Referral) -> Referral:
    if not can_write_cases(actor):
        raise Forbidden(ReferralErrorCode.NOT_ALLOWED)
    referral = _lock(referral, actor)
    _require(referral, *ACTIVE_STATUSES)
    _end(referral, actor, EndReason.CANCELLED)
    return referral


@transaction.atomic
def referrals_end_for_consent(*, actor: User, consent: Consent) -> list[Referral]:
    """A withdrawn consent to share ends every active referral that relied on it, or on no other
    consent to the same institution. Access itself already ended: the selectors check consent live."""
    if consent.purpose != ConsentPurpose.INFORMATION_SHARING or not consent.recipient_code:
        return []
    ended = []
    candidates = (Referral.objects.select_for_update(of=("self",)).select_related("service", "institution", "case")
                  .filter(case__resident_id=consent.resident_id, institution__code=consent.recipient_code,
                          status__in=ACTIVE_STATUSES))
    for referral in candidates:
        if sharing_consent_for(resident_id=consent.resident_id, institution=referral.institution) is None:
            _end(referral, actor, EndReason.CONSENT_WITHDRAWN)
            ended.append(referral)
    return ended


@transaction.atomic
def referrals_end_for_case(*, actor: User, case: Case) -> list[Referral]:
    """A closed case ends its active referrals (for cases.services.case_close to call in its transaction)."""
    ended = []
    for referral in (Referral.objects.select_for_update(of=("self",)).select_related("service", "institution", "case")
                     .filter(case_id=case.pk, status__in=ACTIVE_STATUSES)):
        _end(referral, actor, EndReason.CASE_CLOSED)
        ended.append(referral)
    return ended


@transaction.atomic
def referrals_end_for_closed_cases(*, actor: User) -> int:
    """Referrals still active on cases that were closed: ended (run by `dolbom referrals sweep`).
    Partners lose access the moment the case closes; this writes the status and the timeline."""
    qs = (Referral.objects.select_for_update(of=("self",)).select_related("service", "institution", "case")
          .filter(status__in=ACTIVE_STATUSES, case__status=CaseStatus.CLOSED))
    n = 0
    for referral in qs:
        _end(referral, actor, EndReason.CASE_CLOSED)
        n += 1
    return n


# Referral: the provider's side -----------------------------------------------------------------

def _lock(referral: Referral, actor: User) -> Referral:
    locked = lock_in_scope(referral_visible(actor), referral.pk, ReferralErrorCode.REFERRAL_NOT_FOUND, actor=actor,
                           record_type="referral", resident="case__resident_id")
    return Referral.objects.select_related("case", "service", "institution").get(pk=locked.pk)


def _require(referral: Referral, *allowed: str) -> None:
    if referral.status not in allowed:
        raise DomainError(ReferralErrorCode.STEP_NOT_ALLOWED, status=ReferralStatus(referral.status).label)


def _provider_lock(referral: Referral, actor: User) -> Referral:
    # The provider answers (Act: the provider reports its decision and later changes to the city).
    if role_of(actor) != Role.PARTNER:
        raise Forbidden(ReferralErrorCode.NOT_ALLOWED)
    return _lock(referral, actor)


@transaction.atomic
def referral_accept(*, actor: User, referral: Referral) -> Referral:
    referral = _provider_lock(referral, actor)
    _require(referral, ReferralStatus.REQUESTED)
    old = referral.status
    referral.status, referral.responded_at = ReferralStatus.ACCEPTED, timezone.now()
    referral.save(update_fields=["status", "responded_at"])
    events.referral_accepted(referral=referral, actor=actor, old_status=old)
    return referral


@transaction.atomic
def referral_decline(*, actor: User, referral: Referral, reason: str) -> Referral:
    referral = _provider_lock(referral, actor)
    _require(referral, ReferralStatus.REQUESTED)
    if not reason.strip():
        raise DomainError(ReferralErrorCode.REASON_REQUIRED)
    old = referral.status
    referral.status, referral.responded_at = ReferralStatus.DECLINED, timezone.now()
    referral.decline_reason = reason.strip()
    referral.save(update_fields=["status", "responded_at", "decline_reason"])
    events.referral_declined(referral=referral, actor=actor, old_status=old)
    return referral


@transaction.atomic
def referral_start(*, actor: User, referral: Referral, started_on: dt.date | None = None) -> Referral:
    referral = _provider_lock(referral, actor)
    _require(referral, ReferralStatus.ACCEPTED)
    started_on = started_on or timezone.localdate()
    _not_future(started_on)
    old = referral.status
    referral.status, referral.started_on = ReferralStatus.STARTED, started_on
    referral.save(update_fields=["status", "started_on"])
    events.referral_started(referral=referral, actor=actor, old_status=old)
    return referral


def _activity(referral: Referral, actor: User, kind: ActivityKind, on: dt.date, note: str) -> ReferralActivity:
    if not note.strip():
        raise DomainError(ReferralErrorCode.NOTE_REQUIRED)
    _not_future(on)
    return ReferralActivity.objects.create(referral=referral, kind=kind, on=on, note=note.strip(), recorded_by=actor)


@transaction.atomic
def delivery_record(*, actor: User, referral: Referral, note: str, on: dt.date | None = None) -> ReferralActivity:
    referral = _provider_lock(referral, actor)
    _require(referral, ReferralStatus.STARTED)
    activity = _activity(referral, actor, ActivityKind.DELIVERY, on or timezone.localdate(), note)
    events.referral_delivery(referral=referral, actor=actor, activity_id=activity.pk, on=activity.on.isoformat(),
                             note=activity.note)
    return activity


@transaction.atomic
def change_report(*, actor: User, referral: Referral, note: str, on: dt.date | None = None) -> ReferralActivity:
    """A change in the service (frequency, worker, pause, hospitalisation) that the provider must report."""
    referral = _provider_lock(referral, actor)
    _require(referral, ReferralStatus.ACCEPTED, ReferralStatus.STARTED)
    activity = _activity(referral, actor, ActivityKind.CHANGE, on or timezone.localdate(), note)
    events.referral_changed(referral=referral, actor=actor, activity_id=activity.pk, on=activity.on.isoformat(),
                            note=activity.note)
    return activity


@transaction.atomic
def referral_complete(*, actor: User, referral: Referral, outcome: str,
                      completed_on: dt.date | None = None) -> Referral:
    referral = _provider_lock(referral, actor)
    _require(referral, ReferralStatus.STARTED)
    if not outcome.strip():
        raise DomainError(ReferralErrorCode.OUTCOME_REQUIRED)
    completed_on = completed_on or timezone.localdate()
    _not_future(completed_on)
    old = referral.status
    referral.status, referral.completed_on, referral.outcome = ReferralStatus.COMPLETED, completed_on, outcome.strip()
    referral.save(update_fields=["status", "completed_on", "outcome"])
    events.referral_completed(referral=referral, actor=actor, old_status=old)
    return referral


@transaction.atomic
def referral_reminders_mark(*, referrals: Iterable[Referral]) -> int:
    ids = [r.pk for r in referrals]
    return Referral.objects.filter(pk__in=ids).update(last_reminded_at=timezone.now())


