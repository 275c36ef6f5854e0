"""``message_send``: one SMS, LMS or 알림톡 to one person, through the configured backend.

Send after the transaction that decided it has committed (``transaction.on_commit``): a message cannot be
taken back if the transaction rolls back. The caller records why it sent (an audit or timeline row in its
own transaction); no message log is kept here, so that phone numbers and texts are not copied into one
more table with its own retention duty.

Logs never hold a text at INFO: they show the kind, purpose, reference and a masked number. At DEBUG the
text appears, except for a sensitive message (a one-time code, or ``sensitive=True``): whoever could read
the log could otherwise use the code.
"""

from __future__ import annotations

import logging
import re
import uuid

from django.conf import settings
from django.utils import timezone

from dolbom.integrations.messaging.backends import backend_get
from dolbom.integrations.messaging.errors import MessageError, MessageErrorCode
from dolbom.integrations.messaging.message import (
    ALIMTALK_MAX_CHARS,
    SENSITIVE_PURPOSES,
    MessageKind,
    MessageResult,
    OutboundMessage,
    fallback_kind,
    text_kind,
)
from dolbom.integrations.messaging.phone import phone_masked, phone_normalise

log = logging.getLogger("dolbom.integrations.messaging")

_PURPOSE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_SENDER_DIGITS = re.compile(r"\D")


def message_send(*, to: str, text: str, purpose: str, template: str = "", reference: str = "",
                 sensitive: bool = False) -> MessageResult:
    """Send ``text`` to the mobile number ``to`` (any common spelling of a 010 number).

    ``purpose``: why, as a short code (``MessagePurpose`` has the known ones); ``one_time_code`` makes the
    message sensitive. ``template``: the approved 알림톡 template code, which sends a 알림톡 (with an
    SMS/LMS fallback) instead of an SMS/LMS. ``reference``: our id for the message, to send the same
    message again without a duplicate (default: a new one). Raises MessageError with a stable code.
    """
    if not _PURPOSE.fullmatch(purpose):
        raise ValueError(f"purpose must be a short lowercase code, not {purpose!r}")
    number = phone_normalise(to)
    if not text.strip():
        raise MessageError(MessageErrorCode.EMPTY_TEXT)
    if template:
        if len(text) > ALIMTALK_MAX_CHARS:
            raise MessageError(MessageErrorCode.TEMPLATE_TOO_LONG, length=f"{len(text):,}",
                               limit=f"{ALIMTALK_MAX_CHARS:,}")
        kind, fallback = MessageKind.ALIMTALK, fallback_kind(text)
    else:
        kind, fallback = text_kind(text), None
    message = OutboundMessage(
        reference=reference or uuid.uuid4().hex, kind=kind, to=number,
        sender=_SENDER_DIGITS.sub("", settings.DOLBOM_MESSAGE_SENDER), text=text, purpose=str(purpose),
        template=template, fallback=fallback, sensitive=sensitive or purpose in SENSITIVE_PURPOSES,
        created_at=timezone.now(),
    )
    backend = backend_get()
    gateway_id = backend.send(message)
    log.info("message %s sent: %s, %s, to %s via %s", message.reference, kind, purpose, phone_masked(number),
             backend.name)
    if message.sensitive:
        log.debug("message %s: text withheld (sensitive)", message.reference)
    else:
        log.debug("message %s: %s", message.reference, text)
    return MessageResult(reference=message.reference, backend=backend.name, kind=kind, to=number,
                         gateway_id=gateway_id)
