"""The one exception type services raise for a refused step.

Each domain keeps its codes in an enum (``cases/errors.py``) so that API codes stay stable while the
Korean wording lives beside them; views turn a DomainError into a message, the API into
``{"code": ..., "message": ...}`` with a 4xx status.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class DomainError(Exception):
    status_code: int = 400

    def __init__(self, code: StrEnum, message: str | None = None, **params: Any) -> None:
        self.code = code
        messages = getattr(type(code), "messages", None)
        template = message if message is not None else (messages()[code] if messages else str(code))
        self.message = str(template) % params if params else str(template)
        self.params = params
        super().__init__(f"{code}: {self.message}")


class NotFound(DomainError):
    """Raised for records that do not exist *or* are outside the viewer's scope.

    The two are deliberately indistinguishable to the caller so that scope cannot be probed.
    """

    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class TooManyRequests(DomainError):
    """A rate limit (lib/ratelimit.py) refused the attempt: 429, try again later."""

    status_code = 429
