"""Resident search and the resident page (consents, RRN reveal, starting a case)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.accounts.scope import can_see_full_rrn, can_write_cases
from dolbom.cases.models import CaseOrigin
from dolbom.cases.selectors import CaseFilters, case_list
from dolbom.cases.services import CITY_RECIPIENT, case_discover, case_open
from dolbom.lib.errors import DomainError
from dolbom.registry.errors import RegistryErrorCode
from dolbom.registry.models import Resident, TargetGroup
from dolbom.registry.selectors import resident_consents, resident_get, resident_rrn_reveal, resident_search
from dolbom.registry.services import consent_record, consent_withdraw
from dolbom.web.forms import ApplicationForm, ConsentForm, DiscoverForm, PurposeForm, SearchForm
from dolbom.web.views.common import (
    access_context,
    error_page,
    is_htmx,
    personal_data_page,
    purpose_remember,
)


def _key(resident_id: int) -> str:
    return f"resident:{resident_id}"


@personal_data_page
def resident_search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results: list[Resident] | None = None
    error = ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        try:
            results = resident_search(viewer=request.user, query=form.cleaned_data["q"],
                                      context=access_context(request))
        except DomainError as exc:
            error = exc.message
    template = "web/residents/_results.html" if is_htmx(request) else "web/residents/search.html"
    return render(request, template, {"form": form, "results": results, "error": error})


def _get(request: HttpRequest, resident_id: int) -> Resident:
    return resident_get(viewer=request.user, resident_id=resident_id,
                        context=access_context(request, _key(resident_id)))


def _purpose_page(request: HttpRequest, resident_id: int, form: PurposeForm | None = None,
                  status: int = 200) -> HttpResponse:
    return render(request, "web/purpose.html", {
        "form": form or PurposeForm(),
        "action": reverse("web:resident_purpose", args=[resident_id]),
        "message": DomainError(RegistryErrorCode.PURPOSE_REQUIRED).message,
    }, status=status)


def _detail(request: HttpRequest, resident_id: int, *, status: int = 200, error: str = "",
            bound: dict[str, Form] | None = None) -> HttpResponse:
    try:
        resident = _get(request, resident_id)
    except DomainError as exc:
        if exc.code == RegistryErrorCode.PURPOSE_REQUIRED:
            return _purpose_page(request, resident_id)
        return error_page(request, exc)
    bound = bound or {}
    cases = case_list(viewer=request.user, filters=CaseFilters()).filter(resident_id=resident.pk)
    return render(request, "web/residents/detail.html", {
        "resident": resident,
        "target_groups": [TargetGroup(g).label for g in resident.target_groups],
        "consents": resident_consents(resident=resident),
        "cases": cases,
        "can_reveal": can_see_full_rrn(request.user),
        "can_write": can_write_cases(request.user),
        "consent_form": bound.get("consent") or ConsentForm(initial={"recipient": CITY_RECIPIENT}),
        "application_form": bound.get("application") or ApplicationForm(),
        "discover_form": bound.get("discover") or DiscoverForm(),
        "error": error,
    }, status=status)


@login_required
def resident_detail(request: HttpRequest, resident_id: int) -> HttpResponse:
    return _detail(request, resident_id)


@login_required
@require_POST
def resident_purpose(request: HttpRequest, resident_id: int) -> HttpResponse:
    form = PurposeForm(request.POST)
    if not form.is_valid():
        return _purpose_page(request, resident_id, form, status=400)
    purpose_remember(request, _key(resident_id), form.cleaned_data["purpose"])
    return redirect("web:resident_detail", resident_id=resident_id)


@login_required
@require_POST
def resident_rrn(request: HttpRequest, resident_id: int) -> HttpResponse:
    try:
        resident = _get(request, resident_id)
        rrn = resident_rrn_reveal(viewer=request.user, resident=resident,
                                  context=access_context(request, _key(resident_id)))
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "web/residents/_rrn.html", {"rrn": rrn})


def _write(request: HttpRequest, resident_id: int, form_name: str, form, action) -> HttpResponse:
    """Validate, call the one service, and show the resident page again (with the refusal if any)."""
    if not form.is_valid():
        return _detail(request, resident_id, status=400, bound={form_name: form},
                       error=_("Check the highlighted fields."))
    try:
        resident = _get(request, resident_id)
        result = action(resident, form)
    except DomainError as exc:
        if exc.status_code != 400:
            return error_page(request, exc)
        return _detail(request, resident_id, status=400, bound={form_name: form}, error=exc.message)
    return result


@login_required
@require_POST
def consent_add(request: HttpRequest, resident_id: int) -> HttpResponse:
    def action(resident: Resident, form: ConsentForm) -> HttpResponse:
        consent_record(actor=request.user, resident=resident, **form.cleaned_data)
        return redirect(reverse("web:resident_detail", args=[resident_id]) + "#consents")

    return _write(request, resident_id, "consent", ConsentForm(request.POST), action)


@login_required
@require_POST
def consent_remove(request: HttpRequest, resident_id: int, consent_id: int) -> HttpResponse:
    def action(resident: Resident, form: Form) -> HttpResponse:
        consent = resident_consents(resident=resident).filter(pk=consent_id).first()
        if consent is None:
            return error_page(request, DomainError(RegistryErrorCode.CONSENT_INVALID))
        consent_withdraw(actor=request.user, consent=consent)
        return redirect(reverse("web:resident_detail", args=[resident_id]) + "#consents")

    # Withdrawal has no fields; an empty form keeps the one code path (and its refusal handling).
    return _write(request, resident_id, "withdraw", Form(request.POST), action)


@login_required
@require_POST
def case_start(request: HttpRequest, resident_id: int) -> HttpResponse:
    def action(resident: Resident, form: ApplicationForm) -> HttpResponse:
        case = case_open(actor=request.user, resident=resident, application=form.application())
        return redirect("web:case_detail", case_id=case.pk)

    return _write(request, resident_id, "application", ApplicationForm(request.POST), action)


@login_required
@require_POST
def case_start_discovered(request: HttpRequest, resident_id: int) -> HttpResponse:
    def action(resident: Resident, form: DiscoverForm) -> HttpResponse:
        case = case_discover(actor=request.user, resident=resident, origin=CaseOrigin(form.cleaned_data["origin"]),
                             note=form.cleaned_data["note"])
        return redirect("web:case_detail", case_id=case.pk)

    return _write(request, resident_id, "discover", DiscoverForm(request.POST), action)
