"""Pieces every API router shares: error shapes, the purpose parameter, the acting user, the access context.

Authentication lives in accounts/auth.py (it reads API tokens).

Kept out of ``dolbom/api.py`` so that the routers can import them without importing the API that
mounts them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, get_args
from urllib.parse import unquote

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Query, Schema
from pydantic import AfterValidator, BaseModel

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
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
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


# Times of day -------------------------------------------------------------------------------------
# A visit window, a call window, a council's meeting time are wall-clock times in the city (Asia/Seoul).
# "09:00:00Z" parses as an aware time, which cannot be compared with the stored naive ones (a 500 before):
# refused as invalid input (422) instead.

def _local_time(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("a time of day without a UTC offset, in the city's local time (e.g. 09:00)")
    return value


LocalTime = Annotated[dt.time, AfterValidator(_local_time)]


# Length limits on every text input ------------------------------------------------------------------

DEFAULT_TEXT_LIMIT = 20_000  # characters: a long meeting's minutes; refuses a megabyte "reason"


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models_in(arg)


def routers_of(api: Any) -> list[Any]:
    """Every router a NinjaAPI mounts, its default one included."""
    return [api.default_router, *(router for _prefix, router, *_ in api._routers)]


def schema_models(routers: Iterable[Any], *, responses: bool = False) -> list[type[BaseModel]]:
    """The pydantic models of every operation's inputs (bodies, query and path parameters) and, with
    ``responses``, of its answers, with the models inside them; parts before the models that hold them."""
    seen: dict[type[BaseModel], None] = {}

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        for field in model.model_fields.values():
            for inner in _models_in(field.annotation):
                visit(inner)
        seen[model] = None

    for router in routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    visit(model)
                if responses:
                    for answer in (operation.response_models or {}).values():
                        for model in _models_in(answer):
                            visit(model)
    return list(seen)


def bound_text_inputs(routers: Iterable[Any], limit: int = DEFAULT_TEXT_LIMIT) -> list[type[BaseModel]]:
    """Give every text field of every input schema (bodies, query and path parameters) a length limit: the
    field's own max_length where it has one, ``limit`` otherwise (pydantic's str_max_length). Run once when
    the API is put together (dolbom/api.py), so that an app's new endpoint is bounded too and its OpenAPI
    says so. Returns the models it bounded."""
    models = schema_models(routers)
    bounded = []
    for model in models:
        if model.model_config.get("str_max_length") is None:
            model.model_config["str_max_length"] = limit
            bounded.append(model)
    for model in models:  # parts first, so that a model holding them is rebuilt with them
        model.model_rebuild(force=True)
    return bounded


class ValidationErrorOut(ErrorOut):
    errors: list[dict[str, Any]] = []
