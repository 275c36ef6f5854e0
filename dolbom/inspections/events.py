"""A facility's history, one function per event, written in the caller's transaction.

Inspections are about kitchens, not about a person's case, so they do not go on a case timeline
(cases.events); this is the facility's own, read by the facility page and kept as the audit trail of
every write (who, what, when, old and new values).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.inspections.models import (
    CoachingRecord,
    CorrectiveAction,
    Escalation,
    Facility,
    FacilityVisit,
    Inspection,
    InspectionEvent,
)


class InspectionEventType(models.TextChoices):
    FACILITY_REGISTERED = "facility_registered", _("Facility registered")
    FACILITY_UPDATED = "facility_updated", _("Facility details changed")
    RISK_CHANGED = "risk_changed", _("Risk level changed")
    INSPECTION_PLANNED = "inspection_planned", _("Inspection planned")
    INSPECTION_SYNCED = "inspection_synced", _("Inspection received from the tablet")
    INSPECTION_CLOSED = "inspection_closed", _("Inspection closed")
    ACTION_DONE = "action_done", _("Corrective action done")
    ACTION_VERIFIED = "action_verified", _("Corrective action verified")
    ESCALATED = "escalated", _("Referred to the sanitation department")
    COACHING = "coaching", _("Coaching given")
    VISIT_PLANNED = "visit_planned", _("Visit planned")


def _write(facility: Facility, type_: InspectionEventType, actor: User, *, inspection: Inspection | None = None,
           old: dict[str, Any] | None = None, new: dict[str, Any] | None = None, note: str = "") -> InspectionEvent:
    return InspectionEvent.objects.create(facility=facility, inspection=inspection, type=type_, actor=actor,
                                          at=timezone.now(), old=old or {}, new=new or {}, note=note)


def facility_registered(*, facility: Facility, actor: User) -> InspectionEvent:
    return _write(facility, InspectionEventType.FACILITY_REGISTERED, actor,
                  new={"code": facility.code, "name": facility.name, "dong": facility.dong.name})


def facility_updated(*, facility: Facility, actor: User, old: dict[str, Any], new: dict[str, Any]) -> InspectionEvent:
    return _write(facility, InspectionEventType.FACILITY_UPDATED, actor, old=old, new=new)


def risk_changed(*, facility: Facility, actor: User, old: str, reason: str,
                 inspection: Inspection | None = None) -> InspectionEvent:
    return _write(facility, InspectionEventType.RISK_CHANGED, actor, inspection=inspection,
                  old={"risk_level": old}, new={"risk_level": facility.risk_level}, note=reason)


def inspection_planned(*, inspection: Inspection, actor: User) -> InspectionEvent:
    return _write(inspection.facility, InspectionEventType.INSPECTION_PLANNED, actor, inspection=inspection,
                  new={"kind": inspection.kind, "due_on": inspection.due_on.isoformat() if inspection.due_on else None,
                       "round": inspection.round_id})


def inspection_synced(*, inspection: Inspection, actor: User, created: bool, counts: dict[str, int]) -> InspectionEvent:
    return _write(inspection.facility, InspectionEventType.INSPECTION_SYNCED, actor, inspection=inspection,
                  new={"created": created, "status": inspection.status, "sync": inspection.sync_count,
                       "score": str(inspection.score) if inspection.score is not None else None, **counts})


def inspection_closed(*, inspection: Inspection, actor: User) -> InspectionEvent:
    return _write(inspection.facility, InspectionEventType.INSPECTION_CLOSED, actor, inspection=inspection,
                  old={"status": "submitted"},
                  new={"status": inspection.status, "score": str(inspection.score), "grade": inspection.grade})


def action_done(*, action: CorrectiveAction, actor: User) -> InspectionEvent:
    return _write(action.facility, InspectionEventType.ACTION_DONE, actor, inspection=action.inspection,
                  old={"status": "open"}, new={"action": action.pk, "status": action.status},
                  note=action.proof_note)


def action_verified(*, action: CorrectiveAction, actor: User) -> InspectionEvent:
    return _write(action.facility, InspectionEventType.ACTION_VERIFIED, actor, inspection=action.inspection,
                  old={"status": "done"}, new={"action": action.pk, "status": action.status})


def escalated(*, escalation: Escalation, actor: User) -> InspectionEvent:
    return _write(escalation.facility, InspectionEventType.ESCALATED, actor, inspection=escalation.inspection,
                  new={"escalation": escalation.pk, "to": str(escalation.contact),
                       "violations": [v["code"] for v in escalation.violations], "binding": escalation.binding},
                  note=escalation.note)


def coaching_given(*, record: CoachingRecord, actor: User) -> InspectionEvent:
    return _write(record.facility, InspectionEventType.COACHING, actor, inspection=record.inspection,
                  new={"topics": record.topics, "materials": record.materials, "attendees": record.attendees})


def visit_planned(*, visit: FacilityVisit, actor: User) -> InspectionEvent:
    return _write(visit.facility, InspectionEventType.VISIT_PLANNED, actor, inspection=visit.follows,
                  new={"visit": visit.pk, "kind": visit.kind, "due_on": visit.due_on.isoformat()})


def event_label(value: str) -> str:
    return str(dict(InspectionEventType.choices).get(value, value))
