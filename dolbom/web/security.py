"""What every response and every signed-in request goes through: security headers and session lifetimes.

- **Headers**: a strict Content-Security-Policy (every asset is self-hosted, so nothing outside this origin is
  named; no inline script, no eval; the templates carry no event-handler attributes, see
  web/static/dolbom/dolbom.js), a Permissions-Policy that turns off what no page uses, and
  ``Cache-Control: no-store`` on every page and API answer, since nearly all of them show personal data and
  a shared office PC's browser cache must not keep it. Frames, referrer, HSTS and HTTPS redirects are
  Django's SecurityMiddleware, configured in settings.
- **Sessions**: signed out after ``DOLBOM_SESSION_IDLE_MINUTES`` without a request, and
  ``DOLBOM_SESSION_MAX_HOURS`` after signing in however busy (안전성 확보조치 기준 §5; ASVS 3.3). Django's
  own expiry slides with every save, so the absolute limit is kept here from the sign-in time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

# style-src-attr allows style="" attributes (layout tweaks in templates) but no <style> element and no
# stylesheet from elsewhere; img data: URIs are the Swagger UI's icons.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "midi",
    "accelerometer", "gyroscope", "magnetometer", "display-capture", "browsing-topics",
))


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")  # static files never reach Django's own
        if not request.path.startswith(settings.STATIC_URL) and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response


# Sessions ---------------------------------------------------------------------------------------

SIGNED_IN_KEY = "dolbom_signed_in_at"
LAST_SEEN_KEY = "dolbom_last_seen_at"
# The last-seen time is saved at most this often, so that a busy page does not write its session on
# every request; the idle limit is therefore kept to within a minute.
LAST_SEEN_RESOLUTION = 60


def remember_sign_in(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_KEY] = now
        request.session[LAST_SEEN_KEY] = now


def session_expired(session: object, now: float) -> str:
    """"idle", "lifetime" or "" for a signed-in session's times."""
    signed_in = session.get(SIGNED_IN_KEY)  # type: ignore[attr-defined]
    last_seen = session.get(LAST_SEEN_KEY)  # type: ignore[attr-defined]
    if last_seen is not None and now - last_seen > settings.DOLBOM_SESSION_IDLE_MINUTES * 60:
        return "idle"
    if signed_in is not None and now - signed_in > settings.DOLBOM_SESSION_MAX_HOURS * 3600:
        return "lifetime"
    return ""


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware. API bearer tokens have no session and are
    revoked instead (accounts/services.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            why = session_expired(request.session, now)
            if why:
                return self._signed_out(request, why)
            request.session.setdefault(SIGNED_IN_KEY, now)
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    def _signed_out(self, request: HttpRequest, why: str) -> HttpResponse:
        logout(request)
        if why == "idle":
            message = _("You were signed out after %(minutes)d minutes without activity. Sign in again.") % {
                "minutes": settings.DOLBOM_SESSION_IDLE_MINUTES}
        else:
            message = _("Your session reached its maximum length. Sign in again.")
        if request.path_info.startswith("/api/"):
            return JsonResponse({"code": "session_expired", "message": message}, status=401)
        messages.warning(request, message)
        login = reverse(settings.LOGIN_URL)
        if request.method == "GET":
            login = f"{login}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request") == "true":  # htmx: reload the whole page, not a fragment
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login
            return response
        return redirect(login)
