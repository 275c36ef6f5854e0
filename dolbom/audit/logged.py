"""Reads of people's records that the access log must see, written once for every app.

개인정보의 안전성 확보조치 기준 §8 asks for a record of every access to personal data: who, whose, when,
from where and why. Every selector that hands out one record about a person goes through ``logged_get``,
and every list that shows people through ``log_list``, so that a new record kind cannot forget its VIEW
or DENIED row (docs/ARCHITECTURE.md, "Visibility and the access log").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.utils import timezone

from dolbom.audit.errors import AuditErrorCode
from dolbom.audit.models import AccessAction, AccessLog
from dolbom.audit.services import access_denied_write, access_log_write
from dolbom.lib.access import AccessContext, is_meaningful_purpose
from dolbom.lib.errors import DomainError, NotFound

M = TypeVar("M", bound=Model)


def with_default_purpose(context: AccessContext, purpose: str) -> AccessContext:
    """The context with a purpose the read carries by itself (reading a meeting's agenda), unless the
    caller stated one."""
    return context if context.purpose or not purpose else dataclasses.replace(context, purpose=purpose)


def _path_value(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def _subjects(model: type[Model], pk: Any, path: str) -> list[int]:
    return sorted({v for v in model._default_manager.filter(pk=pk).values_list(path, flat=True) if v is not None})


def logged_get(
    visible: QuerySet[M], pk: Any, *, viewer: User, context: AccessContext, record_type: str, missing: StrEnum,
    resident: str | None = None, subjects: str | None = None,
    in_caseload: Callable[[M], bool] | None = None, purpose_required: bool = False,
    log_view: bool = True, default_purpose: str = "", within: QuerySet[M] | None = None,
    seen_on_page: str = "",
) -> M:
    """One record through the viewer's visible queryset.

    Out of scope: a DENIED row when the record exists, then NotFound(missing), exactly as for a record
    that does not exist, so that scope cannot be probed. In scope: a VIEW row. ``resident`` is the lookup
    of the one person the record is about (``"resident_id"``, ``"case__resident_id"``); ``subjects`` the
    lookup of several (``"members__id"`` for a household). With ``purpose_required``, a record outside the
    viewer's caseload (``in_caseload``) is refused until the viewer states why they open it. ``within``
    narrows where an unseen record is looked for before a DENIED row is written (an agenda item of this
    meeting, not of any meeting). ``seen_on_page``: the path of the page a fragment request belongs to
    (htmx's HX-Current-URL); when that page view of this record by this viewer was logged within
    ``PAGE_VIEW_WINDOW``, the fragment adds no row of its own (see ``viewed_on_page``)."""
    row = visible.filter(pk=pk).first()
    if row is None:
        model = visible.model
        if (within if within is not None else model._default_manager.all()).filter(pk=pk).exists():
            ids = _subjects(model, pk, resident or subjects) if (resident or subjects) else []
            access_denied_write(actor=viewer, record_type=record_type, record_id=pk,
                                resident_id=ids[0] if resident and ids else None,
                                subject_ids=ids if subjects else (), context=context)
        raise NotFound(missing)
    own = bool(in_caseload(row)) if in_caseload is not None else False
    if purpose_required and not own and not is_meaningful_purpose(context.purpose):
        raise DomainError(AuditErrorCode.PURPOSE_REQUIRED)
    if log_view and not (seen_on_page and viewed_on_page(viewer=viewer, record_type=record_type, record_id=row.pk,
                                                         path=seen_on_page)):
        access_log_write(
            actor=viewer, action=AccessAction.VIEW, record_type=record_type, record_id=row.pk,
            resident_id=_path_value(row, resident) if resident else None,
            subject_ids=_subjects(visible.model, row.pk, subjects) if subjects else (),
            context=with_default_purpose(context, default_purpose), in_caseload=own,
        )
    return row


# One page view, one row. A page that refreshes a part of itself (the check-in chat after every line, a
# poll) shows the same record to the same person again: the access was recorded when the page was opened,
# with its purpose and address; a row per fragment made one chat call a dozen rows and hid the accesses
# that matter. A fragment is covered only by a VIEW of the same record, by the same person, from the same
# page, within this window; anything else is logged as usual.
PAGE_VIEW_WINDOW = dt.timedelta(minutes=30)


def viewed_on_page(*, viewer: User, record_type: str, record_id: Any, path: str) -> bool:
    return AccessLog.objects.filter(actor=viewer, action=AccessAction.VIEW, record_type=record_type,
                                    record_id=str(record_id), path=path,
                                    at__gte=timezone.now() - PAGE_VIEW_WINDOW).exists()


def log_list(*, viewer: User, context: AccessContext, record_type: str, resident_ids: Iterable[int | None],
             record_id: str | int = "", action: AccessAction = AccessAction.SEARCH) -> None:
    """A list that shows people is logged like a search, with every person it showed; an empty list
    writes nothing. (An export writes its row even when empty: see cases.selectors.case_list_export.)"""
    ids = sorted({i for i in resident_ids if i is not None})
    if ids:
        access_log_write(actor=viewer, action=action, record_type=record_type, record_id=record_id,
                         context=context, subject_ids=ids)
