"""Korean unless the user picked another language.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a PC set up in English
would show English to a dong officer who never asked for it. dolbom is a Korean service: the language
comes from the language switch (its cookie) and otherwise is settings.LANGUAGE_CODE ("ko").
API clients keep Django's negotiation: they ask for English with ``Accept-Language: en``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
