"""Entering a session: signing up (the public form after a one-time code, or staff from the registry), the
place that comes with it, cancelling, attendance and the reminder the day before.

A sign-up takes a place when one is free and nobody is waiting (places.take_places, which the database's
CHECK constraints refuse when the session is full); otherwise the family joins the waiting list
(waitlist.py), or applies for the lottery. Every write locks the session row first (``session_lock``);
the lock order is in places.py.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dolbom.accounts.scope import lock_in_scope
from dolbom.integrations.messaging import MessagePurpose, phone_masked
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.lib.metrics import month_floor
from dolbom.lib.ratelimit import Limit, hit
from dolbom.programmes import selectors
from dolbom.programmes.errors import ProgrammeErrorCode as E
from dolbom.programmes.errors import RateLimited
from dolbom.programmes.models import (
    ACTIVE,
    Allocation,
    Attendance,
    EventKind,
    Pool,
    Programme,
    ProgrammeEvent,
    Session,
    SessionStatus,
    Signup,
    SignupStatus,
    Source,
)
from dolbom.programmes.services.common import (
    busy_answer,
    event,
    family_mac,
    link_token,
    mobile_or_blank,
    moment_text,
    new_nonce,
    notify,
    public_url,
    require_reason,
    session_lock,
    token_hash,
)
from dolbom.programmes.services.places import (
    end_signup,
    lock_pair,
    require_manager,
    signup_id_by_token,
    take_places,
)
from dolbom.programmes.services.waitlist import has_waiting, next_rank, promote
from dolbom.registry.models import ConsentPurpose, Resident
from dolbom.verification.services import challenge_consume, challenge_start, phone_hash

PURPOSE = "programmes.signup"
# A family signs up a few times a season and may ask for a second code; a macro sends hundreds. These count
# sign-up attempts in ten minutes, below the one-time code's own hourly limits (verification/services.py), so
# a burst is stopped here first; an address is shared by a library PC or an apartment block's router.
PER_PHONE = Limit("programmes.signup.phone", per=4, seconds=600)
PER_ADDRESS = Limit("programmes.signup.address", per=20, seconds=600)
CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY"  # letters only: told apart from a phone number at the door


def subject(session: Session | int) -> str:
    return f"session:{session if isinstance(session, int) else session.pk}"


# Checks -----------------------------------------------------------------------------------------

def _check_party(programme: Programme, party_size: int) -> None:
    if not 1 <= party_size <= programme.max_party_size:
        raise DomainError(E.PARTY_SIZE_INVALID, max=programme.max_party_size)


def _check_public_window(session: Session, now: dt.datetime) -> None:
    window = selectors.signup_window(session, now=now)
    if window.state == "cancelled":
        raise DomainError(E.SESSION_CANCELLED)
    if window.state == "not_open":
        raise DomainError(E.NOT_OPEN_YET, opens=moment_text(session.signup_opens_at))
    if window.state != "open":
        raise DomainError(E.CLOSED)


def _check_staff_window(session: Session, now: dt.datetime) -> None:
    # Staff may sign a referred resident up before the public window opens; nobody after the start.
    if session.status == SessionStatus.CANCELLED:
        raise DomainError(E.SESSION_CANCELLED)
    if now >= session.starts_at:
        raise DomainError(E.CLOSED)


def _month_slot(session: Session, family_key: str) -> int | None:
    """The family's next free slot under the monthly limit; the unique constraint on (programme, family,
    month, slot) is what holds when the same family signs up for two sessions at the same moment."""
    limit = session.programme.limit_per_month
    if limit is None:
        return None
    month = month_floor(timezone.localtime(session.starts_at).date())
    used = set(Signup.objects.filter(programme_id=session.programme_id, family_key=family_key, month=month,
                                     month_slot__isnull=False).values_list("month_slot", flat=True))
    free = [i for i in range(1, limit + 1) if i not in used]
    if not free:
        raise DomainError(E.MONTHLY_LIMIT, limit=limit)
    return free[0]


def _checkin_code(session: Session) -> str:
    # 21**6 = 86 million codes for at most a few hundred sign-ups: a collision is rare, and checked.
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if not Signup.objects.filter(session=session, checkin_code=code).exists():
            return code


# Entering a session -------------------------------------------------------------------------------

def enter(session: Session, *, name: str, phone: str, family_key: str, party_size: int, source: str,
           now: dt.datetime, actor: User | None = None, resident: Resident | None = None, consent=None,
           referred: bool = False) -> tuple[Signup, str]:
    """The sign-up row and its place: confirmed, waiting, or applied for the lottery. Returns the link token.

    The caller holds the session's lock (``session_lock``) in its transaction: signup_apply, signup_register,
    and the demo's public sign-ups."""
    programme = session.programme
    if Signup.objects.filter(session=session, family_key=family_key, status__in=ACTIVE).exists():
        raise DomainError(E.ALREADY_SIGNED_UP)
    slot = _month_slot(session, family_key)
    places = programme.places_for(party_size)
    number = session.next_number
    Session.objects.filter(pk=session.pk).update(next_number=F("next_number") + 1)
    session.next_number += 1

    status, pool, rank = SignupStatus.WAITING, Pool.GENERAL, None
    if referred and session.reserved and take_places(session, places, Pool.RESERVED):
        status, pool = SignupStatus.CONFIRMED, Pool.RESERVED
    elif programme.allocation == Allocation.LOTTERY and session.drawn_at is None:
        status = SignupStatus.APPLIED
    elif not has_waiting(session) and take_places(session, places, Pool.GENERAL):
        # First come: a place, unless families are already waiting (they come first when one frees).
        status = SignupStatus.CONFIRMED
    if status == SignupStatus.WAITING:
        rank = next_rank(session)
    nonce = new_nonce()
    token = link_token(nonce)
    try:
        with transaction.atomic():
            signup = Signup.objects.create(
                session=session, programme=programme, number=number, status=status, pool=pool, source=source,
                name=name, phone=phone, phone_hash=phone_hash(phone) if phone else "", party_size=party_size,
                places=places, family_key=family_key, month=month_floor(timezone.localtime(session.starts_at).date()),
                month_slot=slot, resident=resident, consent=consent, referred=referred, created_by=actor,
                queue_rank=rank, was_waiting=status == SignupStatus.WAITING,
                confirmed_at=now if status == SignupStatus.CONFIRMED else None,
                checkin_code=_checkin_code(session), manage_nonce=nonce, manage_token_hash=token_hash(token),
                created_at=now)
    except IntegrityError as exc:
        # The same family at the same moment in another request (another session's lock does not serialise
        # it): the partial unique constraints decide. Everything of this request rolls back with the error.
        if Signup.objects.filter(session=session, family_key=family_key, status__in=ACTIVE).exists():
            raise DomainError(E.ALREADY_SIGNED_UP) from exc
        raise DomainError(E.MONTHLY_LIMIT, limit=programme.limit_per_month or 1) from exc
    kind = {SignupStatus.CONFIRMED: EventKind.CONFIRMED, SignupStatus.WAITING: EventKind.WAITLISTED,
            SignupStatus.APPLIED: EventKind.APPLIED}[status]
    # Both rows in one statement: the session row stays locked for as few round trips as possible.
    ProgrammeEvent.objects.bulk_create([
        ProgrammeEvent(kind=EventKind.SIGNED_UP, actor=actor, session=session, signup=signup, at=now,
                       data={"source": source, "party_size": party_size, "places": places, "referred": referred}),
        ProgrammeEvent(kind=kind, actor=actor, session=session, signup=signup, at=now,
                       data={"pool": pool, "rank": rank})])
    if status == SignupStatus.WAITING and session.free_general > 0:
        # A free place that the families ahead do not fit in is offered to whoever fits, this one included.
        if signup.pk in {s.pk for s in promote(session, now)}:
            signup.refresh_from_db()
    if signup.status != SignupStatus.OFFERED:
        _tell_entered(signup, token)
    return signup, token


