from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class AreaErrorCode(StrEnum):
    DONG_UNKNOWN = "dong_unknown"

    @classmethod
    def messages(cls) -> dict[AreaErrorCode, str]:
        return {
            cls.DONG_UNKNOWN: _("No dong is valid for this address on that date."),
        }
