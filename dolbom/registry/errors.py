from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class RegistryErrorCode(StrEnum):
    RESIDENT_NOT_FOUND = "resident_not_found"
    HOUSEHOLD_NOT_FOUND = "household_not_found"
    PURPOSE_REQUIRED = "purpose_required"
    NOT_ALLOWED = "not_allowed"
    OUTSIDE_DONG = "outside_dong"
    RRN_INVALID = "rrn_invalid"
    RRN_DUPLICATE = "rrn_duplicate"
    RRN_MISMATCH = "rrn_mismatch"
    CONSENT_INVALID = "consent_invalid"
    CONSENT_ALREADY_WITHDRAWN = "consent_already_withdrawn"
    CONSENT_NOT_FOUND = "consent_not_found"
    QUERY_TOO_SHORT = "query_too_short"
    RRN_QUERY_INVALID = "rrn_query_invalid"
    RRN_NOT_IN_URL = "rrn_not_in_url"
    CONSENT_IN_FUTURE = "consent_in_future"
    REASON_REQUIRED = "reason_required"
    NOTHING_CHANGED = "nothing_changed"
    SAME_ADDRESS = "same_address"
    NAME_REQUIRED = "name_required"

    @classmethod
    def messages(cls) -> dict[RegistryErrorCode, str]:
        return {
            cls.RESIDENT_NOT_FOUND: _("The resident does not exist or is outside your scope."),
            cls.HOUSEHOLD_NOT_FOUND: _("The household does not exist or is outside your scope."),
            cls.PURPOSE_REQUIRED: _("This person is not in your caseload. State why you are opening the record."),
            cls.NOT_ALLOWED: _("Your role does not allow this."),
            cls.OUTSIDE_DONG: _("You can register households and residents of your own dong only."),
            cls.RRN_INVALID: _("The resident registration number is not valid."),
            cls.RRN_DUPLICATE: _("A resident with this registration number already exists."),
            cls.RRN_MISMATCH: _("The registration number does not match the birth date or sex."),
            cls.CONSENT_INVALID: _("The consent record is incomplete: purpose, recipient and date are required."),
            cls.CONSENT_ALREADY_WITHDRAWN: _("This consent has already been withdrawn."),
            cls.CONSENT_NOT_FOUND: _("The consent record does not exist."),
            cls.QUERY_TOO_SHORT: _("Enter at least one character to search."),
            cls.RRN_QUERY_INVALID: _("The registration number is not valid: check its 13 digits."),
            cls.RRN_NOT_IN_URL: _("Search by registration number with POST /api/residents/search: a number in a URL "
                                  "would be kept in server and proxy logs."),
            cls.CONSENT_IN_FUTURE: _("A consent cannot be recorded for a time in the future: enter when it was given."),
            cls.REASON_REQUIRED: _("Write why the details change (kept in the history)."),
            cls.NOTHING_CHANGED: _("Nothing was changed."),
            cls.SAME_ADDRESS: _("The new address is the same as the current one."),
            cls.NAME_REQUIRED: _("Enter the resident's name."),
        }
