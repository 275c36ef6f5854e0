"""Outbound text messages (SMS, LMS, 카카오 알림톡) for every app: one-time codes, alerts, reminders.

    from dolbom.integrations.messaging import MessagePurpose, message_send

    transaction.on_commit(lambda: message_send(to=resident.phone, text=f"[전주시 통합돌봄] 인증번호 {code}",
                                               purpose=MessagePurpose.ONE_TIME_CODE))

``send.py`` sends and logs, ``message.py`` decides SMS, LMS or 알림톡 and the length limits, ``phone.py``
normalises numbers, ``backends.py`` carries the message (DOLBOM_MESSAGE_BACKEND: console, file, locmem,
http; the gateway's JSON payload is documented there), ``errors.py`` has the stable codes.
"""

from dolbom.integrations.messaging.errors import MessageError, MessageErrorCode
from dolbom.integrations.messaging.message import MessageKind, MessagePurpose, MessageResult, OutboundMessage
from dolbom.integrations.messaging.phone import phone_display, phone_masked, phone_normalise
from dolbom.integrations.messaging.send import message_send

__all__ = [
    "MessageError", "MessageErrorCode", "MessageKind", "MessagePurpose", "MessageResult", "OutboundMessage",
    "message_send", "phone_display", "phone_masked", "phone_normalise",
]
