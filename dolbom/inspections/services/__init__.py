"""Writes of the inspections app, by part: reference data (facilities), the tablet's sync, closing and
rounds (inspections), follow-up (actions, escalation, coaching) and visits to facilities."""

from dolbom.inspections.services.facilities import (
    FacilityFields,
    facility_create,
    facility_risk_set,
    facility_update,
    inspector_set,
    instrument_create,
    sanitation_contact_set,
    template_publish,
    threshold_set,
)
from dolbom.inspections.services.followup import (
    action_create,
    action_done,
    action_verify,
    coaching_record,
    escalation_create,
    escalation_resend,
)
from dolbom.inspections.services.inspections import (
    inspection_close,
    inspection_plan,
    round_create,
    summer_round_create,
)
from dolbom.inspections.services.sync import (
    ActionDoc,
    AnswerDoc,
    CoachingDoc,
    InspectionDoc,
    ReadingDoc,
    SyncResult,
    inspection_sync,
    photo_upload,
)
from dolbom.inspections.services.visits import (
    facility_visit_cancel,
    facility_visit_create,
    facility_visits_plan,
    schedule_due,
)

__all__ = [
    "ActionDoc", "AnswerDoc", "CoachingDoc", "FacilityFields", "InspectionDoc", "ReadingDoc", "SyncResult",
    "action_create", "action_done", "action_verify", "coaching_record", "escalation_create", "escalation_resend",
    "facility_create", "facility_risk_set", "facility_update", "facility_visit_cancel", "facility_visit_create",
    "facility_visits_plan", "inspection_close", "inspection_plan", "inspection_sync", "inspector_set",
    "instrument_create", "photo_upload", "round_create", "sanitation_contact_set", "schedule_due",
    "summer_round_create", "template_publish", "threshold_set",
]
