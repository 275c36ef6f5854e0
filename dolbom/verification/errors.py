from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class VerificationErrorCode(StrEnum):
    RATE_LIMITED = "verification_rate_limited"
    NOT_FOUND = "verification_not_found"
    EXPIRED = "verification_expired"
    WRONG_CODE = "verification_wrong_code"
    TOO_MANY_ATTEMPTS = "verification_too_many_attempts"
    NOT_VERIFIED = "verification_not_verified"
    ALREADY_USED = "verification_already_used"
    OTHER_PHONE = "verification_other_phone"

    @classmethod
    def messages(cls) -> dict[VerificationErrorCode, str]:
        return {
            cls.RATE_LIMITED: _("Too many codes were requested. Try again later."),
            cls.NOT_FOUND: _("The verification has expired. Request a new code."),
            cls.EXPIRED: _("The code has expired. Request a new code."),
            cls.WRONG_CODE: _("The code is not correct. %(left)s tries left."),
            cls.TOO_MANY_ATTEMPTS: _("The code was entered wrongly too many times. Request a new code."),
            cls.NOT_VERIFIED: _("Confirm your phone number with the code first."),
            cls.ALREADY_USED: _("This code has already been used. Request a new code."),
            cls.OTHER_PHONE: _("The code was sent to another phone number."),
        }
