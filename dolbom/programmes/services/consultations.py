"""Free consultations (마을세무사·마을변호사): the adviser's hours and slots, bookings, rescheduling with a
cut-off, reminders, the outcome, and a referral to the dong office when a welfare need shows up.

One booking per slot is a partial unique constraint (``booking_one_per_slot``), so two people pressing
"book" for the same 15:20 cannot both get it; the loser is told the time was just taken.

The referral: the adviser is an outside professional who may neither read the registry nor open a case
(accounts/scope.py), and a name and a phone number do not identify a resident safely. So the adviser
notifies the dong office of the person's address, with the consent the person gave in the consultation,
and the dong officer — who may search the registry — identifies the person and opens a discovered case
through ``cases.services.case_discover`` (origin: community referral), the Act's path for a need found
before anyone applied (돌봄통합지원법 §11). A referral that leads nowhere is closed with a reason.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import lock_in_scope, profile
from dolbom.areas.models import Dong
from dolbom.cases.models import Case, CaseOrigin
from dolbom.integrations.messaging import MessagePurpose
from dolbom.lib import recurrence
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.lib.ratelimit import Limit, hit
from dolbom.programmes import selectors
from dolbom.programmes.errors import ProgrammeErrorCode as E
from dolbom.programmes.errors import RateLimited
from dolbom.programmes.models import (
    Adviser,
    AdviserKind,
    BookingStatus,
    ConsultationBooking,
    ConsultationSchedule,
    ConsultationSlot,
    EventKind,
    ReferralStatus,
    Source,
    WelfareReferral,
)
from dolbom.programmes.services.common import (
    busy_answer,
    event,
    id_by_token,
    link_token,
    mobile_or_blank,
    moment_text,
    new_nonce,
    notify,
    public_url,
    require_reason,
    slot_lock,
    token_hash,
)
from dolbom.registry.models import CITY_RECIPIENT, ConsentPurpose, Resident
from dolbom.verification.services import challenge_consume, challenge_start, phone_hash

PURPOSE = "programmes.consult"
PER_PHONE = Limit("programmes.consult.phone", per=4, seconds=600)  # as signups.PER_PHONE
PER_ADDRESS = Limit("programmes.consult.address", per=20, seconds=600)
SLOT_MINUTES = (20, 30)
REMINDER_HOUR = 10  # the day-before reminder goes out from 10:00
TWO_HOURS = dt.timedelta(hours=2)


def subject(slot: ConsultationSlot | int) -> str:
    return f"slot:{slot if isinstance(slot, int) else slot.pk}"


def _require_adviser_manager(actor: User, adviser: Adviser) -> None:
    if not selectors.can_manage_adviser(actor, adviser):
        raise Forbidden(E.NOT_ALLOWED)


# Advisers and their hours -------------------------------------------------------------------------

@transaction.atomic
def adviser_create(*, actor: User, name: str, kind: str, venue: str, contact: str, organisation: str = "",
                   dong: Dong | None = None, user: User | None = None, cancel_cutoff_hours: int = 24,
                   booking_opens_days: int = 31) -> Adviser:
    p = profile(actor)
    if p is None or p.role not in (Role.CITY_TEAM, Role.DONG_OFFICER):
        raise Forbidden(E.NOT_ALLOWED)
    if p.role == Role.DONG_OFFICER and (dong is None or dong.pk != p.dong_id):
        raise Forbidden(E.NOT_ALLOWED)
    if not name.strip() or not venue.strip() or not contact.strip() or kind not in AdviserKind.values:
        raise DomainError(E.FIELDS_REQUIRED)
    return Adviser.objects.create(name=name.strip(), kind=kind, venue=venue.strip(), contact=contact.strip(),
                                  organisation=organisation.strip(), dong=dong, user=user,
                                  cancel_cutoff_hours=cancel_cutoff_hours, booking_opens_days=booking_opens_days,
                                  created_by=actor)


def _slot_times(day: dt.date, start: dt.time, end: dt.time, minutes: int) -> list[tuple[dt.datetime, dt.datetime]]:
    tz = timezone.get_current_timezone()
    at, stop = dt.datetime.combine(day, start, tz), dt.datetime.combine(day, end, tz)
    out = []
    while at + dt.timedelta(minutes=minutes) <= stop:
        out.append((at, at + dt.timedelta(minutes=minutes)))
        at += dt.timedelta(minutes=minutes)
    return out


@transaction.atomic
def schedule_create(*, actor: User, adviser: Adviser, rrule: str, starts_on: dt.date, ends_on: dt.date,
                    start_time: dt.time, end_time: dt.time, slot_minutes: int) -> ConsultationSchedule:
    """Regular hours (FREQ=MONTHLY;BYDAY=4MO, 15:00–17:00, 20-minute slots) and their slots, at once."""
    _require_adviser_manager(actor, adviser)
    try:
        recurrence.parse(rrule)
    except recurrence.RuleError as exc:
        raise DomainError(E.RULE_INVALID) from exc
    if ends_on < starts_on or ends_on - starts_on > dt.timedelta(days=731):
        raise DomainError(E.SEASON_INVALID)
    if slot_minutes not in SLOT_MINUTES or end_time <= start_time:
        raise DomainError(E.SLOT_INVALID)
    schedule = ConsultationSchedule.objects.create(adviser=adviser, rrule=rrule.strip().upper(), starts_on=starts_on,
                                                   ends_on=ends_on, start_time=start_time, end_time=end_time,
                                                   slot_minutes=slot_minutes)
    slots_generate(schedule=schedule)
    return schedule


def slots_generate(*, schedule: ConsultationSchedule) -> int:
    """The slots of a schedule's days; existing ones are kept (idempotent)."""
    made = 0
    for day in recurrence.between(schedule.rrule, schedule.starts_on, until=schedule.ends_on):
        for starts, ends in _slot_times(day, schedule.start_time, schedule.end_time, schedule.slot_minutes):
            _, new = ConsultationSlot.objects.get_or_create(
                adviser=schedule.adviser, starts_at=starts,
                defaults={"ends_at": ends, "schedule": schedule, "venue": schedule.adviser.venue})
            made += new
    return made


