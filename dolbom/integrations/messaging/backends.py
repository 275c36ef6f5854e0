"""The backends that carry a message, chosen by the DOLBOM_MESSAGE_BACKEND setting.

``console``  prints each message (development default: the developer reads the code on the terminal).
``file``     appends a JSON line per message to DOLBOM_MESSAGE_FILE (the demo and browser tests read codes
             from it; ``file_messages()``). Owner-only file: it holds codes and phone numbers.
``locmem``   keeps the messages in ``outbox``, as Django's locmem mail backend keeps e-mail; the test suite
             uses it for every test (dolbom/conftest.py).
``http``     POSTs one JSON object to the city's SMS/알림톡 gateway (below). The only backend production
             accepts: the others print or keep the texts, one-time codes included.
A dotted path names a class of one's own with the same ``send`` method.

The http payload, ``POST DOLBOM_MESSAGE_HTTP_URL`` with ``Authorization: Bearer DOLBOM_MESSAGE_HTTP_KEY``,
``Idempotency-Key: <reference>`` and ``Content-Type: application/json; charset=utf-8``::

    {"reference": "5f0c…",          our id: a repeat with the same reference is the same message
     "kind": "sms" | "lms" | "alimtalk",
     "to": "01012345678",
     "from": "0632810000",          DOLBOM_MESSAGE_SENDER, the registered sender number ("" = the gateway's)
     "text": "…",
     "template": "",                the 알림톡 template code approved by Kakao; "" for SMS/LMS
     "fallback": "sms" | "lms" | null,   알림톡 only: resend as this when the person cannot receive 알림톡
     "purpose": "one_time_code"}

Any 2xx answer means accepted; a JSON body's ``"id"`` (a string) is kept as the gateway's id. A 4xx is a
refusal (``gateway_refused``), a 5xx, a timeout or no connection ``gateway_unavailable``. There is no retry
here: messages are sent inside a web request (a one-time code) or just after a commit, where a retry would
double the wait, and a gateway that timed out may still have delivered, so a retry could send twice. The
caller decides: the person asks for a new code, a job sends again with the same reference. Redirects are
not followed, so the key is never sent to another address.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Protocol, TextIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from dolbom.integrations.messaging.errors import MessageError, MessageErrorCode
from dolbom.integrations.messaging.message import OutboundMessage
from dolbom.integrations.messaging.phone import phone_display

log = logging.getLogger("dolbom.integrations.messaging")

outbox: list[OutboundMessage] = []  # the locmem backend's; clear it, never rebind it


class Backend(Protocol):
    name: str

    def send(self, message: OutboundMessage) -> str:
        """Deliver or hand over the message; returns the gateway's id for it (or the reference)."""
        ...


class ConsoleBackend:
    name = "console"
    _lock = threading.Lock()  # runserver serves requests in threads: one message, one block

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: OutboundMessage) -> str:
        stream = self.stream or sys.stdout
        template = f" 템플릿 {message.template}" if message.template else ""
        with self._lock:
            stream.write(f"[문자 {message.kind.upper()}{template} → {phone_display(message.to)} · {message.purpose} · "
                         f"{message.reference}]\n{message.text}\n")
            stream.flush()
        return message.reference


def _as_json(message: OutboundMessage) -> dict[str, Any]:
    return {"reference": message.reference, "kind": str(message.kind), "to": message.to, "from": message.sender,
            "text": message.text, "template": message.template,
            "fallback": str(message.fallback) if message.fallback else None, "purpose": message.purpose}


class FileBackend:
    name = "file"
    _lock = threading.Lock()

    def send(self, message: OutboundMessage) -> str:
        path = Path(settings.DOLBOM_MESSAGE_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({**_as_json(message), "created_at": message.created_at.isoformat()}, ensure_ascii=False)
        with self._lock:
            # Owner-only from the first line: the file holds one-time codes and phone numbers.
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode("utf-8"))
            finally:
                os.close(fd)
        return message.reference


def file_messages(path: Path | str | None = None) -> list[dict[str, Any]]:
    """The messages the file backend wrote, oldest first (the demo and browser tests read codes here)."""
    path = Path(path or settings.DOLBOM_MESSAGE_FILE)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class LocmemBackend:
    name = "locmem"

    def send(self, message: OutboundMessage) -> str:
        outbox.append(message)
        return message.reference


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


class HttpBackend:
    name = "http"

    def __init__(self) -> None:
        self.url = settings.DOLBOM_MESSAGE_HTTP_URL
        if not self.url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("DOLBOM_MESSAGE_HTTP_URL must be the gateway's http(s) address")
        self.key = settings.DOLBOM_MESSAGE_HTTP_KEY
        self.timeout = float(settings.DOLBOM_MESSAGE_HTTP_TIMEOUT)

    def send(self, message: OutboundMessage) -> str:
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
                   "Idempotency-Key": message.reference, "User-Agent": "dolbom"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        body = json.dumps(_as_json(message), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                answer = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            # The gateway's body may echo the text (a code): only its status and its own code are logged.
            log.warning("message gateway answered %s for %s (%s)", exc.code, message.reference, _gateway_code(exc))
            code = MessageErrorCode.GATEWAY_REFUSED if exc.code < 500 else MessageErrorCode.GATEWAY_UNAVAILABLE
            raise MessageError(code) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            log.warning("message gateway unreachable for %s: %s", message.reference, exc)
            raise MessageError(MessageErrorCode.GATEWAY_UNAVAILABLE) from None
        try:
            data = json.loads(answer) if answer.strip() else {}
        except ValueError:
            data = {}
        gateway_id = data.get("id") if isinstance(data, dict) else None
        return gateway_id if isinstance(gateway_id, str) and gateway_id else message.reference


def _gateway_code(exc: urllib.error.HTTPError) -> str:
    try:
        data = json.loads(exc.read(4096) or b"{}")
    except (ValueError, OSError):
        return "-"
    code = data.get("code") if isinstance(data, dict) else None
    return str(code)[:40] if code else "-"


BACKENDS: dict[str, type] = {"console": ConsoleBackend, "file": FileBackend, "locmem": LocmemBackend,
                               "http": HttpBackend}


def backend_get() -> Backend:
    name = settings.DOLBOM_MESSAGE_BACKEND
    if name in BACKENDS:
        if settings.PRODUCTION and name != "http":
            raise ImproperlyConfigured(
                f"DOLBOM_MESSAGE_BACKEND={name} prints or keeps messages, one-time codes included; "
                "production sends through the gateway (http)")
        return BACKENDS[name]()
    if "." in name:
        return import_string(name)()
    raise ImproperlyConfigured(f"DOLBOM_MESSAGE_BACKEND: no backend named {name!r} "
                               f"(one of {', '.join(BACKENDS)} or a dotted path)")
