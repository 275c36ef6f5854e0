"""Korean names for what the access log stores as codes, for the auditor's pages and exports.

The log keeps stable codes (``case_manager``, ``checkin_call``): they are what an export or a later
version reads back. The auditor reads Korean: the role's label (accounts.Role) and the record type's name
below. The record types are named by the apps that log them; audit keeps their names here, as the access
log's own vocabulary, rather than importing the apps (it sits below them). A type missing here is shown
as its code.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from dolbom.accounts.models import Role

RECORD_TYPES: dict[str, Any] = {
    "resident": _("Resident"),
    "household": _("Household"),
    "case": _("Case"),
    "case_list": _("Case list"),
    "case_meeting_items": _("Meeting items of a case"),
    "referral": _("Referral"),
    "referral_list": _("Referral list"),
    "meeting": _("Meeting"),
    "meeting_agenda": _("Meeting agenda"),
    "meeting_agenda_item": _("Meeting agenda case"),
    "meeting_candidates": _("Agenda candidates"),
    "visit": _("Home visit"),
    "visit_list": _("Visit list"),
    "visit_day": _("A worker's day of visits"),
    "visit_plan": _("Morning visit plan"),
    "checkin_call": _("Check-in call"),
    "checkin_enrolment": _("Check-in enrolment"),
    "checkin_alert": _("Check-in alert"),
    "checkin_alert_list": _("Check-in alert list"),
    "checkin_enrolment_list": _("Check-in enrolment list"),
    "checkin_calls_due": _("Check-in calls due"),
    "checkin_callbacks": _("Check-in call-backs"),
    "discovery_entry": _("Crisis discovery entry"),
    "discovery_visit_list": _("Crisis discovery visit list"),
    "access_log_review": _("Monthly access review"),
    "programme_signup": _("Programme sign-up"),
    "programme_session": _("Programme session"),
    "programme_checkin": _("Programme attendance"),
    "consultation_booking": _("Consultation booking"),
    "consultation_day": _("Consultation day"),
    "welfare_referral": _("Welfare referral"),
    "welfare_referral_list": _("Welfare referral list"),
    "subsidy_application": _("Subsidy application"),
    "subsidy_application_list": _("Subsidy application list"),
    "subsidy_decision": _("Subsidy decision"),
    "subsidy_document": _("Subsidy document"),
    "subsidy_suggestion_list": _("Subsidy suggestions"),
    "facility": _("Facility"),
    "inspection": _("Hygiene inspection"),
    "inspection_action": _("Inspection corrective action"),
}


def record_type_label(code: str) -> str:
    label = RECORD_TYPES.get(code)
    return str(label) if label is not None else code


def role_label(code: str) -> str:
    try:
        return str(Role(code).label)
    except ValueError:
        return code or "-"


def record_label(record_type: str, record_id: str) -> str:
    """'안부전화 통화 6': the record's kind in Korean and its number."""
    name = record_type_label(record_type)
    return f"{name} {record_id}" if record_id else name