@transaction.atomic
def slot_add(*, actor: User, adviser: Adviser, starts_at: dt.datetime, minutes: int, venue: str = "") -> ConsultationSlot:
    """An on-demand slot (수시 상담) outside the regular hours."""
    _require_adviser_manager(actor, adviser)
    if minutes not in SLOT_MINUTES:
        raise DomainError(E.SLOT_INVALID)
    if starts_at <= timezone.now():
        raise DomainError(E.SLOT_PAST)
    try:
        with transaction.atomic():
            return ConsultationSlot.objects.create(adviser=adviser, starts_at=starts_at,
                                                   ends_at=starts_at + dt.timedelta(minutes=minutes),
                                                   venue=venue.strip() or adviser.venue, on_demand=True)
    except IntegrityError as exc:
        raise DomainError(E.SLOT_INVALID) from exc


# Booking ------------------------------------------------------------------------------------------

def _check_slot(slot: ConsultationSlot, now: dt.datetime, *, public: bool) -> None:
    if slot.cancelled_at is not None or slot.starts_at <= now or not slot.adviser.active:
        raise DomainError(E.SLOT_PAST)
    if public and slot.starts_at > now + dt.timedelta(days=slot.adviser.booking_opens_days):
        raise DomainError(E.SLOT_PAST)
    if ConsultationBooking.objects.filter(slot=slot).exclude(status=BookingStatus.CANCELLED).exists():
        raise DomainError(E.SLOT_TAKEN)


def booking_start(*, slot: ConsultationSlot, name: str, phone: str, topic: str, privacy_consent: bool,
                  ip: str | None = None):
    now = timezone.now()
    _check_slot(slot, now, public=True)
    if not privacy_consent:
        raise DomainError(E.PRIVACY_CONSENT_REQUIRED)
    if not name.strip():
        raise DomainError(E.NAME_REQUIRED)
    if not topic.strip():
        raise DomainError(E.TOPIC_REQUIRED)
    from dolbom.integrations.messaging import phone_normalise

    number = phone_normalise(phone)
    if not hit(PER_PHONE, number) or (ip and not hit(PER_ADDRESS, ip)):
        raise RateLimited(E.RATE_LIMITED)
    return challenge_start(phone=number, purpose=PURPOSE, subject=subject(slot),
                           sender_label="전주시 상담", ip=ip)


