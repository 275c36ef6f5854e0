"""Pieces every API router shares: error shapes, the purpose parameter, the acting user, the access context.

Authentication lives in accounts/auth.py (it reads API tokens).

Kept out of ``dolbom/api.py`` so that the routers can import them without importing the API that
mounts them.
"""

from __future__ import annotations

from urllib.parse import unquote

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Query, Schema

from dolbom.lib.access import AccessContext

PURPOSE_HEADER = "X-Access-Purpose"
PURPOSE_DESCRIPTION = (
    "Why you are opening a record outside your caseload (logged in the access log). "
    f"May also be sent as the {PURPOSE_HEADER} header (UTF-8, percent-encoded)."
)


class ErrorOut(Schema):
    code: str
    message: str


# The error answers every endpoint documents, and the purpose parameter of reads of a person's record:
# one definition, so the OpenAPI describes them the same way in every domain.
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
Purpose = Query(None, description=PURPOSE_DESCRIPTION)


def actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, return-value]


def _header_purpose(request: HttpRequest) -> str:
    raw = request.headers.get(PURPOSE_HEADER, "")
    if not raw:
        return ""
    # WSGI hands headers over as latin-1; a client sending raw UTF-8 Korean gets it back intact.
    try:
        raw = raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return unquote(raw)


def access_context(request: HttpRequest, purpose: str | None = None, default_purpose: str = "") -> AccessContext:
    """Where and why a read happens. The query parameter wins over the header."""
    chosen = (purpose or "").strip() or _header_purpose(request).strip() or default_purpose
    return AccessContext.from_request(request, purpose=chosen)
