"""Sign-ups, the waiting list, offers and attendance.

Capacity is the database's: every write that changes a session's places locks the session row first
(``session_lock``; on SQLite the lock is the database's write lock, taken before any read) and changes
its counters with one UPDATE that the CHECK constraints of ``Session`` refuse when it would take a place
too many (``_take``). A refused UPDATE is the answer "full", so even a code path that forgot the lock could
not overbook. The lock gives the order: sign-ups are served one after the other, and a freed place is
offered to the waiting list before anyone else can take it.

Lock order, everywhere: the session, then its sign-ups, then the one-time code (verification), so that
no two writers wait for each other.
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
    new_nonce,
    notify,
    public_url,
    require_reason,
    session_lock,
    token_hash,
)
from dolbom.registry.models import ConsentPurpose, Resident
from dolbom.verification.services import challenge_consume, challenge_start, phone_hash

PURPOSE = "programmes.signup"
# A family signs up a few times a season and may ask for a second code; a macro sends hundreds. These count
# sign-up attempts in ten minutes, below the one-time code's own hourly limits (verification/services.py), so
# a burst is stopped here first; an address is shared by a library PC or an apartment block's router.
PER_PHONE = Limit("programmes.signup.phone", per=4, seconds=600)
PER_ADDRESS = Limit("programmes.signup.address", per=20, seconds=600)
# Offers: a freed place is offered for the programme's hours, but never closer to the start than this,
# and not at all when fewer than OFFER_MIN would be left (the place stays for the door).
OFFER_LAST_CALL = dt.timedelta(hours=3)
OFFER_MIN = dt.timedelta(minutes=30)
CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY"  # letters only: told apart from a phone number at the door


def subject(session: Session | int) -> str:
    return f"session:{session if isinstance(session, int) else session.pk}"


def _fmt(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%m/%d} ({'월화수목금토일'[local.weekday()]}) {local:%H:%M}"


# Counters ---------------------------------------------------------------------------------------

def _take(session: Session, places: int, pool: str) -> bool:
    """Take places in the session's counters; False when the database's CHECK constraints refuse (full)."""
    fields = {"taken": F("taken") + places}
    if pool == Pool.GENERAL:
        fields["taken_general"] = F("taken_general") + places
    try:
        with transaction.atomic():
            Session.objects.filter(pk=session.pk).update(**fields)
    except IntegrityError:
        return False
    session.taken += places
    if pool == Pool.GENERAL:
        session.taken_general += places
    return True


def _give_back(session: Session, signup: Signup) -> None:
    fields = {"taken": F("taken") - signup.places}
    if signup.pool == Pool.GENERAL:
        fields["taken_general"] = F("taken_general") - signup.places
    Session.objects.filter(pk=session.pk).update(**fields)
    session.taken -= signup.places
    if signup.pool == Pool.GENERAL:
        session.taken_general -= signup.places


# Checks -----------------------------------------------------------------------------------------

def _check_party(programme: Programme, party_size: int) -> None:
    if not 1 <= party_size <= programme.max_party_size:
        raise DomainError(E.PARTY_SIZE_INVALID, max=programme.max_party_size)


def _check_public_window(session: Session, now: dt.datetime) -> None:
    window = selectors.signup_window(session, now=now)
    if window.state == "cancelled":
        raise DomainError(E.SESSION_CANCELLED)
    if window.state == "not_open":
        raise DomainError(E.NOT_OPEN_YET, opens=_fmt(session.signup_opens_at))
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

def _enter(session: Session, *, name: str, phone: str, family_key: str, party_size: int, source: str,
           now: dt.datetime, actor: User | None = None, resident: Resident | None = None, consent=None,
           referred: bool = False) -> tuple[Signup, str]:
    """The sign-up row and its place: confirmed, waiting, or applied for the lottery. Returns the link token."""
    programme = session.programme
    if Signup.objects.filter(session=session, family_key=family_key, status__in=ACTIVE).exists():
        raise DomainError(E.ALREADY_SIGNED_UP)
    slot = _month_slot(session, family_key)
    places = programme.places_for(party_size)
    number = session.next_number
    Session.objects.filter(pk=session.pk).update(next_number=F("next_number") + 1)
    session.next_number += 1

    status, pool, rank = SignupStatus.WAITING, Pool.GENERAL, None
    if referred and session.reserved and _take(session, places, Pool.RESERVED):
        status, pool = SignupStatus.CONFIRMED, Pool.RESERVED
    elif programme.allocation == Allocation.LOTTERY and session.drawn_at is None:
        status = SignupStatus.APPLIED
    elif not _has_waiting(session) and _take(session, places, Pool.GENERAL):
        # First come: a place, unless families are already waiting (they come first when one frees).
        status = SignupStatus.CONFIRMED
    if status == SignupStatus.WAITING:
        rank = _next_rank(session)
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
        if signup.pk in {s.pk for s in _promote(session, now)}:
            signup.refresh_from_db()
    if signup.status != SignupStatus.OFFERED:
        _tell_entered(signup, token)
    return signup, token


def _has_waiting(session: Session) -> bool:
    return Signup.objects.filter(session=session, status=SignupStatus.WAITING).exists()


def _next_rank(session: Session) -> int:
    last = Signup.objects.filter(session=session, queue_rank__isnull=False).order_by("-queue_rank") \
        .values_list("queue_rank", flat=True).first()
    return (last or 0) + 1


def _tell_entered(signup: Signup, token: str) -> None:
    session = signup.session
    head = f"[{session.programme.name}] {_fmt(session.starts_at)}"
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
    return _enter(session, name=name.strip()[:50], phone=number, family_key=phone_hash(number),
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
    return _enter(locked, name=person.name, phone=number, family_key=key, party_size=party_size,
                  source=Source.STAFF, now=now, actor=actor, resident=person, consent=consent, referred=referred)


# The waiting list -----------------------------------------------------------------------------------

def _offer_deadline(session: Session, now: dt.datetime) -> dt.datetime | None:
    deadline = min(now + dt.timedelta(hours=session.programme.offer_hours), session.starts_at - OFFER_LAST_CALL)
    return deadline if deadline - now >= OFFER_MIN else None


def _promote(session: Session, now: dt.datetime) -> list[Signup]:
    """Offer free places down the waiting list: the first entry whose whole party fits gets a timed offer,
    then the next that fits what is left. The offered places are held in the counters until the family
    answers, so nobody else takes them meanwhile."""
    if session.status != SessionStatus.SCHEDULED or (session.is_lottery and session.drawn_at is None):
        return []
    deadline = _offer_deadline(session, now)
    if deadline is None or session.free_general <= 0:
        return []
    offered = []
    for entry in Signup.objects.select_for_update().filter(session=session, status=SignupStatus.WAITING).order_by(
            "queue_rank", "number"):
        if entry.places > session.free_general:
            continue
        if not _take(session, entry.places, Pool.GENERAL):
            break
        entry.status = SignupStatus.OFFERED
        entry.offered_at, entry.offer_expires_at = now, deadline
        entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
        event(EventKind.OFFERED, session=session, signup=entry, at=now, expires_at=deadline.isoformat())
        link = public_url("programmes:public_signup", link_token(entry.manage_nonce))
        notify(entry.phone, f"[{session.programme.name}] {_fmt(session.starts_at)} 자리가 났습니다. "
                            f"{_fmt(deadline)}까지 수락해 주세요: {link}",
               reference=f"programmes-offer-{entry.pk}-{int(now.timestamp())}")
        offered.append(entry)
        if session.free_general <= 0:
            break
    return offered


def _end(session: Session, signup: Signup, *, status: str, now: dt.datetime, reason: str,
         actor: User | None, kind: EventKind) -> None:
    if signup.status in (SignupStatus.CONFIRMED, SignupStatus.OFFERED):
        _give_back(session, signup)
    signup.status = status
    signup.cancelled_at = now
    signup.cancel_reason = reason[:300]
    signup.month_slot = None  # frees the family's monthly sign-up
    signup.save(update_fields=["status", "cancelled_at", "cancel_reason", "month_slot"])
    event(kind, actor=actor, session=session, signup=signup, reason=reason, at=now)


def _locked_signup(session: Session, signup_id: int) -> Signup:
    signup = Signup.objects.select_for_update().filter(pk=signup_id, session=session).first()
    if signup is None:
        raise NotFound(E.SIGNUP_NOT_FOUND)
    return signup


def _lock_pair(signup_id: int) -> tuple[Session, Signup]:
    session_id = Signup.objects.filter(pk=signup_id).values_list("session_id", flat=True).first()
    if session_id is None:
        raise NotFound(E.SIGNUP_NOT_FOUND)
    session = session_lock(session_id)
    assert session is not None
    return session, _locked_signup(session, signup_id)


def _by_token(token: str) -> int:
    signup_id = Signup.objects.filter(manage_token_hash=token_hash(token or ""), purged_at__isnull=True) \
        .values_list("pk", flat=True).first()
    if signup_id is None:
        raise NotFound(E.SIGNUP_NOT_FOUND)
    return signup_id


def _require_manager(actor: User, session: Session) -> None:
    if not selectors.can_manage(actor, session.programme):
        raise Forbidden(E.NOT_ALLOWED)


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
        session, row = _lock_pair(signup.pk)
        if not (selectors.can_manage(actor, session.programme) or row.created_by_id == actor.pk):
            raise Forbidden(E.NOT_ALLOWED)
    else:
        session, row = _lock_pair(_by_token(token))
        reason = reason.strip() or "본인 취소"
        if now >= session.starts_at:
            raise DomainError(E.CLOSED)
    if not row.is_active:
        raise DomainError(E.NOT_ACTIVE)
    declined = row.status == SignupStatus.OFFERED and actor is None
    _end(session, row, status=SignupStatus.CANCELLED, now=now, reason=reason, actor=actor,
         kind=EventKind.OFFER_DECLINED if declined else EventKind.CANCELLED)
    notify(row.phone, f"[{session.programme.name}] {_fmt(session.starts_at)} 신청이 취소되었습니다.",
           reference=f"programmes-cancel-{row.pk}")
    _promote(session, now)
    return row


@busy_answer
def offer_accept(*, token: str) -> Signup:
    """The family takes the offered place. An offer past its time is passed over first (committed), and
    the family is told it expired."""
    now = timezone.now()
    with transaction.atomic():
        session, row = _lock_pair(_by_token(token))
        if row.status != SignupStatus.OFFERED:
            raise DomainError(E.NOT_OFFERED)
        expired = row.offer_expires_at is not None and now > row.offer_expires_at
        if expired:
            _pass_over(session, row, now)
            _promote(session, now)
        else:
            row.status = SignupStatus.CONFIRMED
            row.confirmed_at = now
            row.save(update_fields=["status", "confirmed_at"])
            event(EventKind.OFFER_ACCEPTED, session=session, signup=row, at=now)
            notify(row.phone, f"[{session.programme.name}] {_fmt(session.starts_at)} 신청이 확정되었습니다. "
                              f"입장 코드 {row.checkin_code}.", reference=f"programmes-accepted-{row.pk}")
    if expired:
        raise DomainError(E.OFFER_EXPIRED)
    return row


def _pass_over(session: Session, row: Signup, now: dt.datetime) -> None:
    _end(session, row, status=SignupStatus.PASSED_OVER, now=now, reason="수락 기한 경과", actor=None,
         kind=EventKind.PASSED_OVER)
    notify(row.phone, f"[{session.programme.name}] {_fmt(session.starts_at)} 수락 기한이 지나 다음 대기 가족에게 "
                      "자리가 넘어갔습니다.", reference=f"programmes-passed-{row.pk}")


def offers_expire(*, now: dt.datetime | None = None) -> int:
    """The periodic job's part: pass over every offer past its time and offer the place to the next
    family. One transaction per session, so one busy session does not hold up the others."""
    now = now or timezone.now()
    count = 0
    for session_id in set(Signup.objects.filter(status=SignupStatus.OFFERED, offer_expires_at__lt=now)
                          .values_list("session_id", flat=True)):
        count += _expire_session(session_id, now)
    return count


@busy_answer
@transaction.atomic
def _expire_session(session_id: int, now: dt.datetime) -> int:
    session = session_lock(session_id)
    assert session is not None
    rows = list(Signup.objects.select_for_update().filter(session=session, status=SignupStatus.OFFERED,
                                                          offer_expires_at__lt=now))
    for row in rows:
        _pass_over(session, row, now)
    _promote(session, now)
    return len(rows)


@busy_answer
@transaction.atomic
def waitlist_move(*, actor: User, signup: Signup, position: int, reason: str) -> Signup:
    """Move a waiting entry to ``position`` (1 = first), with a reason; the whole order is renumbered."""
    reason = require_reason(reason)
    now = timezone.now()
    session, row = _lock_pair(signup.pk)
    _require_manager(actor, session)
    if row.status != SignupStatus.WAITING:
        raise DomainError(E.NOT_WAITING)
    entries = list(Signup.objects.select_for_update().filter(session=session, status=SignupStatus.WAITING)
                   .order_by("queue_rank", "number"))
    if not 1 <= position <= len(entries):
        raise DomainError(E.POSITION_INVALID)
    before = [e.pk for e in entries].index(row.pk) + 1
    entries = [e for e in entries if e.pk != row.pk]
    entries.insert(position - 1, row)
    for rank, entry in enumerate(entries, start=1):
        if entry.queue_rank != rank:
            Signup.objects.filter(pk=entry.pk).update(queue_rank=rank)
    event(EventKind.MOVED, actor=actor, session=session, signup=row, reason=reason, at=now,
          position_before=before, position_after=position)
    _promote(session, now)
    row.refresh_from_db()
    return row


@busy_answer
@transaction.atomic
def signup_confirm_override(*, actor: User, signup: Signup, reason: str) -> Signup:
    """Give a waiting (or lottery) entry a place out of order, with a reason. The capacity still holds:
    the database refuses when the party does not fit."""
    reason = require_reason(reason)
    now = timezone.now()
    session, row = _lock_pair(signup.pk)
    _require_manager(actor, session)
    if row.status not in (SignupStatus.WAITING, SignupStatus.APPLIED):
        raise DomainError(E.NOT_WAITING)
    pool = Pool.RESERVED if row.referred and session.free_reserved >= row.places else Pool.GENERAL
    if not _take(session, row.places, pool):
        raise DomainError(E.DOES_NOT_FIT)
    row.status, row.pool, row.confirmed_at = SignupStatus.CONFIRMED, pool, now
    row.save(update_fields=["status", "pool", "confirmed_at"])
    event(EventKind.OVERRIDE_CONFIRMED, actor=actor, session=session, signup=row, reason=reason, at=now, pool=pool)
    notify(row.phone, f"[{session.programme.name}] {_fmt(session.starts_at)} 신청이 확정되었습니다. "
                      f"입장 코드 {row.checkin_code}.", reference=f"programmes-override-{row.pk}")
    return row


# Attendance -------------------------------------------------------------------------------------

@transaction.atomic
def checkin(*, actor: User, signup: Signup) -> Signup:
    row = Signup.objects.select_for_update().select_related("session__programme").filter(pk=signup.pk).first()
    if row is None:
        raise NotFound(E.SIGNUP_NOT_FOUND)
    _require_manager(actor, row.session)
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
    _require_manager(actor, row.session)
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
    _require_manager(actor, locked)
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
            notify(row.phone, f"[{session.programme.name}] 내일 {_fmt(session.starts_at)} {session.programme.venue}. "
                              f"입장 코드 {row.checkin_code}. 못 오시면 문자 링크에서 취소해 주세요.",
                   reference=f"programmes-remind-{row.pk}", purpose=MessagePurpose.REMINDER)
            event(EventKind.REMINDED, session=session, signup=row, at=now)
            sent += 1
    return sent


def masked(signup: Signup) -> str:
    return phone_masked(signup.phone) if signup.phone else ""
