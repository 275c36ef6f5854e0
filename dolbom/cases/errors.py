from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class CaseErrorCode(StrEnum):
    CASE_NOT_FOUND = "case_not_found"
    NOT_ALLOWED = "not_allowed"
    CASE_CLOSED = "case_closed"
    STEP_NOT_ALLOWED = "step_not_allowed"
    APPLICANT_TYPE_INVALID = "applicant_type_invalid"
    APPLICANT_NAME_REQUIRED = "applicant_name_required"
    EX_OFFICIO_REASON_REQUIRED = "ex_officio_reason_required"
    EX_OFFICIO_EXPLANATION_REQUIRED = "ex_officio_explanation_required"
    CONSENT_REQUIRED = "consent_required"
    CONSENT_AFTER_APPLICATION = "consent_after_application"
    ORIGIN_INVALID = "origin_invalid"
    SURVEY_INCOMPLETE = "survey_incomplete"
    SCORE_INVALID = "score_invalid"
    DECISION_INCOMPLETE = "decision_incomplete"
    PLAN_BEFORE_DECISION = "plan_before_decision"
    PLAN_INCOMPLETE = "plan_incomplete"
    PLAN_LINE_DATES = "plan_line_dates"
    FOLLOW_UP_NOT_DUE = "follow_up_not_due"
    FOLLOW_UP_NOTE_REQUIRED = "follow_up_note_required"
    CLOSURE_REASON_REQUIRED = "closure_reason_required"
    CLOSURE_NOTE_REQUIRED = "closure_note_required"
    REOPEN_REASON_REQUIRED = "reopen_reason_required"
    NOT_CLOSED = "not_closed"
    INTERVAL_OUT_OF_RANGE = "interval_out_of_range"
    MEETING_NOT_REQUESTED = "meeting_not_requested"
    OUTCOME_REQUIRED = "outcome_required"
    MANAGER_INVALID = "manager_invalid"
    DATE_IN_FUTURE = "date_in_future"
    EXPORT_REASON_REQUIRED = "export_reason_required"

    @classmethod
    def messages(cls) -> dict[CaseErrorCode, str]:
        return {
            cls.CASE_NOT_FOUND: _("The case does not exist or is outside your scope."),
            cls.NOT_ALLOWED: _("Your role does not allow this."),
            cls.CASE_CLOSED: _("The case is closed and read-only. Reopen it with a reason first."),
            cls.STEP_NOT_ALLOWED: _("This step is not allowed while the case is '%(status)s'."),
            cls.APPLICANT_TYPE_INVALID: _("Choose who is applying."),
            cls.APPLICANT_NAME_REQUIRED: _("Enter the applicant's name and relation to the person."),
            cls.EX_OFFICIO_REASON_REQUIRED: _("An ex officio application needs one of the six legal reasons."),
            cls.EX_OFFICIO_EXPLANATION_REQUIRED: _("Record when the person was given the explanation and gave prior consent."),
            cls.CONSENT_REQUIRED: _("The person's consent must be recorded for this applicant type."),
            cls.CONSENT_AFTER_APPLICATION: _("The explanation and consent must come before the application."),
            cls.ORIGIN_INVALID: _("Choose where the case was discovered."),
            cls.SURVEY_INCOMPLETE: _("The needs survey is incomplete: every ADL and IADL item needs a score."),
            cls.SCORE_INVALID: _("Scores must be 1 (independent), 2 (partly dependent) or 3 (fully dependent)."),
            cls.DECISION_INCOMPLETE: _("The decision needs all five factors, both levels and the explanation given."),
            cls.PLAN_BEFORE_DECISION: _("A support plan can only be written after an eligibility decision."),
            cls.PLAN_INCOMPLETE: _("A support plan needs goals and at least one service line."),
            cls.PLAN_LINE_DATES: _("Each service line must end on or after its start."),
            cls.FOLLOW_UP_NOT_DUE: _("Follow-up is recorded only while services are running."),
            cls.FOLLOW_UP_NOTE_REQUIRED: _("Write what the follow-up found."),
            cls.CLOSURE_REASON_REQUIRED: _("Closing needs one of the five legal reasons."),
            cls.CLOSURE_NOTE_REQUIRED: _("Closing needs a note."),
            cls.REOPEN_REASON_REQUIRED: _("Reopening needs a reason."),
            cls.NOT_CLOSED: _("Only a closed case can be reopened."),
            cls.INTERVAL_OUT_OF_RANGE: _("The first follow-up must be within 90 days and later ones within 183 days."),
            cls.MEETING_NOT_REQUESTED: _("Mark the case for an integrated support meeting first."),
            cls.OUTCOME_REQUIRED: _("Write the meeting outcome."),
            cls.MANAGER_INVALID: _("The case manager must be a staff member who may manage cases."),
            cls.DATE_IN_FUTURE: _("The date cannot be in the future."),
            cls.EXPORT_REASON_REQUIRED: _("Every download of personal data needs a reason; write why you need it."),
        }
