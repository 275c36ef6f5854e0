"""Korean unless the user picked another language.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a PC set up in English
would show English to a dong officer who never asked for it. dolbom is a Korean service: the language
comes from the language switch (its cookie) and otherwise is settings.LANGUAGE_CODE ("ko").
API clients keep Django's negotiation: they ask for English with ``Accept-Language: en``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from dolbom.lib.database import database_unavailable


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class DatabaseRefusalMiddleware:
    """Pages answer a database refusal with a Korean page, not Django's bare 500.

    - SQLite's busy timeout ran out under a burst of writes (settings: immediate transactions), or PostgreSQL
      is restarting or failing over (bench/faults.py): 503, try again; nothing was written.
    - The database refused a value a form let through (too long for its column, a NUL character): 400.
    The API has its own handlers for both (dolbom/api.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if database_unavailable(exc):
            response = render(request, "web/error.html", {"status": 503, "message": _(
                "The server is busy. Try again in a moment.")}, status=503)
            response["Retry-After"] = "2"
            return response
        if isinstance(exc, DataError | OverflowError):  # OverflowError: an id past 64 bits in a URL (SQLite)
            return render(request, "web/error.html", {"status": 400, "message": _(
                "A value is too long or contains characters that cannot be stored.")}, status=400)
        return None
