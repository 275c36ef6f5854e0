"""Where a read of personal data came from and why: the context every logged read carries.

Kept in lib, below every app, so that the page shell (web) and the API helpers can build it from a
request without importing the access log itself (docs/ARCHITECTURE.md, layers).
"""

from __future__ import annotations

import ipaddress
import re
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class AccessContext:
    """Where a read came from and why; built by views from the request."""

    ip: str | None = None
    path: str = ""
    purpose: str = ""

    @classmethod
    def from_request(cls, request, purpose: str = "") -> AccessContext:
        # The access log is kept two years and shown to auditors: an RRN typed into a URL or a purpose is
        # masked before it is written (PIPA §24-2; search by number goes by POST, see registry).
        return cls(ip=client_ip(request), path=mask_rrns(request.get_full_path())[:300],
                   purpose=mask_rrns(purpose.strip())[:300])


# Resident registration numbers in free text: six digits, an optional separator (a hyphen, its URL
# encoding, a space), seven digits, not part of a longer number.
_RRN_SHAPED = re.compile(r"(?<!\d)\d{6}(?:-|%2[dD]|\+|%20|\s)?\d{7}(?!\d)")
RRN_MASK = "******-*******"


def mask_rrns(text: str) -> str:
    """``text`` with every RRN-shaped number replaced by ``RRN_MASK``: for logged paths, purposes and the
    server's request log (lib/logs.py)."""
    return _RRN_SHAPED.sub(RRN_MASK, text) if text else text


# The client's address -------------------------------------------------------------------------
# X-Forwarded-For is believed only from the reverse proxies listed in settings.DOLBOM_TRUSTED_PROXIES:
# from anyone else it is a header the client chose, and the access log's "from where" (§8) must not be
# forgeable. Behind trusted proxies the client is the right-most address that is not one of them.

@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request: Any) -> str | None:
    """The address a request came from, as the access log, the lockout and the rate limits count it."""
    from django.conf import settings

    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return None
    trusted = _networks(tuple(getattr(settings, "DOLBOM_TRUSTED_PROXIES", ())))
    if not trusted or not any(remote in n for n in trusted):
        return str(remote)
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # a malformed entry: nothing left of it can be believed
            break
        if not any(address in n for n in trusted):
            return str(address)
    return str(remote)


SYSTEM_CONTEXT = AccessContext(path="(system)")
# A purpose says why a record is opened; "." or "x" says nothing (안전성 확보조치 기준 §8: the reason is kept).
MIN_PURPOSE_CHARACTERS = 2


def is_meaningful_purpose(text: str) -> bool:
    """At least MIN_PURPOSE_CHARACTERS letters or digits (Hangul counts), not punctuation alone."""
    return sum(ch.isalnum() for ch in text or "") >= MIN_PURPOSE_CHARACTERS

# Where the request being served came from, for the rows a service writes without being handed a context
# (a write refused by accounts/scope.py lock_in_scope). Set by audit.middleware.AccessContextMiddleware for
# the length of one request; commands and tests run under SYSTEM_CONTEXT.
_current: ContextVar[tuple[AccessContext, Any] | None] = ContextVar("dolbom_access_context", default=None)


def current_context() -> AccessContext:
    current = _current.get()
    return current[0] if current else SYSTEM_CONTEXT


def current_user() -> Any:
    """The user of the request being served (the API token's user once the API has authenticated it), or
    None outside a request or before anyone logged in."""
    current = _current.get()
    user = getattr(current[1], "user", None) if current else None
    return user if user is not None and user.is_authenticated else None


def set_current_request(request: Any) -> object:
    """Returns a token for ``reset_current_request``."""
    return _current.set((AccessContext.from_request(request), request))


def reset_current_request(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
