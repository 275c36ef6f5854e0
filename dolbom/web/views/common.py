"""Helpers shared by the page modules: errors as pages, access purposes, role gates."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dolbom.accounts.scope import can_see_personal_data
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError
from dolbom.web.forms import PurposeForm

_PURPOSES_KEY = "access_purposes"


def error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "web/error.html", {"message": error.message, "status": error.status_code},
                  status=error.status_code)


def forbidden_page(request: HttpRequest, message: str | None = None) -> HttpResponse:
    return render(request, "web/error.html",
                  {"message": message or _("Your role does not allow this page."), "status": 403}, status=403)


def personal_data_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages that list people. Auditors and partner workers get a 403 page instead of an empty list,
    so that nobody mistakes "no access" for "no people"; the selectors would return nothing anyway.

    Pages of one record (a resident, a case) are deliberately not gated here: they go to the selector,
    which refuses with a 404 *and logs the attempt* (direct URL access out of scope must be logged)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_see_personal_data(request.user):
            return forbidden_page(request, _("Your role does not allow access to personal data."))
        return view(request, *args, **kwargs)

    return wrapper


# Access purposes --------------------------------------------------------------------------------
# A purpose stated for a record outside the caseload holds for the rest of the session (8 hours at
# most), so that every later read of that record is logged with the same reason.

def purpose_for(request: HttpRequest, record: str) -> str:
    return request.session.get(_PURPOSES_KEY, {}).get(record, "")


def purpose_remember(request: HttpRequest, record: str, purpose: str) -> None:
    purposes = dict(request.session.get(_PURPOSES_KEY, {}))
    purposes[record] = purpose
    request.session[_PURPOSES_KEY] = purposes


def purpose_page(request: HttpRequest, *, action: str, message: str, form: PurposeForm | None = None) -> HttpResponse:
    """Asks why a record outside the caseload is opened (the selector refused with "purpose required");
    with ``form``, the refused answer is shown again with a 400."""
    return render(request, "web/purpose.html", {"form": form or PurposeForm(), "action": action, "message": message},
                  status=200 if form is None else 400)


def purpose_submit(request: HttpRequest, record: str, *, message: str, then: str) -> HttpResponse:
    """The purpose page's POST: remember the purpose for this record and go on to it, or ask again."""
    form = PurposeForm(request.POST)
    if not form.is_valid():
        return purpose_page(request, action=request.path, message=message, form=form)
    purpose_remember(request, record, form.cleaned_data["purpose"])
    return redirect(then)


def access_context(request: HttpRequest, record: str = "") -> AccessContext:
    return AccessContext.from_request(request, purpose=purpose_for(request, record) if record else "")


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
