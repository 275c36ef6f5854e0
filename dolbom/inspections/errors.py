from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class InspectionErrorCode(StrEnum):
    FACILITY_NOT_FOUND = "facility_not_found"
    INSPECTION_NOT_FOUND = "inspection_not_found"
    ACTION_NOT_FOUND = "action_not_found"
    PHOTO_NOT_FOUND = "photo_not_found"
    ROUND_NOT_FOUND = "round_not_found"
    VISIT_NOT_FOUND = "facility_visit_not_found"
    NOT_ALLOWED = "not_allowed"
    NOT_INSPECTOR = "not_inspector"
    FACILITY_INVALID = "facility_invalid"
    PHONE_INVALID = "phone_invalid"
    CODE_TAKEN = "facility_code_taken"
    TEMPLATE_INVALID = "template_invalid"
    TEMPLATE_NOT_CURRENT = "template_not_current"
    ANSWER_INVALID = "answer_invalid"
    ITEM_UNKNOWN = "item_unknown"
    READING_INVALID = "reading_invalid"
    RETEST_INVALID = "retest_invalid"
    INSTRUMENT_UNKNOWN = "instrument_unknown"
    NO_THRESHOLD = "no_threshold"
    THRESHOLD_INVALID = "threshold_invalid"
    ACTION_INVALID = "action_invalid"
    ACTION_NOT_OPEN = "action_not_open"
    PROOF_REQUIRED = "proof_required"
    CLIENT_ID_CONFLICT = "client_id_conflict"
    INSPECTION_CLOSED = "inspection_closed"
    INSPECTION_INCOMPLETE = "inspection_incomplete"
    ATP_RETEST_REQUIRED = "atp_retest_required"
    ACTION_REQUIRED = "corrective_action_required"
    PHOTO_INVALID = "photo_invalid"
    PHOTO_TOO_LARGE = "photo_too_large"
    NO_VIOLATION = "no_violation"
    NO_SANITATION_CONTACT = "no_sanitation_contact"
    ROUND_INVALID = "round_invalid"
    EXPORT_REASON_REQUIRED = "export_reason_required"
    DATE_INVALID = "date_invalid"
    COACHING_INVALID = "coaching_invalid"

    @classmethod
    def messages(cls) -> dict[InspectionErrorCode, str]:
        return {
            cls.FACILITY_NOT_FOUND: _("The facility does not exist or is outside your scope."),
            cls.INSPECTION_NOT_FOUND: _("The inspection does not exist or is outside your scope."),
            cls.ACTION_NOT_FOUND: _("The corrective action does not exist or is outside your scope."),
            cls.PHOTO_NOT_FOUND: _("The photo does not exist or is outside your scope."),
            cls.ROUND_NOT_FOUND: _("The inspection round does not exist."),
            cls.VISIT_NOT_FOUND: _("The facility visit does not exist or is outside your scope."),
            cls.NOT_ALLOWED: _("Your role does not allow this."),
            cls.NOT_INSPECTOR: _("Only an inspector of the meal-support centre can do this."),
            cls.FACILITY_INVALID: _("Check the facility's fields: %(detail)s"),
            cls.PHONE_INVALID: _("Enter the contact's phone number, e.g. 063-123-4567 or 010-1234-5678."),
            cls.CODE_TAKEN: _("Another facility already has this code."),
            cls.TEMPLATE_INVALID: _("The checklist file is not valid: %(detail)s"),
            cls.TEMPLATE_NOT_CURRENT: _("This checklist version is no longer in use; reload the form."),
            cls.ANSWER_INVALID: _("Item %(item)s: %(detail)s"),
            cls.ITEM_UNKNOWN: _("Item %(item)s is not on this checklist."),
            cls.READING_INVALID: _("ATP reading: %(detail)s"),
            cls.RETEST_INVALID: _("A re-test must follow a reading of the same surface and instrument "
                                  "in the same inspection, taken after re-cleaning."),
            cls.INSTRUMENT_UNKNOWN: _("The ATP instrument is not known."),
            cls.NO_THRESHOLD: _("No limits are set for this instrument and surface."),
            cls.THRESHOLD_INVALID: _("The pass limit must be at most the caution limit (both in RLU, 0 or more)."),
            cls.ACTION_INVALID: _("Corrective action: %(detail)s"),
            cls.ACTION_NOT_OPEN: _("This corrective action is not open."),
            cls.PROOF_REQUIRED: _("Record the proof: a note or a photo."),
            cls.CLIENT_ID_CONFLICT: _("The tablet's record id belongs to another record; it was not stored."),
            cls.INSPECTION_CLOSED: _("This inspection is closed; the changes were not stored. "
                                     "Tell the office what must change."),
            cls.INSPECTION_INCOMPLETE: _("Answer every checklist item before closing (missing: %(items)s)."),
            cls.ATP_RETEST_REQUIRED: _("A failed swab needs a re-clean and a re-test before the inspection "
                                       "closes (%(surfaces)s)."),
            cls.ACTION_REQUIRED: _("A failed critical or major item needs a corrective action with an owner and a "
                                   "due date before the inspection closes (items %(items)s)."),
            cls.PHOTO_INVALID: _("The file is not a JPEG, PNG or WebP photo."),
            cls.PHOTO_TOO_LARGE: _("The photo is larger than %(limit)s MB."),
            cls.NO_VIOLATION: _("This inspection found no failed item with a legal basis to refer."),
            cls.NO_SANITATION_CONTACT: _("No sanitation department is registered for %(gu)s."),
            cls.ROUND_INVALID: _("Check the round: %(detail)s"),
            cls.EXPORT_REASON_REQUIRED: _("State why you are downloading this file."),
            cls.DATE_INVALID: _("Enter a valid date."),
            cls.COACHING_INVALID: _("Coaching record: %(detail)s"),
        }
