"""Writing the access log. Called from selectors (reads), export views and refused writes; never edited."""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from axes.utils import reset
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from dolbom.accounts.models import SecurityEventKind
from dolbom.accounts.scope import can_read_access_log
from dolbom.accounts.services import security_event_write
from dolbom.audit.errors import AuditErrorCode
from dolbom.audit.models import AccessAction, AccessLog
from dolbom.lib.access import AccessContext, current_context
from dolbom.lib.errors import DomainError, Forbidden


def access_log_write(
    *,
    actor: User,
    action: AccessAction,
    record_type: str,
    context: AccessContext,
    resident_id: int | None = None,
    record_id: str | int = "",
    subject_ids: Iterable[int] = (),
    query: str = "",
    in_caseload: bool = False,
) -> AccessLog:
    staff = getattr(actor, "staff", None)
    return AccessLog.objects.create(
        actor=actor,
        actor_username=actor.get_username(),
        actor_role=staff.role if staff else "",
        action=action,
        resident_id=resident_id,
        subject_ids=list(subject_ids),
        record_type=record_type,
        record_id=str(record_id),
        query=query[:200],
        purpose=context.purpose,
        in_caseload=in_caseload,
        ip=context.ip,
        path=context.path,
        at=timezone.now(),
    )


# Refusals ----------------------------------------------------------------------------------------
# A write refused because its record lies outside the actor's scope is refused inside the service's
# transaction, and the NotFound that answers it rolls that transaction back, DENIED row included. So a
# refusal met inside a transaction is kept aside and written once the transaction is over: at its commit
# (when the caller caught the refusal and went on), or when the request ends (web.middleware
# AccessContextMiddleware calls denials_flush), whichever comes first. Outside a transaction it is
# written at once.

_pending: ContextVar[list[dict[str, Any]] | None] = ContextVar("dolbom_pending_denials", default=None)


def _in_transaction() -> bool:
    # The atomic blocks a test case wraps every test in do not count: they stand for autocommit (Django
    # marks them the same way for its durable-transaction check).
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def access_denied_write(
    *, actor: User, record_type: str, record_id: str | int, context: AccessContext | None = None,
    resident_id: int | None = None, subject_ids: Iterable[int] = (),
) -> None:
    row = {"actor": actor, "action": AccessAction.DENIED, "record_type": record_type, "record_id": record_id,
           "context": context or current_context(), "resident_id": resident_id, "subject_ids": list(subject_ids)}
    if not _in_transaction():
        access_log_write(**row)
        return
    pending = _pending.get()
    if pending is None:
        pending = []
        _pending.set(pending)
    pending.append(row)
    transaction.on_commit(denials_flush)


def denials_flush() -> int:
    """Write the refusals kept aside (see above); a no-op inside a transaction. Returns how many."""
    pending = _pending.get()
    if not pending or _in_transaction():
        return 0
    rows, pending[:] = list(pending), []
    for row in rows:
        access_log_write(**row)
    return len(rows)


def denials_discard() -> None:
    """Forget refusals kept aside (a request starts afresh in a reused thread)."""
    pending = _pending.get()
    if pending:
        pending.clear()


# Lockouts ----------------------------------------------------------------------------------------

def lockout_lift(*, actor: User, kind: str, value: str, context: AccessContext) -> int:
    """The auditor lifts a lockout (an account or an address); recorded with who and from where. Returns
    how many attempt records were cleared."""
    if not can_read_access_log(actor):
        raise Forbidden(AuditErrorCode.NOT_ALLOWED)
    if kind not in ("account", "address") or not value.strip():
        raise DomainError(AuditErrorCode.LOCKOUT_INVALID)
    with transaction.atomic():
        cleared = reset(username=value) if kind == "account" else reset(ip=value)
        subject = User(username=value if kind == "account" else "")
        security_event_write(SecurityEventKind.LOCKOUT_LIFTED, actor=actor, user=subject, context=context,
                             detail=f"{kind} {value}: {cleared} attempt records")
    return cleared
