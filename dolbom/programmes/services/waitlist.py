"""The waiting list: queueing when a session is full, offering a freed place down the list (``promote``, called
in the same transaction as whatever freed it), the family's answer to an offer, offers that expire, and
staff moving an entry or confirming it out of order. The counters and the locks are places.py's.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.lib.errors import DomainError
from dolbom.programmes.errors import ProgrammeErrorCode as E
from dolbom.programmes.models import EventKind, Pool, Session, SessionStatus, Signup, SignupStatus
from dolbom.programmes.services.common import (
    busy_answer,
    event,
    link_token,
    moment_text,
    notify,
    public_url,
    require_reason,
    session_lock,
)
from dolbom.programmes.services.places import (
    end_signup,
    lock_pair,
    require_manager,
    signup_id_by_token,
    take_places,
)

# Offers: a freed place is offered for the programme's hours, but never closer to the start than this,
# and not at all when fewer than OFFER_MIN would be left (the place stays for the door).
OFFER_LAST_CALL = dt.timedelta(hours=3)
OFFER_MIN = dt.timedelta(minutes=30)


# Queueing -----------------------------------------------------------------------------------------

def has_waiting(session: Session) -> bool:
    return Signup.objects.filter(session=session, status=SignupStatus.WAITING).exists()


def next_rank(session: Session) -> int:
    last = Signup.objects.filter(session=session, queue_rank__isnull=False).order_by("-queue_rank") \
        .values_list("queue_rank", flat=True).first()
    return (last or 0) + 1


# Offers -------------------------------------------------------------------------------------------

def _offer_deadline(session: Session, now: dt.datetime) -> dt.datetime | None:
    deadline = min(now + dt.timedelta(hours=session.programme.offer_hours), session.starts_at - OFFER_LAST_CALL)
    return deadline if deadline - now >= OFFER_MIN else None


def promote(session: Session, now: dt.datetime) -> list[Signup]:
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
        if not take_places(session, entry.places, Pool.GENERAL):
            break
        entry.status = SignupStatus.OFFERED
        entry.offered_at, entry.offer_expires_at = now, deadline
        entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
        event(EventKind.OFFERED, session=session, signup=entry, at=now, expires_at=deadline.isoformat())
        link = public_url("programmes:public_signup", link_token(entry.manage_nonce))
        notify(entry.phone, f"[{session.programme.name}] {moment_text(session.starts_at)} 자리가 났습니다. "
                            f"{moment_text(deadline)}까지 수락해 주세요: {link}",
               reference=f"programmes-offer-{entry.pk}-{int(now.timestamp())}")
        offered.append(entry)
        if session.free_general <= 0:
            break
    return offered


@busy_answer
def offer_accept(*, token: str) -> Signup:
    """The family takes the offered place. An offer past its time is passed over first (committed), and
    the family is told it expired."""
    now = timezone.now()
    with transaction.atomic():
        session, row = lock_pair(signup_id_by_token(token))
        if row.status != SignupStatus.OFFERED:
            raise DomainError(E.NOT_OFFERED)
        expired = row.offer_expires_at is not None and now > row.offer_expires_at
        if expired:
            _pass_over(session, row, now)
            promote(session, now)
        else:
            row.status = SignupStatus.CONFIRMED
            row.confirmed_at = now
            row.save(update_fields=["status", "confirmed_at"])
            event(EventKind.OFFER_ACCEPTED, session=session, signup=row, at=now)
            notify(row.phone, f"[{session.programme.name}] {moment_text(session.starts_at)} 신청이 확정되었습니다. "
                              f"입장 코드 {row.checkin_code}.", reference=f"programmes-accepted-{row.pk}")
    if expired:
        raise DomainError(E.OFFER_EXPIRED)
    return row


def _pass_over(session: Session, row: Signup, now: dt.datetime) -> None:
    end_signup(session, row, status=SignupStatus.PASSED_OVER, now=now, reason="수락 기한 경과", actor=None,
         kind=EventKind.PASSED_OVER)
    notify(row.phone, f"[{session.programme.name}] {moment_text(session.starts_at)} 수락 기한이 지나 다음 대기 가족에게 "
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
    promote(session, now)
    return len(rows)


# Staff --------------------------------------------------------------------------------------------

@busy_answer
@transaction.atomic
def waitlist_move(*, actor: User, signup: Signup, position: int, reason: str) -> Signup:
    """Move a waiting entry to ``position`` (1 = first), with a reason; the whole order is renumbered."""
    reason = require_reason(reason)
    now = timezone.now()
    session, row = lock_pair(signup.pk)
    require_manager(actor, session)
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
    promote(session, now)
    row.refresh_from_db()
    return row


@busy_answer
@transaction.atomic
def signup_confirm_override(*, actor: User, signup: Signup, reason: str) -> Signup:
    """Give a waiting (or lottery) entry a place out of order, with a reason. The capacity still holds:
    the database refuses when the party does not fit."""
    reason = require_reason(reason)
    now = timezone.now()
    session, row = lock_pair(signup.pk)
    require_manager(actor, session)
    if row.status not in (SignupStatus.WAITING, SignupStatus.APPLIED):
        raise DomainError(E.NOT_WAITING)
    pool = Pool.RESERVED if row.referred and session.free_reserved >= row.places else Pool.GENERAL
    if not take_places(session, row.places, pool):
        raise DomainError(E.DOES_NOT_FIT)
    row.status, row.pool, row.confirmed_at = SignupStatus.CONFIRMED, pool, now
    row.save(update_fields=["status", "pool", "confirmed_at"])
    event(EventKind.OVERRIDE_CONFIRMED, actor=actor, session=session, signup=row, reason=reason, at=now, pool=pool)
    notify(row.phone, f"[{session.programme.name}] {moment_text(session.starts_at)} 신청이 확정되었습니다. "
                      f"입장 코드 {row.checkin_code}.", reference=f"programmes-override-{row.pk}")
    return row