def _tell_entered(signup: Signup, token: str) -> None:
    session = signup.session
    head = f"[{session.programme.name}] {moment_text(session.starts_at)}"
    link = public_url("programmes:public_signup", token)
    if signup.status == SignupStatus.CONFIRMED:
        text = f"{head} 신청이 확정되었습니다. 입장 코드 {signup.checkin_code}. 확인·취소: {link}"
    elif signup.status == SignupStatus.APPLIED:
        text = f"{head} 추첨 신청이 접수되었습니다 (접수번호 {signup.number}). 결과는 문자로 알려 드립니다. {link}"
    else:
        def text() -> str:  # the position is counted after the commit, outside the session's lock
            return (f"{head} 정원이 차서 대기 {selectors.waiting_position(signup)}번으로 접수되었습니다. "
                    f"자리가 나면 문자로 알려 드립니다. {link}")
    notify(signup.phone, text, reference=f"programmes-signup-{signup.pk}-{signup.status}")



# Public sign-up --------------------------------------------------------------------------------

def signup_start(*, session: Session, name: str, phone: str, party_size: int, privacy_consent: bool,
                 ip: str | None = None):
    """The form's first step: checks, rate limits, and a one-time code to the phone (sent on commit)."""
    now = timezone.now()
    _check_public_window(session, now)
    if not privacy_consent:
        raise DomainError(E.PRIVACY_CONSENT_REQUIRED)
    if not name.strip():
        raise DomainError(E.NAME_REQUIRED)
    _check_party(session.programme, party_size)
    number = mobile_or_blank(phone)
    if not number:
        from dolbom.integrations.messaging import phone_normalise

        phone_normalise(phone)  # raises the messaging app's invalid_phone with its message
    if not hit(PER_PHONE, number) or (ip and not hit(PER_ADDRESS, ip)):
        raise RateLimited(E.RATE_LIMITED)
    return challenge_start(phone=number, purpose=PURPOSE, subject=subject(session),
                           sender_label=session.programme.name[:20], ip=ip)


