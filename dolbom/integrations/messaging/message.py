"""What is sent: the kind a text needs (SMS, LMS or 알림톡) and the limits that decide it.

Korean carriers count SMS and LMS length in bytes of the Korean legacy encoding: an SMS holds 90 bytes
(45 Hangul syllables, or 90 ASCII characters), an LMS 2,000. We count in CP949, the superset of EUC-KR
that also gives the Hangul syllables outside KS X 1001 (똠, 햏, ...) two bytes, and refuse what it cannot
encode (emoji, most symbols outside it), which would reach the phone as "?". A text within 90 bytes goes as
an SMS, a longer one as an LMS, beyond 2,000 bytes it is refused: splitting a notice into several messages
would let its parts arrive out of order. A 알림톡 (KakaoTalk business notice) is a template approved in
advance by Kakao, filled in; it holds 1,000 characters, and the gateway falls back to SMS/LMS with the
same text when the person cannot receive it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from dolbom.integrations.messaging.errors import MessageError, MessageErrorCode

SMS_MAX_BYTES = 90
LMS_MAX_BYTES = 2000
ALIMTALK_MAX_CHARS = 1000


class MessageKind(StrEnum):
    SMS = "sms"
    LMS = "lms"
    ALIMTALK = "alimtalk"


class MessagePurpose(StrEnum):
    """Why a message is sent; the apps' well-known purposes (any short lowercase code is accepted)."""

    ONE_TIME_CODE = "one_time_code"  # a code that proves the phone is the person's: never logged
    ALERT = "alert"
    REMINDER = "reminder"
    NOTICE = "notice"


# Texts that would let whoever reads the log act as the person: kept out of every log line.
SENSITIVE_PURPOSES = frozenset({MessagePurpose.ONE_TIME_CODE})


def text_bytes(text: str) -> int | None:
    """The length carriers count for SMS/LMS; None when the text cannot go as one."""
    try:
        return len(text.encode("cp949"))
    except UnicodeEncodeError:
        return None


def text_kind(text: str) -> MessageKind:
    """SMS or LMS by length; MessageError when it is too long or has characters neither can carry."""
    length = text_bytes(text)
    if length is None:
        bad = sorted({c for c in text if text_bytes(c) is None})
        raise MessageError(MessageErrorCode.UNSUPPORTED_CHARACTERS, characters=" ".join(bad[:10]))
    if length > LMS_MAX_BYTES:
        raise MessageError(MessageErrorCode.TOO_LONG, length=f"{length:,}", limit=f"{LMS_MAX_BYTES:,}")
    return MessageKind.SMS if length <= SMS_MAX_BYTES else MessageKind.LMS


def fallback_kind(text: str) -> MessageKind | None:
    """What a 알림톡 falls back to when the person cannot receive it; None when no SMS/LMS can carry it."""
    try:
        return text_kind(text)
    except MessageError:
        return None


@dataclass(frozen=True)
class OutboundMessage:
    """One message as handed to a transport (the locmem outbox keeps these)."""

    reference: str  # our id; the same reference means the same message, so a gateway can drop a repeat
    kind: MessageKind
    to: str  # 01012345678
    sender: str  # the registered sender number, or "" for the gateway's own
    text: str
    purpose: str
    template: str  # 알림톡 template code; "" for SMS/LMS
    fallback: MessageKind | None  # 알림톡 only
    sensitive: bool  # carries a one-time code or the like: its text appears in no log
    created_at: dt.datetime


@dataclass(frozen=True)
class MessageResult:
    reference: str
    backend: str
    kind: MessageKind
    to: str
    gateway_id: str  # the gateway's id for the message; the reference where the transport has none
