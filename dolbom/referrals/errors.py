from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class ReferralErrorCode(StrEnum):
    NOT_ALLOWED = "not_allowed"
    REFERRAL_NOT_FOUND = "referral_not_found"
    SERVICE_NOT_FOUND = "service_not_found"
    INSTITUTION_NOT_FOUND = "institution_not_found"
    CONSENT_REQUIRED = "consent_required"
    CONSENT_NOT_YET = "consent_not_yet_in_force"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    CONSENT_EXPIRED = "consent_expired"
    CASE_CLOSED = "case_closed"
    PLAN_LINE_NOT_IN_CASE = "plan_line_not_in_case"
    SERVICE_INACTIVE = "service_inactive"
    DUE_DAYS_OUT_OF_RANGE = "due_days_out_of_range"
    STEP_NOT_ALLOWED = "step_not_allowed"
    REASON_REQUIRED = "reason_required"
    NOTE_REQUIRED = "note_required"
    OUTCOME_REQUIRED = "outcome_required"
    DATE_IN_FUTURE = "date_in_future"
    CODE_TAKEN = "code_taken"
    CATEGORY_UNKNOWN = "category_unknown"
    FIELD_REQUIRED = "field_required"
    NOT_A_DISCHARGE_INSTITUTION = "not_a_discharge_institution"
    AREA_UNKNOWN = "area_unknown"
    RRN_REQUIRED = "rrn_required"
    RRN_INVALID = "rrn_invalid"
    IDENTITY_MISMATCH = "identity_mismatch"
    TOO_MANY_NOTICES = "too_many_notices"
    NO_DONG_WORKER = "no_dong_worker"

    @classmethod
    def messages(cls) -> dict[ReferralErrorCode, str]:
        return {
            cls.NOT_ALLOWED: _("Your role does not allow this."),
            cls.REFERRAL_NOT_FOUND: _("The referral does not exist or is outside your scope."),
            cls.SERVICE_NOT_FOUND: _("The service does not exist."),
            cls.INSTITUTION_NOT_FOUND: _("The institution does not exist."),
            cls.CONSENT_REQUIRED: _("The client has not consented to sharing information with %(institution)s. "
                                    "Record the consent first."),
            cls.CONSENT_NOT_YET: _("The consent to share information with %(institution)s is not yet in force: "
                                   "it was recorded as given at %(since)s. Correct the consent time, or wait."),
            cls.CONSENT_WITHDRAWN: _("The client withdrew the consent to share information with %(institution)s on "
                                     "%(on)s. Record a new consent first."),
            cls.CONSENT_EXPIRED: _("The consent to share information with %(institution)s expired on %(on)s. "
                                   "Record a new consent first."),
            cls.CASE_CLOSED: _("The case is closed; it cannot be referred."),
            cls.PLAN_LINE_NOT_IN_CASE: _("The plan line does not belong to this case."),
            cls.SERVICE_INACTIVE: _("The service is no longer offered."),
            cls.DUE_DAYS_OUT_OF_RANGE: _("The response deadline must be between 1 and 30 days."),
            cls.STEP_NOT_ALLOWED: _("This step is not allowed while the referral is '%(status)s'."),
            cls.REASON_REQUIRED: _("Write the reason."),
            cls.NOTE_REQUIRED: _("Write what was done."),
            cls.OUTCOME_REQUIRED: _("Write the outcome of the service."),
            cls.DATE_IN_FUTURE: _("The date cannot be in the future."),
            cls.CODE_TAKEN: _("This code is already used."),
            cls.CATEGORY_UNKNOWN: _("Unknown resource category."),
            cls.FIELD_REQUIRED: _("Fill in %(field)s."),
            cls.NOT_A_DISCHARGE_INSTITUTION: _("Only hospitals, long-term-care facilities and disability residences "
                                               "send discharge notices."),
            cls.AREA_UNKNOWN: _("The address area is not in the city."),
            # Asked of every notice alike: the answer must not tell whether the person is registered.
            cls.RRN_REQUIRED: _("Enter the person's resident registration number."),
            cls.RRN_INVALID: _("The resident registration number is not valid."),
            cls.IDENTITY_MISMATCH: _("The name, birth date and registration number do not belong together. Check "
                                     "them against the patient's identity card."),
            cls.TOO_MANY_NOTICES: _("Too many discharge notices from your account in the last hour. Try again "
                                    "later or call the dong office."),
            cls.NO_DONG_WORKER: _("The dong has no case manager or welfare officer to receive the notice."),
        }
