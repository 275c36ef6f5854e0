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

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dolbom.accounts.scope import needs_second_factor
from dolbom.accounts.second_factor import has_second_factor
from dolbom.lib.access import client_ip
from dolbom.lib.hangul import nfc
from dolbom.lib.ratelimit import Limit, hit

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


_API_ERROR_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                    413: "body_too_large", 500: "server_error"}


def _api_error_as_json(original: HttpResponse) -> HttpResponse:
    """A JSON API answers JSON for every error: Django's own 404 (a path no route matches), 405, 400 and
    500 pages are HTML. Same status, the project's error shape."""
    code = _API_ERROR_CODES.get(original.status_code, "http_error")
    response = JsonResponse({"code": code, "message": original.reason_phrase}, status=original.status_code)
    for header in ("Allow", "Retry-After"):
        if header in original:
            response[header] = original[header]
    return SecurityHeadersMiddleware.decorate(response)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @staticmethod
    def decorate(response: HttpResponse) -> HttpResponse:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")  # static files never reach Django's own
        if not request.path.startswith(settings.STATIC_URL) and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        if request.path_info.startswith("/api/") and response.status_code >= 400 and not response.get(
                "Content-Type", "").startswith("application/json"):
            response = _api_error_as_json(response)
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


# The second factor ---------------------------------------------------------------------------------

SECOND_FACTOR_FREE_PATHS = ("/login/", "/logout/", "/static/", "/i18n/", "/account/second-factor/")
_NO_DEVICE_KEY = "dolbom_second_factor_none"


def second_factor_pending(request: HttpRequest) -> str:
    """"enrol", "verify" or "" for a signed-in session (after OTPMiddleware)."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return ""
    if needs_second_factor(user):
        return "verify" if has_second_factor(user) else "enrol"
    # Optional roles: a person who chose to enrol confirms each sign-in too. Looked up once a session.
    if request.session.get(_NO_DEVICE_KEY):
        return ""
    if has_second_factor(user):
        return "verify"
    request.session[_NO_DEVICE_KEY] = True
    return ""


class SecondFactorMiddleware:
    """After OTPMiddleware: a session whose role needs the second factor (or whose person enrolled one)
    reaches no page and no API answer before the code is confirmed; the first sign-in enrols. Bearer tokens
    carry no session and are not concerned (making one needs a verified session: accounts/services.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/static/"):
            return self.get_response(request)
        # The pages' shell reads it: a half-signed-in session gets no menu and no notification bell, whose
        # poll would otherwise run on the enrolment page and follow redirects behind the person's back.
        pending = request.second_factor_pending = second_factor_pending(request)  # type: ignore[attr-defined]
        if not pending or request.path_info.startswith(SECOND_FACTOR_FREE_PATHS):
            return self.get_response(request)
        bearer = request.headers.get("Authorization", "").startswith("Bearer ")
        if request.path_info.startswith("/api/") and bearer:
            return self.get_response(request)  # the token decides, not the half-signed-in session
        if request.path_info.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            # A script's request (the bell's poll) gets a coded answer, not a redirect that it would follow
            # to a page rendered for nobody (and that, after the cookies went, hands out a new CSRF cookie).
            return JsonResponse({"code": "second_factor_required", "message": _(
                "Confirm your sign-in with your authenticator app first.")}, status=403)
        target = reverse("web:second_factor_enrol" if pending == "enrol" else "web:second_factor")
        if request.method == "GET":
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)


# Rate limits for whoever is not signed in ------------------------------------------------------------

ANONYMOUS = Limit("web.anonymous.address", per=600, seconds=600)
LOGIN_POSTS = Limit("web.login.address", per=60, seconds=600)


