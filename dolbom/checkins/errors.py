from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class CheckinErrorCode(StrEnum):
    NOT_ALLOWED = "not_allowed"
    ENROLMENT_NOT_FOUND = "enrolment_not_found"
    CALL_NOT_FOUND = "call_not_found"
    ALERT_NOT_FOUND = "alert_not_found"
    CASE_CLOSED = "case_closed"
    ALREADY_ENROLLED = "already_enrolled"
    SCHEDULE_INVALID = "schedule_invalid"
    NAME_REQUIRED = "name_required"
    TOPIC_INVALID = "topic_invalid"
    ENROLMENT_STOPPED = "enrolment_stopped"
    STATUS_UNCHANGED = "status_unchanged"
    CALL_NOT_DUE = "call_not_due"
    CALL_NOT_IN_PROGRESS = "call_not_in_progress"
    ALERT_STATUS = "alert_status"
    NOTE_REQUIRED = "note_required"
    CALLBACK_DONE = "callback_done"
    CAMPAIGN_EMPTY = "campaign_empty"
    MEMORY_REASON_REQUIRED = "memory_reason_required"
    SETTINGS_OUT_OF_RANGE = "settings_out_of_range"

    @classmethod
    def messages(cls) -> dict[CheckinErrorCode, str]:
        return {
            cls.NOT_ALLOWED: _("Your role does not allow this."),
            cls.ENROLMENT_NOT_FOUND: _("The enrolment does not exist or is outside your scope."),
            cls.CALL_NOT_FOUND: _("The call does not exist or is outside your scope."),
            cls.ALERT_NOT_FOUND: _("The alert does not exist or is outside your scope."),
            cls.CASE_CLOSED: _("The case is closed; check-in calls need an open case."),
            cls.ALREADY_ENROLLED: _("This client is already enrolled in check-in calls."),
            cls.SCHEDULE_INVALID: _("Choose a frequency, a day and a time window that ends after it starts."),
            cls.NAME_REQUIRED: _("Enter how the caller should address the client."),
            cls.TOPIC_INVALID: _("Unknown topic: %(topic)s."),
            cls.ENROLMENT_STOPPED: _("Check-in calls for this client were stopped; enrol again instead."),
            cls.STATUS_UNCHANGED: _("The enrolment is already '%(status)s'."),
            cls.CALL_NOT_DUE: _("This call has already ended."),
            cls.CALL_NOT_IN_PROGRESS: _("This call is not in progress."),
            cls.ALERT_STATUS: _("This step is not possible while the alert is '%(status)s'."),
            cls.NOTE_REQUIRED: _("Write a note."),
            cls.CALLBACK_DONE: _("This call-back has already been recorded."),
            cls.CAMPAIGN_EMPTY: _("No enrolled client in this group."),
            cls.MEMORY_REASON_REQUIRED: _("Write why you correct what the caller remembers."),
            cls.SETTINGS_OUT_OF_RANGE: _("Tries 1–10, spacing 5–240 minutes, escalation 5–1440 minutes, "
                                         "missed calls 1–10."),
        }
