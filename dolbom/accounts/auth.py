"""How the API authenticates: a bearer token or the web session.

Mounted by the project's API (dolbom/api.py); routers only read the acting user (lib/api.py actor).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from dolbom.accounts.services import api_token_authenticate


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
