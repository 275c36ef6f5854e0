"""Korean mobile numbers: what SMS and 알림톡 can reach.

Only 010 numbers are accepted: the 011/016/017/018/019 prefixes closed with the 2G networks (2021), and
a landline or 070 number receives neither SMS nor 알림톡. People write numbers in many ways (spaces,
dots, full-width digits from a Korean IME, +82); all become ``01012345678``.
"""

from __future__ import annotations

import re
import unicodedata

from dolbom.integrations.messaging.errors import MessageError, MessageErrorCode

_SEPARATORS = re.compile(r"[\s\-.()/]")
_MOBILE = re.compile(r"010\d{8}")


def phone_normalise(raw: str) -> str:
    """``01012345678`` for any way of writing a 010 number; MessageError(invalid_phone) otherwise."""
    number = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    for country in ("+82", "0082", "82"):
        # "+82 10-…" and "+82 (0)10-…" both name 010-…; a bare "82" only with a full number after it.
        if number.startswith(country) and (country != "82" or len(number) == 12):
            number = "0" + number[len(country):].removeprefix("0")
            break
    if not _MOBILE.fullmatch(number):
        raise MessageError(MessageErrorCode.INVALID_PHONE)
    return number


def phone_display(number: str) -> str:
    """``010-1234-5678`` for a normalised number."""
    return f"{number[:3]}-{number[3:7]}-{number[7:]}"


def phone_masked(number: str) -> str:
    """``010-****-5678``: what logs show (a phone number is personal data)."""
    return f"{number[:3]}-****-{number[7:]}"
