"""The access log's part in every request: where it came from, and the refusals met on the way.

A service refusing a write outside the actor's scope (accounts/scope.py lock_in_scope, a visit to a
household out of scope) has no request in hand: it reads where the request came from from
``lib.access.current_context``, which this middleware sets, and its DENIED row, kept aside while the
refused transaction rolls back, is written here once the view is done (audit/services.py denials_flush).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from dolbom.audit.services import denials_discard, denials_flush
from dolbom.lib.access import reset_current_request, set_current_request


class AccessContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        denials_discard()
        token = set_current_request(request)
        try:
            return self.get_response(request)
        finally:
            denials_flush()
            reset_current_request(token)
