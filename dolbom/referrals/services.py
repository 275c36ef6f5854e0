"""Writes of the service directory, of referrals (the closed loop) and of discharge notices.

Every referral step locks the referral row through the viewer's scope (referral_visible) and writes
its case-timeline event in the same transaction, so a partner who lost access (consent withdrawn,
case closed) cannot move a referral either.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from dolbom.accounts.models import Role, StaffProfile
from dolbom.accounts.scope import can_write_cases, profile, role_of
from dolbom.areas.models import BoundaryArea, Dong
from dolbom.cases.models import Case, CaseOrigin, CaseStatus, SupportPlanLine
from dolbom.lib import rrn as rrn_lib
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.referrals import events
from dolbom.referrals.categories import categories
from dolbom.referrals.errors import ReferralErrorCode
from dolbom.referrals.models import (
    ACTIVE_STATUSES,
    ActivityKind,
    DischargeNotice,
    EndReason,
    Institution,
    InstitutionKind,
    Referral,
    ReferralActivity,
    ReferralStatus,
    Service,
)
from dolbom.referrals.selectors import institution_of, referral_visible, sharing_consent_for
from dolbom.registry.models import Consent, ConsentPurpose, Resident

DEFAULT_RESPONSE_DAYS = 3  # working practice in Jeonju: a provider answers a referral within three days
MAX_RESPONSE_DAYS = 30


def _require_city(actor: User) -> None:
    if role_of(actor) != Role.CITY_TEAM:
        raise Forbidden(ReferralErrorCode.NOT_ALLOWED)


def _not_future(day: dt.date) -> None:
    if day > timezone.localdate():
        raise DomainError(ReferralErrorCode.DATE_IN_FUTURE)


# Directory (city team) ---------------------------------------------------------------------------

@transaction.atomic
def institution_save(
    *, actor: User, code: str, name: str, kind: InstitutionKind | str, phone: str = "", contact_person: str = "",
    email: str = "", address: str = "", dongs: Iterable[Dong] = (), active: bool = True,
    institution: Institution | None = None,
) -> Institution:
    _require_city(actor)
    code, name = code.strip(), name.strip()
    if not code:
        raise DomainError(ReferralErrorCode.FIELD_REQUIRED, field="code")
    if not name:
        raise DomainError(ReferralErrorCode.FIELD_REQUIRED, field="name")
    if kind not in InstitutionKind.values:
        raise DomainError(ReferralErrorCode.FIELD_REQUIRED, field="kind")
    clash = Institution.objects.filter(code=code)
    if institution is not None:
        clash = clash.exclude(pk=institution.pk)
    if clash.exists():
        raise DomainError(ReferralErrorCode.CODE_TAKEN)
    inst = institution or Institution()
    inst.code, inst.name, inst.kind, inst.phone = code, name, kind, phone.strip()
    inst.contact_person, inst.email, inst.address, inst.active = contact_person.strip(), email.strip(), address, active
    inst.save()
    inst.dongs.set(list(dongs))
    return inst


@transaction.atomic
def service_save(
    *, actor: User, institution: Institution, code: str, name: str, category_code: str, eligibility: str = "",
    dongs: Iterable[Dong] = (), citywide: bool = False, capacity: int = 0, waiting: int = 0, active: bool = True,
    service: Service | None = None,
) -> Service:
    _require_city(actor)
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise DomainError(ReferralErrorCode.FIELD_REQUIRED, field="code" if not code else "name")
    if category_code not in categories().minors:
        raise DomainError(ReferralErrorCode.CATEGORY_UNKNOWN)
    clash = Service.objects.filter(code=code)
    if service is not None:
        clash = clash.exclude(pk=service.pk)
    if clash.exists():
        raise DomainError(ReferralErrorCode.CODE_TAKEN)
    svc = service or Service()
    svc.institution, svc.code, svc.name, svc.category_code = institution, code, name, category_code
    svc.eligibility, svc.citywide, svc.active = eligibility, citywide, active
    svc.capacity, svc.waiting = max(0, capacity), max(0, waiting)
    svc.save()
    svc.dongs.set(list(dongs))
    return svc


# Referral: the case manager's side -------------------------------------------------------------

@transaction.atomic
def referral_create(*, actor: User, case: Case, service: Service, plan_line: SupportPlanLine | None = None,
                    note: str = "", due_days: int | None = None) -> Referral:
    """Refer a client to a service (from a support-plan line, or from a meeting decision).

    Refused unless the client consented to sharing information with that institution (PIPA §17: a
    third party receives personal data only with the person's consent to that recipient and purpose);
    the consent is matched by the institution's code, never by a typed name."""
    from dolbom.cases.selectors import case_visible

    if not can_write_cases(actor):
        raise Forbidden(ReferralErrorCode.NOT_ALLOWED)
    locked = case_visible(actor).select_for_update(of=("self",)).filter(pk=case.pk).first()
    if locked is None:
        raise NotFound(ReferralErrorCode.REFERRAL_NOT_FOUND)
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
        raise DomainError(ReferralErrorCode.CONSENT_REQUIRED, institution=service.institution.name)
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
    locked = (referral_visible(actor).select_for_update(of=("self",)).filter(pk=referral.pk).first())
    if locked is None:
        raise NotFound(ReferralErrorCode.REFERRAL_NOT_FOUND)
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


# Discharge notices ------------------------------------------------------------------------------

def _dong_receiver(dong: Dong) -> User:
    """Who receives a discharge notice: the dong's case manager with the fewest open cases, else its officer."""
    for role in (Role.CASE_MANAGER, Role.DONG_OFFICER):
        staff = (StaffProfile.objects.filter(role=role, dong=dong, user__is_active=True)
                 .annotate(open_cases=Count("user__managed_cases",
                                            filter=~Q(user__managed_cases__status=CaseStatus.CLOSED)))
                 .order_by("open_cases", "pk").select_related("user").first())
        if staff is not None:
            return staff.user
    raise DomainError(ReferralErrorCode.NO_DONG_WORKER)


def _match_resident(*, name: str, birth_date: dt.date, rrn: str) -> Resident | None:
    if rrn:
        try:
            parsed = rrn_lib.parse(rrn)
        except rrn_lib.InvalidRRN as exc:
            raise DomainError(ReferralErrorCode.RRN_INVALID) from exc
        return Resident.objects.filter(rrn_index=rrn_lib.blind_index(parsed.digits, settings.RRN_INDEX_KEY)).first()
    matches = list(Resident.objects.filter(name=name, birth_date=birth_date, deceased_on__isnull=True)[:2])
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def discharge_notify(
    *, actor: User, name: str, birth_date: dt.date, area: BoundaryArea, road_address: str, phone: str = "",
    address_detail: str = "", rrn: str = "", discharge_on: dt.date | None = None, consent_given: bool = False,
    note: str = "",
) -> DischargeNotice:
    """A person goes home from a hospital, long-term-care facility or disability residence: the notice
    lands as a discovered case in the dong valid today for the address, assigned to that dong's worker.

    The partner worker cannot write the registry or open cases, and must not read them; the dong's
    receiving worker is the accountable actor of those writes (as if they had taken the call), while
    the notice itself keeps who sent it."""
    from dolbom.areas.selectors import dong_for_area
    from dolbom.cases.services import CITY_RECIPIENT, case_discover
    from dolbom.registry.services import consent_record, household_create, resident_create

    institution = institution_of(actor)
    if institution is None or not institution.sends_discharge_notices:
        raise Forbidden(ReferralErrorCode.NOT_A_DISCHARGE_INSTITUTION)
    name = name.strip()
    if not name:
        raise DomainError(ReferralErrorCode.FIELD_REQUIRED, field="name")
    if not road_address.strip():
        raise DomainError(ReferralErrorCode.FIELD_REQUIRED, field="road_address")
    today = timezone.localdate()
    resident = _match_resident(name=name, birth_date=birth_date, rrn=rrn.strip())
    matched = resident is not None
    if resident is None:
        if not rrn.strip():
            raise DomainError(ReferralErrorCode.RRN_REQUIRED)
        dong = dong_for_area(area=area, day=today)
        receiver = _dong_receiver(dong)
        household = household_create(actor=receiver, number=f"D-{uuid.uuid4().hex[:16]}",
                                     road_address=road_address.strip(), address_detail=address_detail.strip(),
                                     area=area, on=today)
        resident = resident_create(actor=receiver, name=name, rrn=rrn, household=household, phone=phone.strip())
    else:
        receiver = _dong_receiver(resident.dong)
    sender = profile(actor)
    origin_note = f"{institution.name} {sender.display_name if sender else ''} 퇴원 통보".strip()
    if note.strip():
        origin_note = f"{origin_note}: {note.strip()}"[:300]
    if consent_given:
        consent_record(actor=receiver, resident=resident, purpose=ConsentPurpose.CASE_MANAGEMENT,
                       recipient=CITY_RECIPIENT, method="institution",
                       note=f"{institution.name} 퇴원 연계 통보 시 본인 동의"[:200])
    case = (Case.objects.filter(resident=resident).exclude(status=CaseStatus.CLOSED).order_by("-opened_at").first())
    if case is None:
        case = case_discover(actor=receiver, resident=resident, origin=CaseOrigin.HOSPITAL_DISCHARGE,
                             note=origin_note, manager=receiver)
    else:
        events.discharge_notice_on_open_case(case=case, actor=receiver, institution=institution.name, note=origin_note)
    return DischargeNotice.objects.create(
        institution=institution, sent_by=actor, discharge_on=discharge_on or today, consent_given=consent_given,
        note=note.strip(), case=case, matched_existing=matched,
    )