class AnonymousRateLimitMiddleware:
    """The login page and the public pages (sign-ups, applications: no sign-in) answer a flood from one
    address with 429, before any view runs (lib/ratelimit.py; the lockout counts wrong passwords on top)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated or request.path_info.startswith(settings.STATIC_URL):
            return self.get_response(request)
        if request.path_info.startswith("/api/") and request.headers.get("Authorization", "").startswith("Bearer "):
            # A script with a token (checked by the API: 401 if it is not one; 256 random bits are not guessed)
            # is a signed-in caller, not a visitor of the public pages.
            return self.get_response(request)
        address = client_ip(request) or "unknown"
        limits = [Limit(ANONYMOUS.name, settings.DOLBOM_ANONYMOUS_REQUESTS_PER_10_MIN, ANONYMOUS.seconds)]
        if request.method == "POST" and request.path_info == reverse(settings.LOGIN_URL):
            limits.append(Limit(LOGIN_POSTS.name, settings.DOLBOM_LOGIN_POSTS_PER_10_MIN, LOGIN_POSTS.seconds))
        if all([hit(limit, address) for limit in limits]):
            return self.get_response(request)
        message = _("Too many requests from your address. Wait a few minutes and try again.")
        if request.path_info.startswith("/api/"):
            response: HttpResponse = JsonResponse({"code": "rate_limited", "message": message}, status=429)
        else:
            response = render(request, "web/error.html", {"status": 429, "message": message}, status=429)
        response["Retry-After"] = "600"
        return response


# Input hygiene ---------------------------------------------------------------------------------------

def _refuse(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse({"code": code, "message": message, "errors": []}, status=status)
    return render(request, "web/error.html", {"status": status, "message": message}, status=status)


def _nfc_querydict(data: QueryDict) -> QueryDict | None:
    """A copy with every value NFC-normalised, or None when nothing changes (the common case)."""
    if all(nfc(v) == v and nfc(k) == k for k, values in data.lists() for v in values):
        return None
    copy = QueryDict(mutable=True)
    for key, values in data.lists():
        copy.setlist(nfc(key), [nfc(v) for v in values])
    copy._mutable = False
    return copy


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def _composed(data: Any) -> Any:
    if isinstance(data, str):
        return nfc(data)
    if isinstance(data, dict):
        return {nfc(k): _composed(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_composed(v) for v in data]
    return data


class InputHygieneMiddleware:
    """Every request's text, before any view or schema sees it, for every app at once:

    - Hangul NFC-normalised (lib/hangul.py nfc): query strings, form fields and JSON bodies, so that a name
      typed as decomposed jamo is stored and searched as everyone else's;
    - a NUL character refused (PostgreSQL cannot store it and answered 500): 400 on a page, 422 on the API;
    - a body over DATA_UPLOAD_MAX_MEMORY_SIZE (files aside) refused with 413, a JSON body that is not UTF-8
      with 400.
    Length limits of single fields are the forms' and the API schemas' (dolbom/tests/test_security_inputs.py
    finds a text field without one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nul = _("The input contains a character that cannot be stored (NUL).")
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            return _refuse(request, 422 if request.path_info.startswith("/api/") else 400, "invalid_input", nul)
        if (changed := _nfc_querydict(request.GET)) is not None:
            request.GET = changed
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            try:
                refused = self._body(request, nul)
            except RequestDataTooBig:
                return _refuse(request, 413, "body_too_large", _("The request is too large."))
            if refused is not None:
                return refused
        return self.get_response(request)

    def _body(self, request: HttpRequest, nul: str) -> HttpResponse | None:
        if request.content_type == "application/json":
            body = request.body
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return _refuse(request, 400, "invalid_input", _("The request body is not UTF-8 text."))
            try:
                data = json.loads(text)
            except ValueError:
                return None  # malformed: the API answers it (422)
            strings = list(_strings(data))
            if any("\x00" in v for v in strings):
                return _refuse(request, 422, "invalid_input", nul)
            if any(nfc(v) != v for v in strings):
                request._body = json.dumps(_composed(data), ensure_ascii=False).encode("utf-8")
            return None
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values = [v for _key, vs in request.POST.lists() for v in vs]
            if any("\x00" in v for v in values):
                return _refuse(request, 400, "invalid_input", nul)
            # Forms set their own max_length; this bounds the free-text fields that have none.
            if any(len(v) > settings.DOLBOM_FORM_FIELD_MAX_CHARS for v in values):
                return _refuse(request, 400, "invalid_input", _(
                    "A field is longer than %(max)d characters.") % {"max": settings.DOLBOM_FORM_FIELD_MAX_CHARS})
            if (changed := _nfc_querydict(request.POST)) is not None:
                request.POST = changed
        return None
