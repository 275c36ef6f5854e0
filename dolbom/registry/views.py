"""Resident search and the resident page (consents, RRN reveal). The resident's cases, and the forms that
start one, are a panel the cases app registers (registry/panels.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.accounts.scope import can_see_full_rrn, can_write_cases
from dolbom.lib.errors import DomainError
from dolbom.registry.errors import RegistryErrorCode
from dolbom.registry.forms import ConsentForm, SearchForm
from dolbom.registry.models import CITY_RECIPIENT, Resident, TargetGroup
from dolbom.registry.panels import resident_panels
from dolbom.registry.selectors import (
    resident_consents,
    resident_get,
    resident_rrn_reveal_by_id,
    resident_search,
)
from dolbom.registry.services import consent_record, consent_withdraw
from dolbom.web.views.common import (
    access_context,
    error_page,
    is_htmx,
    personal_data_page,
    purpose_page,
    purpose_submit,
)


def _key(resident_id: int) -> str:
    return f"resident:{resident_id}"


@personal_data_page
def resident_search_page(request: HttpRequest) -> HttpResponse:
    # The form posts (PIPA §24-2): a registration number in a URL would sit in the browser's history and in
    # every server and proxy log. A name may still come as ?q= from a link.
    form = SearchForm((request.POST if request.method == "POST" else request.GET) or None)
    results: list[Resident] | None = None
    error = ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        if request.method != "POST" and any(ch.isdigit() for ch in form.cleaned_data["q"]):
            error = _("Type the registration number into the search box: a number in the address would be kept "
                      "in logs.")
        else:
            try:
                results = resident_search(viewer=request.user, query=form.cleaned_data["q"],
                                          context=access_context(request))
            except DomainError as exc:
                error = exc.message
    template = "registry/_results.html" if is_htmx(request) else "registry/search.html"
    return render(request, template, {"form": form, "results": results, "error": error})


def _get(request: HttpRequest, resident_id: int) -> Resident:
    return resident_get(viewer=request.user, resident_id=resident_id,
                        context=access_context(request, _key(resident_id)))


def _purpose_page(request: HttpRequest, resident_id: int) -> HttpResponse:
    return purpose_page(request, action=reverse("registry:resident_purpose", args=[resident_id]),
                        message=DomainError(RegistryErrorCode.PURPOSE_REQUIRED).message)


def resident_page(request: HttpRequest, resident_id: int, *, status: int = 200, error: str = "",
                  bound: dict[str, Form] | None = None) -> HttpResponse:
    """The resident page, or the purpose page, or the refusal. ``bound``: forms a refused POST shows again."""
    try:
        resident = _get(request, resident_id)
    except DomainError as exc:
        if exc.code == RegistryErrorCode.PURPOSE_REQUIRED:
            return _purpose_page(request, resident_id)
        return error_page(request, exc)
    bound = bound or {}
    return render(request, "registry/detail.html", {
        "resident": resident,
        "target_groups": [TargetGroup(g).label for g in resident.target_groups],
        "consents": resident_consents(resident=resident),
        "panels": resident_panels.render(request, resident, bound),
        "can_reveal": can_see_full_rrn(request.user),
        "can_write": can_write_cases(request.user),
        "consent_form": bound.get("consent") or ConsentForm(initial={"recipient": CITY_RECIPIENT}),
        "error": error,
    }, status=status)


@login_required
def resident_detail(request: HttpRequest, resident_id: int) -> HttpResponse:
    return resident_page(request, resident_id)


@login_required
@require_POST
def resident_purpose(request: HttpRequest, resident_id: int) -> HttpResponse:
    return purpose_submit(request, _key(resident_id), message=DomainError(RegistryErrorCode.PURPOSE_REQUIRED).message,
                          then=reverse("registry:resident_detail", args=[resident_id]))


@login_required
@require_POST
def resident_rrn(request: HttpRequest, resident_id: int) -> HttpResponse:
    try:
        rrn = resident_rrn_reveal_by_id(viewer=request.user, resident_id=resident_id,
                                        context=access_context(request, _key(resident_id)))
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "registry/_rrn.html", {"rrn": rrn})


def resident_write(request: HttpRequest, resident_id: int, form_name: str, form: Form,
                   action: Callable[[Resident, Any], HttpResponse]) -> HttpResponse:
    """A POST from the resident page: validate, fetch the resident in scope, call the one service, and
    show the resident page again with the refusal if any. Used by the cases panel's forms too."""
    if not form.is_valid():
        return resident_page(request, resident_id, status=400, bound={form_name: form},
                       error=_("Check the highlighted fields."))
    try:
        resident = _get(request, resident_id)
        result = action(resident, form)
    except DomainError as exc:
        if exc.status_code != 400:
            return error_page(request, exc)
        return resident_page(request, resident_id, status=400, bound={form_name: form}, error=exc.message)
    return result


@login_required
@require_POST
def consent_add(request: HttpRequest, resident_id: int) -> HttpResponse:
    def action(resident: Resident, form: ConsentForm) -> HttpResponse:
        consent_record(actor=request.user, resident=resident, **form.cleaned_data)
        return redirect(reverse("registry:resident_detail", args=[resident_id]) + "#consents")

    return resident_write(request, resident_id, "consent", ConsentForm(request.POST), action)


@login_required
@require_POST
def consent_remove(request: HttpRequest, resident_id: int, consent_id: int) -> HttpResponse:
    def action(resident: Resident, form: Form) -> HttpResponse:
        consent = resident_consents(resident=resident).filter(pk=consent_id).first()
        if consent is None:
            return error_page(request, DomainError(RegistryErrorCode.CONSENT_INVALID))
        consent_withdraw(actor=request.user, consent=consent)
        return redirect(reverse("registry:resident_detail", args=[resident_id]) + "#consents")

    # Withdrawal has no fields; an empty form keeps the one code path (and its refusal handling).
    return resident_write(request, resident_id, "withdraw", Form(request.POST), action)
