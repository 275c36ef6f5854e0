"""Links to care: a case manager points a vulnerable household at a programme; the dong welfare team
handles the suggestions that refusals for lack of means raise (services/decisions.py)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.accounts.scope import lock_in_scope
from dolbom.cases.models import Case
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.registry.models import Resident
from dolbom.registry.selectors import resident_visible
from dolbom.subsidies import events
from dolbom.subsidies.errors import SubsidyErrorCode
from dolbom.subsidies.models import (
    Pointer,
    PointerStatus,
    Programme,
    ProgrammeStatus,
    SuggestionStatus,
    WelfareSuggestion,
)
from dolbom.subsidies.selectors import can_point, suggestion_visible


@transaction.atomic
def pointer_create(*, actor: User, programme: Programme, resident: Resident, case: Case | None = None,
                   note: str = "") -> Pointer:
    if not can_point(actor):
        raise Forbidden(SubsidyErrorCode.NOT_ALLOWED)
    if not resident_visible(actor).filter(pk=resident.pk).exists():
        raise NotFound(SubsidyErrorCode.APPLICATION_NOT_FOUND)
    if programme.status != ProgrammeStatus.OPEN:
        raise DomainError(SubsidyErrorCode.ROUND_NOT_OPEN)
    pointer = Pointer.objects.create(programme=programme, resident=resident, case=case, note=note.strip()[:300],
                                     created_by=actor, created_at=timezone.now())
    events.programme_pointed(resident_id=resident.pk, programme_name=programme.name, pointer_id=pointer.pk,
                             actor=actor, case=case)
    return pointer


@transaction.atomic
def pointer_decline(*, actor: User, pointer: Pointer, note: str = "") -> Pointer:
    pointer = Pointer.objects.select_for_update().get(pk=pointer.pk)
    if not resident_visible(actor).filter(pk=pointer.resident_id).exists():
        raise NotFound(SubsidyErrorCode.APPLICATION_NOT_FOUND)
    pointer.status = PointerStatus.DECLINED
    pointer.note = (f"{pointer.note} / {note.strip()}" if note.strip() else pointer.note)[:300]
    pointer.save(update_fields=["status", "note"])
    return pointer


@transaction.atomic
def suggestion_handle(*, actor: User, suggestion: WelfareSuggestion, status: str, note: str = "") -> WelfareSuggestion:
    suggestion = lock_in_scope(suggestion_visible(actor), suggestion.pk, SubsidyErrorCode.APPLICATION_NOT_FOUND)
    if status not in SuggestionStatus.values or status == SuggestionStatus.OPEN:
        raise DomainError(SubsidyErrorCode.BAD_STATUS, status=status)
    suggestion.status, suggestion.note = status, note.strip()[:300]
    suggestion.handled_by, suggestion.handled_at = actor, timezone.now()
    suggestion.save(update_fields=["status", "note", "handled_by", "handled_at"])
    return suggestion