def _book(slot: ConsultationSlot, *, name: str, phone: str, topic: str, source: str, now: dt.datetime,
          actor: User | None = None, resident: Resident | None = None) -> tuple[ConsultationBooking, str]:
    nonce = new_nonce()
    token = link_token(nonce)
    try:
        with transaction.atomic():
            booking = ConsultationBooking.objects.create(
                slot=slot, adviser=slot.adviser, source=source, name=name.strip()[:50], phone=phone,
                phone_hash=phone_hash(phone) if phone else token_hash(nonce), topic=topic.strip()[:2000],
                resident=resident, created_by=actor, manage_nonce=nonce, manage_token_hash=token_hash(token),
                created_at=now)
    except IntegrityError as exc:
        if ConsultationBooking.objects.filter(slot=slot).exclude(status=BookingStatus.CANCELLED).exists():
            raise DomainError(E.SLOT_TAKEN) from exc
        raise DomainError(E.ALREADY_BOOKED) from exc
    event(EventKind.BOOKED, actor=actor, booking=booking, at=now, slot=slot.pk, source=source)
    link = public_url("programmes:public_booking", token)
    notify(phone, f"[{slot.adviser.get_kind_display()} 상담] {moment_text(slot.starts_at)} {slot.venue} 예약되었습니다. "
                  f"변경·취소: {link}", reference=f"programmes-booking-{booking.pk}")
    return booking, token


@busy_answer
@transaction.atomic
def booking_apply(*, slot_id: int, challenge_token: str, name: str, phone: str, topic: str
                  ) -> tuple[ConsultationBooking, str]:
    now = timezone.now()
    slot = slot_lock(slot_id)
    if slot is None:
        raise NotFound(E.SLOT_NOT_FOUND)
    number = mobile_or_blank(phone)
    challenge_consume(token=challenge_token, purpose=PURPOSE, phone=number, subject=subject(slot))
    _check_slot(slot, now, public=True)
    if not topic.strip() or not name.strip():
        raise DomainError(E.TOPIC_REQUIRED)
    return _book(slot, name=name, phone=number, topic=topic, source=Source.PUBLIC, now=now)


@busy_answer
@transaction.atomic
def booking_register(*, actor: User, slot: ConsultationSlot, name: str, phone: str, topic: str,
                     resident: Resident | None = None) -> tuple[ConsultationBooking, str]:
    """Staff book for a person who called or came to the counter (phone optional: no text without one)."""
    now = timezone.now()
    locked = slot_lock(slot.pk)
    if locked is None:
        raise NotFound(E.SLOT_NOT_FOUND)
    if not (selectors.can_book_for_residents(actor) or selectors.can_manage_adviser(actor, locked.adviser)):
        raise Forbidden(E.NOT_ALLOWED)
    if resident is not None:
        from dolbom.registry.selectors import resident_visible

        resident = lock_in_scope(resident_visible(actor), resident.pk, E.BOOKING_NOT_FOUND)
        name = name or resident.name
        phone = phone or resident.phone
    _check_slot(locked, now, public=False)
    if not name.strip():
        raise DomainError(E.NAME_REQUIRED)
    if not topic.strip():
        raise DomainError(E.TOPIC_REQUIRED)
    return _book(locked, name=name, phone=mobile_or_blank(phone), topic=topic, source=Source.STAFF, now=now,
                 actor=actor, resident=resident)


def _booking_id(token: str) -> int:
    return id_by_token(ConsultationBooking, token, E.BOOKING_NOT_FOUND)


def _may_change(booking: ConsultationBooking, actor: User | None, now: dt.datetime) -> None:
    if booking.status != BookingStatus.BOOKED:
        raise DomainError(E.BOOKING_NOT_ACTIVE)
    if actor is None:
        cutoff = booking.slot.starts_at - dt.timedelta(hours=booking.adviser.cancel_cutoff_hours)
        if now >= cutoff:
            raise DomainError(E.CUTOFF_PASSED, hours=booking.adviser.cancel_cutoff_hours,
                              contact=booking.adviser.contact)
    elif not (selectors.can_book_for_residents(actor) or selectors.can_record_outcome(actor, booking.adviser)):
        raise Forbidden(E.NOT_ALLOWED)


def _locked_booking(pk: int) -> ConsultationBooking:
    slot_id = ConsultationBooking.objects.filter(pk=pk).values_list("slot_id", flat=True).first()
    if slot_id is None:
        raise NotFound(E.BOOKING_NOT_FOUND)
    slot_lock(slot_id)
    return ConsultationBooking.objects.select_for_update(of=("self",)).select_related("slot", "adviser").get(pk=pk)


@busy_answer
@transaction.atomic
def booking_cancel(*, token: str = "", actor: User | None = None, booking: ConsultationBooking | None = None,
                   reason: str = "") -> ConsultationBooking:
    """Cancel by the person's link until the cut-off, or by staff with a reason at any time before it starts."""
    now = timezone.now()
    if actor is not None:
        assert booking is not None
        reason = require_reason(reason)
    row = _locked_booking(booking.pk if actor is not None and booking else _booking_id(token))
    _may_change(row, actor, now)
    row.status, row.cancelled_at, row.cancel_reason = BookingStatus.CANCELLED, now, (reason or "본인 취소")[:300]
    row.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    event(EventKind.BOOKING_CANCELLED, actor=actor, booking=row, reason=row.cancel_reason, at=now)
    notify(row.phone, f"[{row.adviser.get_kind_display()} 상담] {moment_text(row.slot.starts_at)} 예약이 취소되었습니다.",
           reference=f"programmes-booking-cancel-{row.pk}")
    return row


