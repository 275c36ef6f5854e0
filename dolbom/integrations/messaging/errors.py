from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from dolbom.lib.errors import DomainError


class MessageErrorCode(StrEnum):
    INVALID_PHONE = "invalid_phone"
    EMPTY_TEXT = "empty_text"
    TOO_LONG = "message_too_long"
    TEMPLATE_TOO_LONG = "template_message_too_long"
    UNSUPPORTED_CHARACTERS = "unsupported_characters"
    GATEWAY_UNAVAILABLE = "gateway_unavailable"
    GATEWAY_REFUSED = "gateway_refused"

    @classmethod
    def messages(cls) -> dict[MessageErrorCode, str]:
        return {
            cls.INVALID_PHONE: _("Enter a mobile phone number such as 010-1234-5678."),
            cls.EMPTY_TEXT: _("The message is empty."),
            cls.TOO_LONG: _("The message is too long: %(length)s bytes, at most %(limit)s."),
            cls.TEMPLATE_TOO_LONG: _("The KakaoTalk notice is too long: %(length)s characters, at most %(limit)s."),
            cls.UNSUPPORTED_CHARACTERS: _("A text message cannot carry these characters: %(characters)s"),
            cls.GATEWAY_UNAVAILABLE: _("The message service did not answer. Try again in a moment."),
            cls.GATEWAY_REFUSED: _("The message service refused the message."),
        }


# The sender's fault (400) or the gateway's (502/503): the API answers accordingly.
_STATUS = {MessageErrorCode.GATEWAY_UNAVAILABLE: 503, MessageErrorCode.GATEWAY_REFUSED: 502}


class MessageError(DomainError):
    def __init__(self, code: MessageErrorCode, message: str | None = None, **params: Any) -> None:
        super().__init__(code, message, **params)
        self.status_code = _STATUS.get(code, 400)
