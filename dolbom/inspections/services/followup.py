"""After the visit: corrective actions and their proof, referral of legal violations to the sanitation
department, coaching records."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.accounts.scope import lock_in_scope
from dolbom.inspections import events
from dolbom.inspections.errors import InspectionErrorCode
from dolbom.inspections.models import (
    ActionStatus,
    Answer,
    ChecklistItem,
    CoachingMaterial,
    CoachingRecord,
    CoachingTopic,
    CorrectiveAction,
    Escalation,
    EscalationStatus,
    Inspection,
    InspectionStatus,
    SanitationContact,
)
from dolbom.inspections.selectors import action_visible, inspection_visible, is_inspector, is_lead
from dolbom.inspections.services.facilities import require_lead
from dolbom.lib.errors import DomainError, Forbidden

log = logging.getLogger("dolbom.inspections")


def _require_field_or_lead(actor: User) -> None:
    if not (is_inspector(actor) or is_lead(actor)):
        raise Forbidden(InspectionErrorCode.NOT_INSPECTOR)


# Corrective actions -------------------------------------------------------------------------------

@transaction.atomic
def action_create(*, actor: User, inspection: Inspection, description: str, owner: str, due_on: dt.date,
                  item: ChecklistItem | None = None) -> CorrectiveAction:
    """An action added at the office (the tablet's come through the sync)."""
    _require_field_or_lead(actor)
    inspection = lock_in_scope(inspection_visible(actor), inspection.pk, InspectionErrorCode.INSPECTION_NOT_FOUND)
    if not description.strip() or not owner.strip():
        raise DomainError(InspectionErrorCode.ACTION_INVALID, detail="내용과 담당자를 적으세요")
    if inspection.visited_on and due_on < inspection.visited_on:
        raise DomainError(InspectionErrorCode.ACTION_INVALID, detail="기한은 점검일 이후여야 합니다")
    if item is not None and item.template_id != inspection.template_id:
        raise DomainError(InspectionErrorCode.ITEM_UNKNOWN, item=item.code)
    return CorrectiveAction.objects.create(inspection=inspection, facility_id=inspection.facility_id, item=item,
                                           description=description.strip()[:500], owner=owner.strip()[:50],
                                           due_on=due_on, created_by=actor, client_id=uuid.uuid4())


@transaction.atomic
def action_done(*, actor: User, action: CorrectiveAction, proof_note: str = "") -> CorrectiveAction:
    """The facility has corrected it and sent proof (a note, a photo uploaded against the action, or both)."""
    _require_field_or_lead(actor)
    action = lock_in_scope(action_visible(actor), action.pk, InspectionErrorCode.ACTION_NOT_FOUND)
    if action.status != ActionStatus.OPEN:
        raise DomainError(InspectionErrorCode.ACTION_NOT_OPEN)
    if not proof_note.strip() and not action.photos.exists():
        raise DomainError(InspectionErrorCode.PROOF_REQUIRED)
    action.status = ActionStatus.DONE
    action.proof_note = proof_note.strip()
    action.done_at = timezone.now()
    action.done_recorded_by = actor
    action.save(update_fields=["status", "proof_note", "done_at", "done_recorded_by"])
    events.action_done(action=action, actor=actor)
    return action


@transaction.atomic
def action_verify(*, actor: User, action: CorrectiveAction) -> CorrectiveAction:
    """Seen corrected on a re-inspection (or accepted from the proof by the lead)."""
    _require_field_or_lead(actor)
    action = lock_in_scope(action_visible(actor), action.pk, InspectionErrorCode.ACTION_NOT_FOUND)
    if action.status == ActionStatus.VERIFIED:
        raise DomainError(InspectionErrorCode.ACTION_NOT_OPEN)
    if action.status == ActionStatus.OPEN and not action.photos.exists() and not action.proof_note:
        # Verified on the spot: the inspector's own eyes are the proof.
        action.proof_note = "재점검 시 현장 확인"
    action.status = ActionStatus.VERIFIED
    action.verified_at = timezone.now()
    action.verified_by = actor
    action.save(update_fields=["status", "proof_note", "verified_at", "verified_by"])
    events.action_verified(action=action, actor=actor)
    return action


# Escalation ---------------------------------------------------------------------------------------

def violations_of(inspection: Inspection) -> list[dict]:
    """Failed items that restate a statutory duty (ChecklistItem.statutory), in checklist order."""
    out = []
    for a in inspection.answers.select_related("item").order_by("item__number"):
        if a.compliant is False and a.item.statutory:
            shown = f"{a.value.normalize():f} {a.item.unit}" if a.answer == Answer.VALUE and a.value is not None \
                else str(Answer(a.answer).label)
            out.append({"code": a.item.code, "number": a.item.number, "text": a.item.text,
                        "severity": a.item.severity, "legal_basis": a.item.legal_basis, "answer": shown})
    return out


def escalation_text(escalation: Escalation) -> str:
    f = escalation.facility
    lines = ["[전주시 사회복지급식관리지원센터] 위생점검 법령 위반 통보",
             f"시설: {f.name} ({f.road_address}, {f.dong.name})",
             f"점검일: {escalation.inspection.visited_on:%Y-%m-%d}",
             "집단급식소 신고 시설" if escalation.binding else "50인 미만 미신고 시설(집단급식소 기준 준용)"]
    for v in escalation.violations:
        lines.append(f"- {v['text']} ({v['answer']}): {v['legal_basis']}")
    if escalation.note:
        lines.append(f"비고: {escalation.note}")
    lines.append(f"통보 번호: INSP-{escalation.pk}")
    return "\n".join(lines)


def _send(escalation_id: int) -> None:
    """After the commit: the notice, then its outcome on the record (a failed send stays visible to retry)."""
    from dolbom.integrations.messaging import MessageError, MessagePurpose, message_send

    escalation = Escalation.objects.select_related("facility__dong", "inspection", "contact").get(pk=escalation_id)
    try:
        result = message_send(to=escalation.contact.phone, text=escalation_text(escalation),
                              purpose=MessagePurpose.NOTICE, reference=f"inspections-escalation-{escalation.pk}")
    except MessageError as exc:
        log.warning("escalation %s: sending failed: %s", escalation.pk, exc.code)
        Escalation.objects.filter(pk=escalation.pk).update(status=EscalationStatus.FAILED,
                                                           message_error=str(exc.message)[:200])
        return
    Escalation.objects.filter(pk=escalation.pk).update(status=EscalationStatus.SENT, sent_at=timezone.now(),
                                                       message_reference=result.reference, message_error="")


@transaction.atomic
def escalation_create(*, actor: User, inspection: Inspection, note: str = "") -> Escalation:
    """Refer the inspection's legal violations to the district's sanitation department: a record, and a
    text to the department's work mobile once the record is committed. The centre advises and coaches;
    the power to act (식품위생법 §79 폐쇄, §101 과태료 ...) is the district's."""
    require_lead(actor)
    inspection = lock_in_scope(inspection_visible(actor).select_related("facility__dong"), inspection.pk,
                               InspectionErrorCode.INSPECTION_NOT_FOUND)
    if inspection.status not in (InspectionStatus.SUBMITTED, InspectionStatus.CLOSED):
        raise DomainError(InspectionErrorCode.NO_VIOLATION)
    violations = violations_of(inspection)
    if not violations:
        raise DomainError(InspectionErrorCode.NO_VIOLATION)
    gu = inspection.facility.dong.gu
    contact = SanitationContact.objects.filter(gu=gu).first()
    if contact is None:
        raise DomainError(InspectionErrorCode.NO_SANITATION_CONTACT, gu=gu)
    escalation = Escalation.objects.create(inspection=inspection, facility=inspection.facility, contact=contact,
                                           violations=violations, binding=inspection.facility.group_meal_service,
                                           note=note.strip(), created_by=actor)
    events.escalated(escalation=escalation, actor=actor)
    transaction.on_commit(lambda: _send(escalation.pk))
    return escalation


@transaction.atomic
def escalation_resend(*, actor: User, escalation: Escalation) -> Escalation:
    require_lead(actor)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.status == EscalationStatus.SENT:
        return escalation
    transaction.on_commit(lambda: _send(escalation.pk))
    return escalation


# Coaching -----------------------------------------------------------------------------------------

@transaction.atomic
def coaching_record(*, actor: User, inspection: Inspection | None, facility_id: int, given_on: dt.date,
                    topics: list[str], materials: list[str], attendees: int, note: str = "") -> CoachingRecord:
    """Training given and materials left at the facility (the tablet's come through the sync)."""
    _require_field_or_lead(actor)
    if not topics and not materials:
        raise DomainError(InspectionErrorCode.COACHING_INVALID, detail="주제나 자료를 하나 이상 고르세요")
    if any(t not in CoachingTopic.values for t in topics) or any(m not in CoachingMaterial.values for m in materials):
        raise DomainError(InspectionErrorCode.COACHING_INVALID, detail="주제·자료")
    if not 0 <= attendees <= 500 or given_on > timezone.localdate():
        raise DomainError(InspectionErrorCode.COACHING_INVALID, detail="인원·날짜")
    from dolbom.inspections.selectors import facility_visible

    facility = lock_in_scope(facility_visible(actor), facility_id, InspectionErrorCode.FACILITY_NOT_FOUND)
    record = CoachingRecord.objects.create(facility=facility, inspection=inspection, given_on=given_on,
                                           topics=sorted(set(topics)), materials=sorted(set(materials)),
                                           attendees=attendees, note=note.strip(), given_by=actor)
    events.coaching_given(record=record, actor=actor)
    return record