@busy_answer
@transaction.atomic
def booking_reschedule(*, slot: ConsultationSlot, token: str = "", actor: User | None = None,
                       booking: ConsultationBooking | None = None) -> ConsultationBooking:
    """Move a booking to another free slot of an adviser of the same kind (same cut-off as cancelling)."""
    now = timezone.now()
    pk = booking.pk if actor is not None and booking else _booking_id(token)
    current = ConsultationBooking.objects.filter(pk=pk).values_list("slot_id", flat=True).first()
    if current is None:
        raise NotFound(E.BOOKING_NOT_FOUND)
    # Both slots locked in a fixed order, so two people swapping times cannot deadlock.
    for slot_id in sorted({current, slot.pk}):
        slot_lock(slot_id)
    row = ConsultationBooking.objects.select_for_update(of=("self",)).select_related("slot", "adviser").get(pk=pk)
    target = ConsultationSlot.objects.select_related("adviser").get(pk=slot.pk)
    _may_change(row, actor, now)
    if target.adviser.kind != row.adviser.kind:
        raise DomainError(E.SLOT_INVALID)
    _check_slot(target, now, public=actor is None)
    before = row.slot
    row.slot, row.adviser = target, target.adviser
    row.rescheduled += 1
    row.reminded_day_before_at = row.reminded_two_hours_at = None
    try:
        with transaction.atomic():
            row.save(update_fields=["slot", "adviser", "rescheduled", "reminded_day_before_at",
                                    "reminded_two_hours_at"])
    except IntegrityError as exc:
        raise DomainError(E.SLOT_TAKEN) from exc
    event(EventKind.RESCHEDULED, actor=actor, booking=row, at=now, before=before.starts_at.isoformat(),
          after=target.starts_at.isoformat())
    notify(row.phone, f"[{target.adviser.get_kind_display()} 상담] 예약이 {moment_text(target.starts_at)} {target.venue}(으)로 "
                      "변경되었습니다.", reference=f"programmes-booking-move-{row.pk}-{row.rescheduled}")
    return row


# After the consultation ---------------------------------------------------------------------------

@transaction.atomic
def booking_outcome_record(*, actor: User, booking: ConsultationBooking, attended: bool, outcome: str = "",
                           welfare_need: str = "", consent_given: bool = False, dong: Dong | None = None
                           ) -> ConsultationBooking:
    """What was advised (or a no-show), and, when a welfare need showed up and the person agreed, a
    referral to the dong office."""
    row = ConsultationBooking.objects.select_for_update(of=("self",)).select_related("adviser", "slot").filter(
        pk=booking.pk).first()
    if row is None:
        raise NotFound(E.BOOKING_NOT_FOUND)
    if not selectors.can_record_outcome(actor, row.adviser):
        raise Forbidden(E.NOT_ALLOWED)
    if row.status == BookingStatus.CANCELLED:
        raise DomainError(E.BOOKING_NOT_ACTIVE)
    now = timezone.now()
    if attended and not outcome.strip():
        raise DomainError(E.OUTCOME_REQUIRED)
    if welfare_need.strip():
        if not attended:
            raise DomainError(E.OUTCOME_REQUIRED)
        if not consent_given:
            # PIPA §17: passing the person's situation to the dong office needs their consent.
            raise DomainError(E.CONSENT_REQUIRED)
        if dong is None:
            raise DomainError(E.DONG_REQUIRED)
    row.status = BookingStatus.DONE if attended else BookingStatus.NO_SHOW
    row.outcome, row.outcome_at, row.outcome_by = outcome.strip(), now, actor
    row.save(update_fields=["status", "outcome", "outcome_at", "outcome_by"])
    event(EventKind.OUTCOME, actor=actor, booking=row, at=now, attended=attended)
    if welfare_need.strip():
        assert dong is not None
        referral = WelfareReferral.objects.create(booking=row, dong=dong, need=welfare_need.strip(), consent_at=now,
                                                  consent_method="verbal", created_by=actor, created_at=now)
        event(EventKind.REFERRED, actor=actor, booking=row, at=now, referral=referral.pk, dong=dong.pk)
    return row


