"""Writing the access log. Called only from selectors (reads) and export views, never edited."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.lib.access import AccessContext


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
