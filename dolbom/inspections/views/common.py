"""Gates and small helpers the inspection pages share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from dolbom.inspections.selectors import can_see_inspections, is_lead
from dolbom.web.views.common import forbidden_page


def inspections_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages for those who may see inspections at all (selectors.can_see_inspections); a record outside
    their scope is still refused by its selector, with a 404 and a DENIED row."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_see_inspections(request.user):
            return forbidden_page(request, _("Your role does not allow the inspection pages."))
        return view(request, *args, **kwargs)

    return wrapper


def lead_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_lead(request.user):
            return forbidden_page(request)
        return view(request, *args, **kwargs)

    return wrapper
