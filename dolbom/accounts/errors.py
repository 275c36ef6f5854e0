from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class AccountErrorCode(StrEnum):
    PASSWORD_INVALID = "password_invalid"
    PASSWORD_WRONG = "password_wrong"
    SECOND_FACTOR_WRONG = "second_factor_wrong"
    SECOND_FACTOR_REQUIRED = "second_factor_required"
    NOT_ALLOWED = "not_allowed"
    TOKEN_NAME_REQUIRED = "token_name_required"
    TOKEN_NOT_FOUND = "token_not_found"

    @classmethod
    def messages(cls) -> dict[AccountErrorCode, str]:
        return {
            cls.PASSWORD_INVALID: _("The new password does not meet the rules: %(reasons)s"),
            cls.PASSWORD_WRONG: _("The current password is not correct."),
            cls.SECOND_FACTOR_WRONG: _("The code is not correct or has expired. Enter the code your app shows now."),
            cls.SECOND_FACTOR_REQUIRED: _("Confirm your sign-in with your authenticator app first."),
            cls.NOT_ALLOWED: _("Your role does not allow this."),
            cls.TOKEN_NAME_REQUIRED: _("Name the token after the script or system that will use it."),
            cls.TOKEN_NOT_FOUND: _("The token does not exist."),
        }
