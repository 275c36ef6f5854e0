"""What every write of the programmes app shares: the row locks, the links sent to residents, the event
log, the texts sent on commit and how they write a moment, and the answer a writer gets when SQLite is
busy."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.db import OperationalError, connection, transaction
from django.db.models import F, Model
from django.urls import reverse
from django.utils import timezone

from dolbom.integrations.messaging import MessageError, MessagePurpose, message_send, phone_normalise
from dolbom.lib.errors import NotFound
from dolbom.programmes.errors import Busy, ProgrammeErrorCode
from dolbom.programmes.models import ConsultationSlot, EventKind, ProgrammeEvent, Session

log = logging.getLogger("dolbom.programmes")
F_ = TypeVar("F_", bound=Callable[..., Any])
M = TypeVar("M", bound=Model)

SENDER = "전주시"


def busy_answer(fn: F_) -> F_:
    """SQLite serialises writers: a writer that waited past the busy timeout gets a coded 503 answer
    ("try again in a moment") instead of a server error. PostgreSQL queues on the row lock and never
    raises this."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except OperationalError as exc:
            text = str(exc).lower()
            if "locked" in text or "busy" in text:
                raise Busy(ProgrammeErrorCode.BUSY) from exc
            raise

    return wrapper  # type: ignore[return-value]


def _write_first(model: type[Model], pk: int, field: str) -> None:
    # SQLite has no row locks (select_for_update is a no-op there), and a transaction that reads before it
    # writes fails at once with "database is locked" when another writer committed in between (WAL snapshot).
    # Writing first takes the database's write lock at the start of the transaction, waiting up to the busy
    # timeout, so concurrent sign-ups queue one behind the other as they do on PostgreSQL's row lock.
    if connection.vendor == "sqlite":
        model._default_manager.filter(pk=pk).update(**{field: F(field)})


def session_lock(pk: int) -> Session | None:
    """The session row, locked for the rest of the transaction; call it before any other read."""
    _write_first(Session, pk, "taken")
    return Session.objects.select_for_update(of=("self",)).select_related("programme").filter(pk=pk).first()


def slot_lock(pk: int) -> ConsultationSlot | None:
    _write_first(ConsultationSlot, pk, "venue")
    return ConsultationSlot.objects.select_for_update(of=("self",)).select_related("adviser").filter(pk=pk).first()


# Links -----------------------------------------------------------------------------------------

def _link_key() -> bytes:
    return hashlib.sha256(("dolbom-programmes-link:" + settings.SECRET_KEY).encode()).digest()


def new_nonce() -> str:
    return secrets.token_hex(16)


def link_token(nonce: str) -> str:
    """The unguessable token of a sign-up's or booking's link (144 bits), recomputable only with the key."""
    mac = hmac.new(_link_key(), nonce.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def id_by_token(model: type[Model], token: str, missing: ProgrammeErrorCode) -> int:
    """The row a family's manage link names (a sign-up or a booking), not purged; ``missing`` when none."""
    pk = model.objects.filter(manage_token_hash=token_hash(token or ""), purged_at__isnull=True) \
        .values_list("pk", flat=True).first()
    if pk is None:
        raise NotFound(missing)
    return pk


def public_url(name: str, *args: Any) -> str:
    return settings.DOLBOM_PUBLIC_URL + reverse(name, args=args)


def moment_text(moment: dt.datetime) -> str:
    """A moment as the texts to residents write it, in local time: "05/03 (토) 10:00"."""
    local = timezone.localtime(moment)
    return f"{local:%m/%d} ({'월화수목금토일'[local.weekday()]}) {local:%H:%M}"


# Phones ----------------------------------------------------------------------------------------

def mobile_or_blank(raw: str) -> str:
    """A normalised 010 number, or "" where the person has none (a landline cannot receive texts)."""
    try:
        return phone_normalise(raw) if raw and raw.strip() else ""
    except MessageError:
        return ""


def family_mac(*parts: str) -> str:
    key = hashlib.sha256(("dolbom-programmes-family:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def notify(phone: str, text: str | Callable[[], str], *, reference: str, purpose: str = MessagePurpose.NOTICE) -> None:
    """Send after commit; a gateway that is down must not turn a committed sign-up into an error page.
    ``text`` may be a function, composed after the commit (a waiting-list position counted outside the lock)."""
    if not phone:
        return

    def send() -> None:
        try:
            message_send(to=phone, text=text() if callable(text) else text, purpose=purpose, reference=reference)
        except MessageError as exc:
            log.warning("programmes: message %s not sent: %s", reference, exc.code)

    transaction.on_commit(send, robust=True)


# Events ----------------------------------------------------------------------------------------

def event(kind: EventKind, *, actor: User | None = None, session: Session | None = None, signup: Any = None,
          booking: Any = None, reason: str = "", at: Any = None, **data: Any) -> ProgrammeEvent:
    return ProgrammeEvent.objects.create(kind=kind, actor=actor if actor and actor.is_authenticated else None,
                                         session=session, signup=signup, booking=booking, reason=reason[:300],
                                         data=data, at=at or timezone.now())


def require_reason(reason: str) -> str:
    from dolbom.lib.errors import DomainError

    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ProgrammeErrorCode.REASON_REQUIRED)
    return reason
