from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class AuditErrorCode(StrEnum):
    NOT_ALLOWED = "not_allowed"
    MONTH_INVALID = "month_invalid"
    PURPOSE_REQUIRED = "purpose_required"
    LOCKOUT_INVALID = "lockout_invalid"

    @classmethod
    def messages(cls) -> dict[AuditErrorCode, str]:
        return {
            cls.NOT_ALLOWED: _("Only auditors may read the access log."),
            cls.MONTH_INVALID: _("Choose a valid month."),
            cls.PURPOSE_REQUIRED: _("This person is not in your caseload. State why you are opening the record."),
            cls.LOCKOUT_INVALID: _("Choose a locked account or address."),
        }
