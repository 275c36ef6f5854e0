"""Referral pages: the case manager refers from the plan and follows statuses; the partner worker answers and
reports; the city team keeps the directory. Thin: a form, one service or selector, a template."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.accounts.models import Role
from dolbom.accounts.scope import can_see_personal_data, role_of
from dolbom.cases.selectors import case_current_plan, case_get
from dolbom.lib.errors import DomainError, NotFound
from dolbom.referrals import forms as f
from dolbom.referrals import selectors, services
from dolbom.referrals.errors import ReferralErrorCode
from dolbom.referrals.models import Institution, Referral, Service
from dolbom.registry.models import ConsentPurpose
from dolbom.registry.services import consent_record
from dolbom.web.paging import paging_query
from dolbom.web.views.common import access_context, error_page, forbidden_page, personal_data_page

PARTNER_ACTIONS: dict[str, tuple[type, Callable[..., Any]]] = {
    "accept": (f.AcceptForm, services.referral_accept),
    "decline": (f.DeclineForm, services.referral_decline),
    "start": (f.StartForm, services.referral_start),
    "delivery": (f.ActivityForm, services.delivery_record),
    "change": (f.ChangeForm, services.change_report),
    "complete": (f.CompleteForm, services.referral_complete),
}
# Which forms a partner is offered in each status; the services still decide.
OFFERED = {"requested": ["accept", "decline"], "accepted": ["start", "change"],
           "started": ["delivery", "change", "complete"]}


def _city_only(request: HttpRequest) -> HttpResponse | None:
    if role_of(request.user) != Role.CITY_TEAM:
        return forbidden_page(request)
    return None


PAGE_SIZE = 50  # rows a list page shows; the total of the whole list is shown beside them


# Lists -----------------------------------------------------------------------------------------

@login_required
def referral_list_page(request: HttpRequest) -> HttpResponse:
    if selectors.is_partner(request.user):
        return redirect("referrals:partner_list")
    if not can_see_personal_data(request.user):
        return forbidden_page(request, _("Your role does not allow access to personal data."))
    form = f.ReferralFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ReferralFilters(status=data.get("status", ""), dong_id=data.get("dong"),
                                        manager_id=request.user.pk if data.get("mine") else None,
                                        overdue=data.get("overdue", False))
    rows = selectors.referral_page_logged(viewer=request.user, context=access_context(request), filters=filters,
                                          page=request.GET.get("page"), per_page=PAGE_SIZE)
    return render(request, "referrals/list.html", {"form": form, "rows": rows, "page": rows,
                                                   "query": paging_query(request), "today": timezone.localdate()})


@login_required
def partner_list_page(request: HttpRequest) -> HttpResponse:
    if not selectors.is_partner(request.user):
        return forbidden_page(request)
    rows = selectors.referral_page_logged(viewer=request.user, context=access_context(request),
                                          page=request.GET.get("page"), per_page=PAGE_SIZE)
    return render(request, "referrals/partner_list.html", {
        "rows": rows, "page": rows, "query": paging_query(request), "today": timezone.localdate(),
        "institution": selectors.institution_of(request.user),
    })


# One referral ----------------------------------------------------------------------------------

def _detail_context(request: HttpRequest, referral: Referral, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    partner = selectors.is_partner(request.user)
    forms = {}
    if partner:
        for name in OFFERED.get(referral.status, []):
            forms[name] = (bound or {}).get(name) or PARTNER_ACTIONS[name][0]()
    return {"referral": referral, "client": selectors.partner_view(referral), "partner": partner, "forms": forms,
            "activities": selectors.referral_activities(referral=referral), "today": timezone.localdate()}


def _referral(request: HttpRequest, referral_id: int) -> Referral:
    # The purpose stated on the case page covers its referrals too.
    case_id = selectors.referral_case_id(referral_id)
    return selectors.referral_get(viewer=request.user, referral_id=referral_id,
                                  context=access_context(request, f"case:{case_id}" if case_id else ""))


def _refused(request: HttpRequest, referral_id: int, exc: DomainError) -> HttpResponse:
    case_id = selectors.referral_case_id(referral_id)
    if exc.code == "purpose_required" and case_id:
        return redirect("cases:case_detail", case_id)
    return error_page(request, exc)


@login_required
def referral_detail_page(request: HttpRequest, referral_id: int) -> HttpResponse:
    try:
        referral = _referral(request, referral_id)
    except DomainError as exc:
        return _refused(request, referral_id, exc)
    return render(request, "referrals/detail.html", _detail_context(request, referral))


@require_POST
@login_required
def referral_action(request: HttpRequest, referral_id: int, action: str) -> HttpResponse:
    if action not in PARTNER_ACTIONS and action != "cancel":
        return error_page(request, NotFound(ReferralErrorCode.REFERRAL_NOT_FOUND))
    try:
        referral = _referral(request, referral_id)
        if action == "cancel":
            services.referral_cancel(actor=request.user, referral=referral)
            return redirect("cases:case_detail", referral.case_id)
        form_cls, run = PARTNER_ACTIONS[action]
        form = form_cls(request.POST)
        if not form.is_valid():
            return render(request, "referrals/detail.html", _detail_context(request, referral, {action: form}),
                          status=400)
        run(actor=request.user, referral=referral, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, referral_id, exc)
    messages.success(request, _("Recorded; the case manager sees it on the case timeline."))
    if selectors.referral_visible(request.user).filter(pk=referral_id).exists():
        return redirect("referrals:referral_detail", referral_id)
    return redirect("referrals:partner_list")


# Referring from the case -----------------------------------------------------------------------
# The referral and the consent to share sit in one HTML form (the consent's fields join it through the
# form= attribute): recording a missing consent posts the half-filled referral along, which is kept as a
# draft in the session and comes back as it was typed.

REFERRAL_FORM_ID = "referral-form"
_DRAFT_FIELDS = ("plan_line", "service", "note", "due_days")


def _draft_key(case_id: int) -> str:
    return f"referral_draft:{case_id}"


def _case_for_referral(request: HttpRequest, case_id: int) -> Any:
    return case_get(viewer=request.user, case_id=case_id, context=access_context(request, f"case:{case_id}"))


def _referral_form(request: HttpRequest, case: Any, data: Any = None,
                   initial: dict[str, Any] | None = None) -> tuple[f.ReferralCreateForm, Any]:
    plan = case_current_plan(case=case)
    lines = [(line.pk, f"{line.get_domain_display()} · {line.content} ({line.provider})")
             for line in (plan.lines.all() if plan else [])]
    svc_qs = selectors.service_list(filters=selectors.ServiceFilters(dong_id=case.dong_id))
    form = f.ReferralCreateForm(data, lines=lines, services=svc_qs, initial=initial or {},
                                auto_id="id_%s")
    return form, plan


def _create_page(request: HttpRequest, case: Any, form: f.ReferralCreateForm, consent_form: f.ShareConsentForm,
                 error: str | None = None, status: int = 200) -> HttpResponse:
    return render(request, "referrals/create.html", {
        "case": case, "form": form, "error": error, "consent_form": consent_form, "form_id": REFERRAL_FORM_ID,
        "consent_open": bool(error) or consent_form.is_bound,
    }, status=status)


def _institution_of(form: f.ReferralCreateForm) -> str | None:
    value = form["service"].value()
    service = Service.objects.select_related("institution").filter(pk=value).first() if str(value or "").isdigit() \
        else None
    return service.institution.code if service else None


@personal_data_page
def referral_create_page(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        case = _case_for_referral(request, case_id)
    except DomainError as exc:
        if exc.code == "purpose_required":
            return redirect("cases:case_detail", case_id)
        return error_page(request, exc)
    if request.method != "POST":
        draft = request.session.pop(_draft_key(case_id), None) or {}
        form, _plan = _referral_form(request, case, initial={"plan_line": request.GET.get("line"), **draft})
        consent_form = f.ShareConsentForm(form_id=REFERRAL_FORM_ID, initial={"institution": _institution_of(form)})
        return _create_page(request, case, form, consent_form)
    form, plan = _referral_form(request, case, data=request.POST)
    consent_form = f.ShareConsentForm(form_id=REFERRAL_FORM_ID, initial={"institution": _institution_of(form)})
    if not form.is_valid():
        return _create_page(request, case, form, consent_form, status=400)
    line = plan.lines.filter(pk=form.cleaned_data["plan_line"]).first() if plan and form.cleaned_data["plan_line"] \
        else None
    try:
        services.referral_create(actor=request.user, case=case, service=form.cleaned_data["service"],
                                 plan_line=line, note=form.cleaned_data["note"], due_days=form.cleaned_data["due_days"])
    except DomainError as exc:
        return _create_page(request, case, form, consent_form, error=exc.message, status=400)
    messages.success(request, _("Referral sent."))
    return redirect(reverse("cases:case_detail", args=[case_id]) + "#referrals")


@require_POST
@personal_data_page
def share_consent_record(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record the client's consent to share with one institution (PIPA §17), from the referral page; the
    referral typed so far comes back as it was."""
    try:
        case = _case_for_referral(request, case_id)
    except DomainError as exc:
        return error_page(request, exc)
    consent_form = f.ShareConsentForm(request.POST, form_id=REFERRAL_FORM_ID)
    draft = {k: request.POST.get(k, "") for k in _DRAFT_FIELDS if request.POST.get(k, "") != ""}
    if consent_form.is_valid():
        inst = consent_form.cleaned_data["institution"]
        d = consent_form.cleaned_data
        try:
            consent_record(actor=request.user, resident=case.resident, purpose=ConsentPurpose.INFORMATION_SHARING,
                           recipient=inst.name, recipient_code=inst.code, given_at=d["given_at"],
                           expires_on=d["expires_on"], method=d["method"], note=d["consent_note"])
        except DomainError as exc:
            consent_form.add_error("given_at" if exc.code == "consent_in_future" else None, exc.message)
        else:
            request.session[_draft_key(case_id)] = draft
            messages.success(request, _("Consent to share with %(name)s recorded.") % {"name": inst.name})
            return redirect("referrals:referral_create", case_id)
    form, _plan = _referral_form(request, case, initial=draft)
    return _create_page(request, case, form, consent_form, status=400)


