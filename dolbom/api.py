"""The documented HTTP API (OpenAPI at /api/openapi.json, Swagger UI at /api/docs).

Same scoping as the web UI because both call the same selectors and services. Errors are always
``{"code": "<stable code>", "message": "<message in the request's language>"}``; Korean unless the
client sends ``Accept-Language: en``.
"""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from dolbom.accounts.auth import AUTH
from dolbom.accounts.services import api_token_authenticate
from dolbom.areas.api import router as areas_router
from dolbom.audit.api import router as audit_router
from dolbom.cases.api import router as cases_router
from dolbom.checkins.api import router as checkins_router
from dolbom.discovery.api import router as discovery_router
from dolbom.inspections.api import router as inspections_router
from dolbom.lib.api import ErrorOut, ValidationErrorOut, bound_text_inputs, routers_of
from dolbom.lib.database import database_unavailable
from dolbom.lib.errors import DomainError
from dolbom.meetings.api import router as meetings_router
from dolbom.programmes.api import router as programmes_router
from dolbom.referrals.api import router as referrals_router
from dolbom.registry.api import router as registry_router
from dolbom.reports.api import router as reports_router
from dolbom.safety.api import router as safety_router
from dolbom.subsidies.api import router as subsidies_router
from dolbom.visits.api import router as visits_router

DESCRIPTION = """
dolbom's API for residents, households and cases (integrated care, 지역사회 통합돌봄).

**Authentication**: the web session (unsafe methods need the `X-CSRFToken` header) or
`Authorization: Bearer <token>`.

**Scope**: the same as in the web UI. A record outside your scope answers 404, exactly as a record
that does not exist, and the attempt is written to the access log. Opening a person's record that is
not in your caseload needs a purpose: the `purpose` query parameter or the `X-Access-Purpose` header
(UTF-8, percent-encoded); without it the answer is 400 `purpose_required`.

**Errors**: `{"code": "...", "message": "..."}`. Codes are stable; messages follow `Accept-Language`
(Korean by default, `en` for English). Every endpoint may also answer 401 (not signed in), 403
`second_factor_required` (a session whose second factor is not confirmed), 413 (body too large), 422
(invalid input, with `errors`), 429 (rate limited), 500 and 503 (busy: try again).

**Length limits**: every text input has one (its own, else 20,000 characters); a registration number is
searched with `POST /residents/search`, never in a URL.

This page and the schema answer only a signed-in user or a valid token.
"""

# Answers every endpoint may give besides its own (documented on each operation, so that a client generator
# and the fuzzer know them).
STANDARD_ERRORS = {
    "401": "Not signed in, or no valid API token",
    "403": "Not allowed (a role without the right, a CSRF failure, a second factor not confirmed)",
    "413": "The request body is too large",
    "422": "Invalid input: the fields in `errors`",
    "429": "Too many requests from this address",
    "500": "A fault on the server (logged)",
    "503": "The server is busy: try again",
}


class DolbomAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ErrorOut", ErrorOut.model_json_schema())
        components["ValidationErrorOut"] = ValidationErrorOut.model_json_schema()
        for item in schema["paths"].values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for code, description in STANDARD_ERRORS.items():
                    name = "ValidationErrorOut" if code == "422" else "ErrorOut"
                    if code == "422" or code not in responses:
                        responses[code] = {"description": description, "content": {"application/json": {
                            "schema": {"$ref": f"#/components/schemas/{name}"}}}}
        return schema


def _signed_in_only(view: Any) -> Any:
    """The schema and the docs describe every endpoint and parameter: for signed-in users and tokens only."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        bearer = request.headers.get("Authorization", "")
        if request.user.is_authenticated or (bearer.startswith("Bearer ")
                                             and api_token_authenticate(bearer[7:].strip()) is not None):
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"code": "unauthenticated", "message": _("Log in, or send a valid API token.")},
                                status=401)
        return redirect_to_login(request.get_full_path())

    return wrapper


api = DolbomAPI(
    title="dolbom API",
    version="1",
    description=DESCRIPTION,
    auth=AUTH,
    urls_namespace="api",
    # Everything is served from the package: no CDN (city networks often cannot reach one) and no
    # call to the public swagger validator, which would send our schema's URL outside.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_decorator=_signed_in_only,
)


def _error(request: HttpRequest, status: int, code: str, message: str, **extra: object) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    # The message was translated when the error was raised, inside this request's language.
    return _error(request, exc.status_code, str(exc.code), exc.message)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("Log in, or send a valid API token."))


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 422, "invalid_input", _("Some fields are missing or not valid."), errors=exc.errors)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 403:  # ninja raises this for a session request without its CSRF token
        return _error(request, 403, "csrf_failed", _("The form expired. Reload the page and try again."))
    return _error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


logger = logging.getLogger("dolbom.api")


@api.exception_handler(DataError)
def data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # The database refused a value the schema let through (too long for its column, a NUL character):
    # the client's input, not a fault of the server, and nothing was written (the transaction rolled back).
    logger.warning("database refused a value on %s: %s", request.path, exc)
    return _error(request, 422, "invalid_input", _("Some fields are missing or not valid."), errors=[])


@api.exception_handler(OperationalError)
def operational_error(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    if database_unavailable(exc):
        # SQLite's busy timeout ran out under a burst of writes, or PostgreSQL is restarting (bench/faults.py):
        # the transaction rolled back, nothing was written; try again.
        code = "database_unavailable" if connection.vendor == "postgresql" else "busy"
        response = _error(request, 503, code, _("The server is busy. Try again in a moment."))
        response["Retry-After"] = "2"
        return response
    return server_error(request, exc)


@api.exception_handler(InterfaceError)
def connection_lost(request: HttpRequest, exc: InterfaceError) -> HttpResponse:
    # The connection was closed under the request (a database restart): nothing was written; try again.
    response = _error(request, 503, "database_unavailable", _("The server is busy. Try again in a moment."))
    response["Retry-After"] = "2"
    return response


@api.exception_handler(OverflowError)
def number_out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # An id or a number beyond what the database holds (SQLite: 64 bits): the client's input.
    return _error(request, 422, "invalid_input", _("Some fields are missing or not valid."), errors=[])


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "body_too_large", _("The request is too large."))


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A JSON API answers JSON for every error, a fault of ours included: never Django's HTML 500 page.
    # The traceback goes to the server log (with its RRN filter), never to the client.
    logger.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
    return _error(request, 500, "server_error", _("Something went wrong on the server. It has been logged."))


api.add_router("", areas_router)
api.add_router("", registry_router)
api.add_router("", cases_router)
api.add_router("", audit_router)
api.add_router("", referrals_router)
api.add_router("", meetings_router)
api.add_router("", visits_router)
api.add_router("", checkins_router)
api.add_router("", discovery_router)
api.add_router("", safety_router)
api.add_router("", subsidies_router)
api.add_router("", programmes_router)
api.add_router("", inspections_router)
api.add_router("", reports_router)
# Last, after every router: a length limit on every text input of every endpoint (lib/api.py).
BOUNDED_INPUT_MODELS = bound_text_inputs(routers_of(api))