@busy_answer
@transaction.atomic
def signup_apply(*, session_id: int, challenge_token: str, name: str, phone: str, party_size: int) -> tuple[Signup, str]:
    """The sign-up itself, once the code is verified (verification.challenge_verify, in its own transaction).

    One transaction: the session row is locked first, the code is used up, the place is taken or the
    family joins the waiting list. Returns the sign-up and its link token (shown once, sent by text)."""
    now = timezone.now()
    session = session_lock(session_id)
    if session is None:
        raise NotFound(E.SESSION_NOT_FOUND)
    number = mobile_or_blank(phone)
    challenge_consume(token=challenge_token, purpose=PURPOSE, phone=number, subject=subject(session))
    _check_public_window(session, now)
    _check_party(session.programme, party_size)
    if not name.strip():
        raise DomainError(E.NAME_REQUIRED)
    return enter(session, name=name.strip()[:50], phone=number, family_key=phone_hash(number),
                  party_size=party_size, source=Source.PUBLIC, now=now)


# Staff sign-up from the registry ----------------------------------------------------------------

def _consent_for(actor: User, resident: Resident, programme: Programme, method: str):
    """The resident's consent to share their name and phone with the organiser: an active consent record,
    or one recorded now (registry.services.consent_record) when staff confirm the resident agreed."""
    from dolbom.registry.services import consent_record

    now = timezone.now()
    for consent in resident.consents.filter(purpose=ConsentPurpose.INFORMATION_SHARING, withdrawn_at__isnull=True):
        same = (consent.recipient_code == programme.organiser_code) if programme.organiser_code \
            else consent.recipient == programme.organiser
        if same and consent.is_active_on(now):
            return consent
    if method not in ("written", "verbal"):
        raise DomainError(E.CONSENT_REQUIRED)
    return consent_record(actor=actor, resident=resident, purpose=ConsentPurpose.INFORMATION_SHARING,
                          recipient=programme.organiser, recipient_code=programme.organiser_code, method=method,
                          note=f"프로그램 신청: {programme.name}"[:200])


@busy_answer
@transaction.atomic
def signup_register(*, actor: User, session: Session, resident: Resident, party_size: int,
                    consent_method: str = "", referred: bool = False, phone: str = "") -> tuple[Signup, str]:
    """Staff sign a resident up (at the counter, on the phone), with the resident's consent on record.

    ``referred``: a case manager's referral, which may take one of the session's reserved places."""
    from dolbom.registry.selectors import resident_visible

    now = timezone.now()
    locked = session_lock(session.pk)
    if locked is None:
        raise NotFound(E.SESSION_NOT_FOUND)
    if not selectors.can_sign_up_residents(actor):
        raise Forbidden(E.NOT_ALLOWED)
    person = lock_in_scope(resident_visible(actor), resident.pk, E.SIGNUP_NOT_FOUND)
    _check_staff_window(locked, now)
    _check_party(locked.programme, party_size)
    consent = _consent_for(actor, person, locked.programme, consent_method)
    number = mobile_or_blank(phone or person.phone)
    key = phone_hash(number) if number else family_mac("household", str(person.household_id))
    return enter(locked, name=person.name, phone=number, family_key=key, party_size=party_size,
                  source=Source.STAFF, now=now, actor=actor, resident=person, consent=consent, referred=referred)


# Cancelling ---------------------------------------------------------------------------------------