# Discharge notices -----------------------------------------------------------------------------

@login_required
def discharge_page(request: HttpRequest) -> HttpResponse:
    institution = selectors.institution_of(request.user)
    if institution is None or not institution.sends_discharge_notices:
        return forbidden_page(request, _("Only hospitals, long-term-care facilities and disability residences "
                                         "send discharge notices."))
    form = f.DischargeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.discharge_notify(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            error = exc.message
        else:
            # Not which dong, nor whether the person was known: the sender learns only that it was received.
            messages.success(request, _("The notice was received; the dong office will contact the person."))
            return redirect("referrals:discharge")
    return render(request, "referrals/discharge.html", {"form": form, "error": error, "institution": institution},
                  status=400 if request.method == "POST" else 200)


# Directory -------------------------------------------------------------------------------------

@login_required
def service_list_page(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) is None:
        return forbidden_page(request)
    form = f.ServiceFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.service_list(filters=selectors.ServiceFilters(
        category=data.get("category", ""), dong_id=data.get("dong"), query=data.get("q", "")))
    return render(request, "referrals/services.html", {
        "form": form, "rows": rows, "can_edit": role_of(request.user) == Role.CITY_TEAM,
        "institutions": selectors.institution_list().order_by("name") if role_of(request.user) == Role.CITY_TEAM else [],
    })


def _directory_form(request: HttpRequest, form_cls: type, obj: Any, save: Callable[..., Any], title: str,
                    ) -> HttpResponse:
    denied = _city_only(request)
    if denied:
        return denied
    form = form_cls(request.POST or None, initial=form_cls.initial_from(obj) if obj else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Saved."))
            return redirect("referrals:service_list")
    return render(request, "referrals/directory_form.html", {"form": form, "error": error, "title": title},
                  status=400 if request.method == "POST" else 200)


@login_required
def institution_edit_page(request: HttpRequest, code: str | None = None) -> HttpResponse:
    inst = Institution.objects.filter(code=code).first() if code else None
    return _directory_form(request, f.InstitutionForm, inst,
                           lambda data: services.institution_save(actor=request.user, institution=inst, **data),
                           _("Partner institution"))


@login_required
def service_edit_page(request: HttpRequest, service_id: int | None = None) -> HttpResponse:
    svc = Service.objects.filter(pk=service_id).first() if service_id else None
    return _directory_form(request, f.ServiceForm, svc,
                           lambda data: services.service_save(actor=request.user, service=svc, **data),
                           _("Service"))
