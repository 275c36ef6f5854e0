"""Resident search and the resident page (consents, RRN reveal). The resident's cases, and the forms that
start one, are a panel the cases app registers (registry/panels.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.accounts.scope import can_see_full_rrn, can_write_cases
from dolbom.lib.errors import DomainError, Forbidden
from dolbom.registry.errors import RegistryErrorCode
from dolbom.registry.forms import (
    ConsentForm,
    HouseholdMoveForm,
    ResidentDetailsForm,
    ResidentRegisterForm,
    SearchForm,
)
from dolbom.registry.models import CITY_RECIPIENT, Resident, TargetGroup
from dolbom.registry.panels import resident_panels
from dolbom.registry.selectors import (
    household_by_number,
    resident_consents,
    resident_get,
    resident_history,
    resident_rrn_reveal_by_id,
    resident_search,
    resident_visible,
)
from dolbom.registry.services import (
    consent_record,
    consent_withdraw,
    household_move,
    resident_details_change,
    resident_register,
)
from dolbom.web.views.common import (
    access_context,
    error_page,
    is_htmx,
    personal_data_page,
    purpose_page,
    purpose_remember,
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
        "history": resident_history(resident=resident),
        "panels": resident_panels.render(request, resident, bound),
        "can_reveal": can_see_full_rrn(request.user),
        "can_write": can_write_cases(request.user),
        "consent_form": bound.get("consent") or ConsentForm(initial={"recipient": CITY_RECIPIENT}),
        "details_form": bound.get("details") or ResidentDetailsForm(initial=ResidentDetailsForm.initial_for(resident),
                                                                    auto_id="id_details_%s"),
        "move_form": bound.get("move") or HouseholdMoveForm(auto_id="id_move_%s"),
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


# Where a refusal belongs on the resident page's forms: beside the field it is about.
REFUSAL_FIELDS: dict[str, dict[str, str]] = {
    "consent": {RegistryErrorCode.CONSENT_IN_FUTURE: "given_at", RegistryErrorCode.CONSENT_INVALID: "recipient"},
    "details": {RegistryErrorCode.REASON_REQUIRED: "reason"},
    "move": {RegistryErrorCode.REASON_REQUIRED: "reason", RegistryErrorCode.SAME_ADDRESS: "road_address",
             RegistryErrorCode.OUTSIDE_DONG: "area"},
}


def resident_write(request: HttpRequest, resident_id: int, form_name: str, form: Form,
                   action: Callable[[Resident, Any], HttpResponse]) -> HttpResponse:
    """A POST from the resident page: validate, fetch the resident in scope, call the one service, and
    show the resident page again with the refusal if any (beside its field, with what was typed). Used by
    the cases panel's forms too."""
    if not form.is_valid():
        return resident_page(request, resident_id, status=400, bound={form_name: form},
                             error=_("Check the highlighted fields."))
    try:
        resident = _get(request, resident_id)
        result = action(resident, form)
    except DomainError as exc:
        if exc.status_code != 400:
            return error_page(request, exc)
        field = REFUSAL_FIELDS.get(form_name, {}).get(exc.code)
        form.add_error(field if field in form.fields else None, exc.message)
        return resident_page(request, resident_id, status=400, bound={form_name: form}, error=exc.message)
    return result


@login_required
@require_POST
def consent_add(request: HttpRequest, resident_id: int) -> HttpResponse:
    def action(resident: Resident, form: ConsentForm) -> HttpResponse:
        consent_record(actor=request.user, resident=resident, **form.cleaned_data)
        messages.success(request, _("Consent recorded."))
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
        messages.success(request, _("Consent withdrawn."))
        return redirect(reverse("registry:resident_detail", args=[resident_id]) + "#consents")

    # Withdrawal has no fields; an empty form keeps the one code path (and its refusal handling).
    return resident_write(request, resident_id, "withdraw", Form(request.POST), action)


# Registering and changing ------------------------------------------------------------------------------

@personal_data_page
def resident_register_page(request: HttpRequest) -> HttpResponse:
    """A new resident, into a new household at an address or into an existing household by its number."""
    if not can_write_cases(request.user):
        return error_page(request, Forbidden(RegistryErrorCode.NOT_ALLOWED))
    form = ResidentRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        household = None
        if d["household_number"]:
            household = household_by_number(viewer=request.user, number=d["household_number"])
            if household is None:
                form.add_error("household_number", DomainError(RegistryErrorCode.HOUSEHOLD_NOT_FOUND).message)
        if not form.errors:
            try:
                resident = resident_register(actor=request.user, name=d["name"], rrn=d["rrn"], phone=d["phone"],
                                             groups=form.groups(older_from_age=True), household=household,
                                             address=form.address())
            except DomainError as exc:
                if exc.status_code not in (400, 403):
                    return error_page(request, exc)
                field = {RegistryErrorCode.RRN_INVALID: "rrn", RegistryErrorCode.RRN_DUPLICATE: "rrn",
                         RegistryErrorCode.OUTSIDE_DONG: "area", RegistryErrorCode.NAME_REQUIRED: "name"}.get(exc.code)
                form.add_error(field, exc.message)
            else:
                # The officer who registered the person opens their record for that reason: no purpose page.
                purpose_remember(request, _key(resident.pk), _("Registration of the resident"))
                messages.success(request, _("Registered."))
                return redirect("registry:resident_detail", resident_id=resident.pk)
    return render(request, "registry/register.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def resident_details_update(request: HttpRequest, resident_id: int) -> HttpResponse:
    def action(resident: Resident, form: ResidentDetailsForm) -> HttpResponse:
        resident_details_change(actor=request.user, resident=resident, phone=form.cleaned_data["phone"],
                                groups=form.groups(), reason=form.cleaned_data["reason"])
        messages.success(request, _("Saved."))
        return redirect(reverse("registry:resident_detail", args=[resident_id]) + "#history")

    return resident_write(request, resident_id, "details", ResidentDetailsForm(request.POST, auto_id="id_details_%s"),
                          action)


@login_required
@require_POST
def household_move_page(request: HttpRequest, resident_id: int) -> HttpResponse:
    def action(resident: Resident, form: HouseholdMoveForm) -> HttpResponse:
        household = household_move(actor=request.user, household=resident.household, address=form.address(),
                                   reason=form.cleaned_data["reason"])
        messages.success(request, _("The new address is saved (%(dong)s).") % {"dong": household.dong.name})
        if resident_visible(request.user).filter(pk=resident_id).exists():
            return redirect(reverse("registry:resident_detail", args=[resident_id]) + "#history")
        # Moved out of the officer's dong: the record is the new dong's now.
        return redirect("registry:resident_search")

    return resident_write(request, resident_id, "move", HouseholdMoveForm(request.POST, auto_id="id_move_%s"), action)
