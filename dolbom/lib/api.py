"""Pieces every API router shares: authentication, the acting user, the access context.

Kept out of ``dolbom/api.py`` so that the routers can import them without importing the API that
mounts them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Query, Schema
from ninja.security import APIKeyCookie, HttpBearer

from dolbom.accounts.services import api_token_authenticate
from dolbom.audit.services import AccessContext

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


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer dlb_…` for scripts and partner systems; tokens are revocable."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            # Selectors and services read request.user's role; make the token's user the actor.
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The web UI's Django session. Unsafe methods need the CSRF token, as for any form."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # Check CSRF only when a session is actually logged in: a request with no session (for
        # example a revoked bearer token) must be answered 401, not a misleading CSRF 403.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


# Bearer first: a script that sends a token must not be refused for a missing CSRF token because
# it also happens to carry a session cookie.
AUTH = [BearerTokenAuth(), SessionAuth()]


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
