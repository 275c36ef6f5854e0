from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class WebErrorCode(StrEnum):
    PHONE_INVALID = "phone_invalid"

    @classmethod
    def messages(cls) -> dict[WebErrorCode, str]:
        return {
            cls.PHONE_INVALID: _("Enter a mobile number starting with 010 (e.g. 010-1234-5678)."),
        }
