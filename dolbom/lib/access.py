"""Where a read of personal data came from and why: the context every logged read carries.

Kept in lib, below every app, so that the page shell (web) and the API helpers can build it from a
request without importing the access log itself (docs/ARCHITECTURE.md, layers).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AccessContext:
    """Where a read came from and why; built by views from the request."""

    ip: str | None = None
    path: str = ""
    purpose: str = ""

    @classmethod
    def from_request(cls, request, purpose: str = "") -> AccessContext:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
        return cls(ip=ip or None, path=request.get_full_path()[:300], purpose=purpose.strip()[:300])


SYSTEM_CONTEXT = AccessContext(path="(system)")

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