@busy_answer
@transaction.atomic
def signup_cancel(*, token: str = "", actor: User | None = None, signup: Signup | None = None,
                  reason: str = "") -> Signup:
    """Cancel by the person's link (``token``) or by staff (``actor`` and ``signup``, with a reason). A freed
    place goes to the waiting list at once, in the same transaction."""
    now = timezone.now()
    if actor is not None:
        assert signup is not None
        reason = require_reason(reason)
        session, row = lock_pair(signup.pk)
        if not (selectors.can_manage(actor, session.programme) or row.created_by_id == actor.pk):
            raise Forbidden(E.NOT_ALLOWED)
    else:
        session, row = lock_pair(signup_id_by_token(token))
        reason = reason.strip() or "본인 취소"
        if now >= session.starts_at:
            raise DomainError(E.CLOSED)
    if not row.is_active:
        raise DomainError(E.NOT_ACTIVE)
    declined = row.status == SignupStatus.OFFERED and actor is None
    end_signup(session, row, status=SignupStatus.CANCELLED, now=now, reason=reason, actor=actor,
         kind=EventKind.OFFER_DECLINED if declined else EventKind.CANCELLED)
    notify(row.phone, f"[{session.programme.name}] {moment_text(session.starts_at)} 신청이 취소되었습니다.",
           reference=f"programmes-cancel-{row.pk}")
    promote(session, now)
    return row



# Attendance -------------------------------------------------------------------------------------

@transaction.atomic
def checkin(*, actor: User, signup: Signup) -> Signup:
    row = Signup.objects.select_for_update().select_related("session__programme").filter(pk=signup.pk).first()
    if row is None:
        raise NotFound(E.SIGNUP_NOT_FOUND)
    require_manager(actor, row.session)
    if row.status != SignupStatus.CONFIRMED:
        raise DomainError(E.NOT_CONFIRMED)
    if row.attendance == Attendance.ATTENDED:
        raise DomainError(E.ALREADY_CHECKED_IN)
    row.attendance, row.checked_in_at = Attendance.ATTENDED, timezone.now()
    row.save(update_fields=["attendance", "checked_in_at"])
    event(EventKind.CHECKED_IN, actor=actor, session=row.session, signup=row)
    return row


def checkin_by_code(*, actor: User, session: Session, code: str) -> Signup:
    signup = Signup.objects.filter(session=session, checkin_code=code.strip().upper(),
                                   status=SignupStatus.CONFIRMED).first()
    if signup is None:
        raise DomainError(E.CODE_UNKNOWN)
    return checkin(actor=actor, signup=signup)


@transaction.atomic
def checkin_undo(*, actor: User, signup: Signup, reason: str) -> Signup:
    reason = require_reason(reason)
    row = Signup.objects.select_for_update().select_related("session__programme").get(pk=signup.pk)
    require_manager(actor, row.session)
    if row.attendance == Attendance.UNKNOWN:
        raise DomainError(E.NOT_CHECKED_IN)
    row.attendance, row.checked_in_at = Attendance.UNKNOWN, None
    row.save(update_fields=["attendance", "checked_in_at"])
    event(EventKind.CHECKIN_UNDONE, actor=actor, session=row.session, signup=row, reason=reason)
    return row


@busy_answer
@transaction.atomic
def attendance_close(*, actor: User, session: Session) -> int:
    """After the session: every confirmed family not checked in is a no-show. Returns how many."""
    now = timezone.now()
    locked = session_lock(session.pk)
    assert locked is not None
    require_manager(actor, locked)
    if now < locked.starts_at:
        raise DomainError(E.SESSION_NOT_STARTED)
    count = Signup.objects.filter(session=locked, status=SignupStatus.CONFIRMED,
                                  attendance=Attendance.UNKNOWN).update(attendance=Attendance.NO_SHOW)
    Session.objects.filter(pk=locked.pk).update(attendance_closed_at=now)
    event(EventKind.ATTENDANCE_CLOSED, actor=actor, session=locked, at=now, no_shows=count)
    return count


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """The day before a session (from 10:00), a reminder to every confirmed family with a mobile phone."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < 10:
        return 0
    tomorrow = local.date() + dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(tomorrow, dt.time(), tz)
    rows = Signup.objects.filter(status=SignupStatus.CONFIRMED, reminded_at__isnull=True, session__starts_at__gte=start,
                                 session__starts_at__lt=start + dt.timedelta(days=1),
                                 session__status=SessionStatus.SCHEDULED).exclude(phone="").select_related(
        "session__programme")
    sent = 0
    for row in rows:
        with transaction.atomic():
            # Compare-and-set: two scheduler nodes never send the same reminder twice.
            if Signup.objects.filter(pk=row.pk, reminded_at__isnull=True).update(reminded_at=now) != 1:
                continue
            session = row.session
            notify(row.phone, f"[{session.programme.name}] 내일 {moment_text(session.starts_at)} {session.programme.venue}. "
                              f"입장 코드 {row.checkin_code}. 못 오시면 문자 링크에서 취소해 주세요.",
                   reference=f"programmes-remind-{row.pk}", purpose=MessagePurpose.REMINDER)
            event(EventKind.REMINDED, session=session, signup=row, at=now)
            sent += 1
    return sent


def masked(signup: Signup) -> str:
    return phone_masked(signup.phone) if signup.phone else ""
