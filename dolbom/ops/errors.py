from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class OpsErrorCode(StrEnum):
    CASE_NOT_FOUND = "case_not_found"
    NOT_ALLOWED = "not_allowed"
    HOLD_REASON_REQUIRED = "hold_reason_required"
    HOLD_NOT_FOUND = "hold_not_found"
    HOLD_UNTIL_PAST = "hold_until_past"
    RETENTION_TOO_SHORT = "retention_too_short"

    @classmethod
    def messages(cls) -> dict[OpsErrorCode, str]:
        return {
            cls.CASE_NOT_FOUND: _("The case does not exist or is outside your scope."),
            cls.NOT_ALLOWED: _("Only the city integrated-care team or the case's dong officer may hold or "
                               "release a case's records."),
            cls.HOLD_REASON_REQUIRED: _("Say why the records must be kept (at least 5 characters)."),
            cls.HOLD_NOT_FOUND: _("No hold in force on this case."),
            cls.HOLD_UNTIL_PAST: _("A hold's end date must be in the future."),
            cls.RETENTION_TOO_SHORT: _("The access log must be kept at least two years (730 days)."),
        }