def _locked_referral(actor: User, referral: WelfareReferral) -> WelfareReferral:
    if not selectors.can_book_for_residents(actor):  # the dong office's work (it may search the registry)
        raise Forbidden(E.NOT_ALLOWED)
    row = lock_in_scope(selectors.referral_visible(actor).select_related("booking__adviser"), referral.pk,
                        E.REFERRAL_NOT_FOUND)
    if row.status != ReferralStatus.NEW:
        raise DomainError(E.REFERRAL_DONE)
    return row


@transaction.atomic
def welfare_referral_open_case(*, actor: User, referral: WelfareReferral, resident: Resident) -> Case:
    """The dong officer has found the person in the registry: a discovered case (community referral),
    with the consent given at the consultation kept in the registry's consent records."""
    from dolbom.cases.services import case_discover
    from dolbom.registry.selectors import resident_visible
    from dolbom.registry.services import consent_record

    row = _locked_referral(actor, referral)
    person = lock_in_scope(resident_visible(actor), resident.pk, E.REFERRAL_NOT_FOUND)
    booking = row.booking
    consent_record(actor=actor, resident=person, purpose=ConsentPurpose.INFORMATION_SHARING,
                   recipient=CITY_RECIPIENT, given_at=row.consent_at, method=row.consent_method,
                   note=f"{booking.adviser.get_kind_display()} 상담 중 복지 연계에 동의"[:200])
    case = case_discover(actor=actor, resident=person, origin=CaseOrigin.COMMUNITY_REFERRAL,
                         note=f"{booking.adviser.get_kind_display()} 상담 연계: {row.need}"[:500])
    now = timezone.now()
    row.status, row.case, row.handled_by, row.handled_at = ReferralStatus.CASE_OPENED, case, actor, now
    row.save(update_fields=["status", "case", "handled_by", "handled_at"])
    if booking.resident_id is None:
        ConsultationBooking.objects.filter(pk=booking.pk).update(resident=person)
    event(EventKind.REFERRAL_HANDLED, actor=actor, booking=booking, at=now, referral=row.pk, case=case.pk)
    return case


@transaction.atomic
def welfare_referral_close(*, actor: User, referral: WelfareReferral, reason: str) -> WelfareReferral:
    reason = require_reason(reason)
    row = _locked_referral(actor, referral)
    now = timezone.now()
    row.status, row.close_reason, row.handled_by, row.handled_at = ReferralStatus.CLOSED, reason[:300], actor, now
    row.save(update_fields=["status", "close_reason", "handled_by", "handled_at"])
    event(EventKind.REFERRAL_HANDLED, actor=actor, booking=row.booking, reason=reason, at=now, referral=row.pk)
    return row


# Reminders -------------------------------------------------------------------------------------------

def reminders_send(*, now: dt.datetime | None = None) -> int:
    """The day before (from 10:00) and two hours before, once each; a booking made after a reminder's
    moment gets no such reminder (its confirmation just arrived)."""
    now = now or timezone.now()
    sent = 0
    rows = ConsultationBooking.objects.filter(status=BookingStatus.BOOKED, slot__starts_at__gt=now,
                                              slot__starts_at__lte=now + dt.timedelta(days=2),
                                              slot__cancelled_at__isnull=True).exclude(phone="").select_related(
        "slot", "adviser")
    tz = timezone.get_current_timezone()
    for row in rows:
        starts = row.slot.starts_at
        day_before = dt.datetime.combine(timezone.localtime(starts).date() - dt.timedelta(days=1),
                                         dt.time(REMINDER_HOUR), tz)
        kind = ""
        if row.reminded_two_hours_at is None and now >= starts - TWO_HOURS and row.created_at < starts - TWO_HOURS:
            kind, field_name = "two_hours", "reminded_two_hours_at"
        elif (row.reminded_day_before_at is None and day_before <= now < starts - TWO_HOURS
              and row.created_at < day_before):
            kind, field_name = "day_before", "reminded_day_before_at"
        if not kind:
            continue
        with transaction.atomic():
            # Compare-and-set: two scheduler nodes never send the same reminder twice.
            if ConsultationBooking.objects.filter(pk=row.pk, **{f"{field_name}__isnull": True}).update(
                    **{field_name: now}) != 1:
                continue
            when = "내일" if kind == "day_before" else "2시간 뒤"
            notify(row.phone, f"[{row.adviser.get_kind_display()} 상담] {when} {moment_text(starts)} {row.slot.venue}. "
                              f"변경은 {row.adviser.contact}", reference=f"programmes-booking-{row.pk}-{kind}",
                   purpose=MessagePurpose.REMINDER)
            event(EventKind.REMINDED, booking=row, at=now, reminder=kind)
            sent += 1
    return sent
