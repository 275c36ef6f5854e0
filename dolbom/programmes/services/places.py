"""A session's places, shared by sign-ups (signups.py), the waiting list (waitlist.py) and the session's own
writes (programmes.py): the counters, ending a sign-up (which gives its places back), and the row locks.

Capacity is the database's: every write that changes a session's places locks the session row first
(``session_lock``; on SQLite the lock is the database's write lock, taken before any read) and changes
its counters with one UPDATE that the CHECK constraints of ``Session`` refuse when it would take a place
too many (``take_places``). A refused UPDATE is the answer "full", so even a code path that forgot the lock
could not overbook. The lock gives the order: sign-ups are served one after the other, and a freed place is
offered to the waiting list before anyone else can take it.

Lock order, everywhere: the session, then its sign-ups, then the one-time code (verification), so that
no two writers wait for each other.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F

from dolbom.lib.errors import Forbidden, NotFound
from dolbom.programmes import selectors
from dolbom.programmes.errors import ProgrammeErrorCode as E
from dolbom.programmes.models import EventKind, Pool, Session, Signup, SignupStatus
from dolbom.programmes.services.common import event, id_by_token, session_lock

# Counters ---------------------------------------------------------------------------------------

def take_places(session: Session, places: int, pool: str) -> bool:
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


def give_back_places(session: Session, signup: Signup) -> None:
    fields = {"taken": F("taken") - signup.places}
    if signup.pool == Pool.GENERAL:
        fields["taken_general"] = F("taken_general") - signup.places
    Session.objects.filter(pk=session.pk).update(**fields)
    session.taken -= signup.places
    if signup.pool == Pool.GENERAL:
        session.taken_general -= signup.places


# Ending a sign-up and the locks -------------------------------------------------------------------

def end_signup(session: Session, signup: Signup, *, status: str, now: dt.datetime, reason: str,
         actor: User | None, kind: EventKind) -> None:
    if signup.status in (SignupStatus.CONFIRMED, SignupStatus.OFFERED):
        give_back_places(session, signup)
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


def lock_pair(signup_id: int) -> tuple[Session, Signup]:
    session_id = Signup.objects.filter(pk=signup_id).values_list("session_id", flat=True).first()
    if session_id is None:
        raise NotFound(E.SIGNUP_NOT_FOUND)
    session = session_lock(session_id)
    assert session is not None
    return session, _locked_signup(session, signup_id)


def signup_id_by_token(token: str) -> int:
    return id_by_token(Signup, token, E.SIGNUP_NOT_FOUND)


def require_manager(actor: User, session: Session) -> None:
    if not selectors.can_manage(actor, session.programme):
        raise Forbidden(E.NOT_ALLOWED)
