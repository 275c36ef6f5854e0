"""Writing the access log. Called only from selectors (reads) and export views, never edited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog


@dataclass(frozen=True)
class AccessContext:
    """Where a read came from and why; built by views from the request."""

    ip: str | None = None
    path: str = ""
    purpose: str = ""

    @classmethod
    def from_request(cls, request, purpose: str = "") -> AccessContext:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
        return cls(ip=ip or None, path=request.get_full_path()[:300], purpose=purpose.strip()[:300])


SYSTEM_CONTEXT = AccessContext(path="(system)")


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
