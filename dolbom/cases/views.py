"""Case pages: the list, the case with one form per legal step, plan versions and the printable plan;
starting a case from the resident page; the city's follow-up intervals; the caseload panels of the
dashboard. Other domains' boxes on the case page come from cases/panels.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.accounts.models import Role
from dolbom.accounts.scope import can_write_cases, role_of
from dolbom.areas.models import Dong
from dolbom.cases import forms as f
from dolbom.cases import services
from dolbom.cases.errors import CaseErrorCode
from dolbom.cases.export import cases_csv
from dolbom.cases.models import Case, CaseOrigin, CaseStatus, CitySettings
from dolbom.cases.panels import case_panels
from dolbom.cases.rules import ADL_ITEMS, FIRST_FOLLOW_UP_MAX_DAYS, FOLLOW_UP_MAX_DAYS, IADL_ITEMS
from dolbom.cases.selectors import (
    NEXT_STEP,
    STEP_LABELS,
    CaseFilters,
    case_counts_by_dong,
    case_counts_by_status,
    case_get,
    case_list,
    case_list_export,
    case_list_logged,
    case_page_logged,
    case_timeline,
    follow_ups_overdue_by,
    plan_get,
)
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError
from dolbom.registry.errors import RegistryErrorCode
from dolbom.registry.models import Resident
from dolbom.registry.views import resident_write
from dolbom.web.forms import now_local
from dolbom.web.paging import paging_query
from dolbom.web.views.common import (
    access_context,
    error_page,
    forbidden_page,
    personal_data_page,
    purpose_page,
    purpose_submit,
)

PAGE_SIZE = 50


def _key(case_id: int) -> str:
    return f"case:{case_id}"


# List -------------------------------------------------------------------------------------------

def _list_filters(request: HttpRequest) -> tuple[f.CaseFilterForm, CaseFilters]:
    # Cases keep the dong they were opened in: a dong since merged (금암1동) stays a filter, after today's.
    today = timezone.localdate()
    dongs = sorted(Dong.objects.all(), key=lambda d: (not d.is_valid_on(today), d.name))
    form = f.CaseFilterForm(request.GET or None, dongs=[(d.pk, d.name) for d in dongs])
    data = form.cleaned_data if form.is_valid() else {}
    return form, CaseFilters(status=data.get("status", ""), dong_id=data.get("dong"),
                             overdue=data.get("overdue", False), mine=data.get("mine", False),
                             manager_id=data.get("manager"))


@personal_data_page
def case_list_page(request: HttpRequest) -> HttpResponse:
    form, filters = _list_filters(request)
    page = case_page_logged(viewer=request.user, context=access_context(request), filters=filters,
                            page=request.GET.get("page"), per_page=PAGE_SIZE)
    today = timezone.localdate()
    rows = [(c, STEP_LABELS.get(NEXT_STEP.get(c.status, ""), ""),
             c.next_follow_up_due is not None and c.next_follow_up_due < today) for c in page]
    manager = (User.objects.filter(pk=filters.manager_id).select_related("staff").first()
               if filters.manager_id else None)
    return render(request, "cases/list.html", {"form": form, "rows": rows, "page": page,
                                               "query": paging_query(request), "manager": manager})


@personal_data_page
def case_list_download(request: HttpRequest) -> HttpResponse:
    """The filtered list as a CSV file; the reason asked for here goes into the access log."""
    form, filters = _list_filters(request)
    reason = f.ExportReasonForm(request.POST or None)
    if request.method == "POST" and reason.is_valid():
        context = AccessContext.from_request(request, purpose=reason.cleaned_data["reason"])
        try:
            cases = case_list_export(viewer=request.user, context=context, filters=filters)
        except DomainError as exc:
            return error_page(request, exc)
        response = HttpResponse(cases_csv(cases), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="dolbom-cases-{timezone.localdate():%Y%m%d}.csv"'
        return response
    return render(request, "cases/download.html", {"form": form, "reason": reason, "query": request.GET.urlencode()},
                  status=400 if request.method == "POST" else 200)


# One case ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    form: Callable[[Any], Any]
    run: Callable[[Any, Case, Any], Any]


def _application(u: Any, c: Case, fm: f.ApplicationForm) -> Any:
    return services.case_application_record(actor=u, case=c, application=fm.application())


STEPS: dict[str, Step] = {
    "application": Step(f.ApplicationForm, _application),
    "survey": Step(f.SurveyForm, lambda u, c, fm: services.survey_record(actor=u, case=c, **fm.service_kwargs())),
    "decision": Step(f.DecisionForm, lambda u, c, fm: services.eligibility_decision_record(actor=u, case=c, **fm.cleaned_data)),
    "plan": Step(f.PlanBundle, lambda u, c, fm: services.plan_create(actor=u, case=c, **fm.service_kwargs())),
    "meeting_request": Step(f.MeetingRequestForm,
                            lambda u, c, fm: services.meeting_request(actor=u, case=c, **fm.cleaned_data)),
    "meeting_outcome": Step(f.MeetingOutcomeForm,
                            lambda u, c, fm: services.meeting_outcome_note(actor=u, case=c, **fm.cleaned_data)),
    "follow_up": Step(f.FollowUpForm, lambda u, c, fm: services.follow_up_record(actor=u, case=c, **fm.cleaned_data)),
    "reassessment": Step(f.ReasonForm, lambda u, c, fm: services.reassessment_start(actor=u, case=c, **fm.cleaned_data)),
    "close": Step(f.CloseForm, lambda u, c, fm: services.case_close(actor=u, case=c, **fm.cleaned_data)),
    "reopen": Step(f.ReasonForm, lambda u, c, fm: services.case_reopen(actor=u, case=c, **fm.cleaned_data)),
}

# Which forms the page offers in each state; the services still decide, these only avoid dead buttons.
OFFERED: dict[str, list[str]] = {
    CaseStatus.DISCOVERED: ["application"],
    CaseStatus.APPLIED: ["survey"],
    CaseStatus.SURVEYED: ["decision", "survey"],
    CaseStatus.DECIDED: ["plan", "reassessment"],
    CaseStatus.IN_SERVICE: ["follow_up", "plan", "reassessment"],
    CaseStatus.REASSESSMENT: ["survey"],
    CaseStatus.CLOSED: ["reopen"],
}


def _step_form(step: str, data: Any) -> Any:
    # Several step forms share field names (note, reason); distinct ids keep each label on its own field.
    return STEPS[step].form(data, auto_id=f"id_{step}_%s")


# Where a service's refusal belongs on the step's form: beside the field it is about (the date that lies
# in the future, the reason left empty), so the officer sees it where they typed; others go above the form.
_E = CaseErrorCode
REFUSAL_FIELDS: dict[str, dict[str, str]] = {
    "application": {_E.DATE_IN_FUTURE: "applied_at", _E.APPLICANT_NAME_REQUIRED: "applicant_name",
                    _E.EX_OFFICIO_REASON_REQUIRED: "ex_officio_reason",
                    _E.EX_OFFICIO_EXPLANATION_REQUIRED: "explained_at", _E.CONSENT_REQUIRED: "consent_at",
                    _E.CONSENT_AFTER_APPLICATION: "consent_at", _E.APPLICANT_TYPE_INVALID: "applicant_type"},
    "survey": {_E.DATE_IN_FUTURE: "surveyed_on"},
    "decision": {_E.DATE_IN_FUTURE: "decided_on"},
    "plan": {_E.DATE_IN_FUTURE: "starts_on", _E.PLAN_INCOMPLETE: "goals"},
    "meeting_outcome": {_E.OUTCOME_REQUIRED: "outcome"},
    "follow_up": {_E.DATE_IN_FUTURE: "done_on", _E.FOLLOW_UP_NOTE_REQUIRED: "note"},
    "reassessment": {},
    "close": {_E.CLOSURE_REASON_REQUIRED: "reason", _E.CLOSURE_NOTE_REQUIRED: "note"},
    "reopen": {_E.REOPEN_REASON_REQUIRED: "reason"},
}


def _refusal_on_form(step: str, form: Any, exc: DomainError) -> None:
    target = form.form if isinstance(form, f.PlanBundle) else form
    field = REFUSAL_FIELDS.get(step, {}).get(exc.code)
    target.add_error(field if field in target.fields else None, exc.message)


def _get(request: HttpRequest, case_id: int) -> Case:
    return case_get(viewer=request.user, case_id=case_id, context=access_context(request, _key(case_id)))


def _purpose_page(request: HttpRequest, case_id: int) -> HttpResponse:
    return purpose_page(request, action=reverse("cases:case_purpose", args=[case_id]),
                        message=DomainError(RegistryErrorCode.PURPOSE_REQUIRED).message)


def _fetch(request: HttpRequest, case_id: int) -> Case | HttpResponse:
    try:
        return _get(request, case_id)
    except DomainError as exc:
        if exc.code == RegistryErrorCode.PURPOSE_REQUIRED:
            return _purpose_page(request, case_id)
        return error_page(request, exc)


def _render_case(request: HttpRequest, case: Case, *, bound: dict[str, Any] | None = None, error: str = "",
                 status: int = 200) -> HttpResponse:
    bound = bound or {}
    offered = list(OFFERED[case.status]) if can_write_cases(request.user) else []
    if not case.is_closed and offered:
        offered += ["meeting_outcome" if case.meeting_requested else "meeting_request", "close"]
    steps = [(name, bound[name], _step_fields_html(name, bound[name])) if name in bound
             else (name, *_unbound_step(name, translation.get_language(), now_local())) for name in offered]
    return render(request, "cases/detail.html", {
        "case": case,
        "resident": case.resident,
        "timeline": case_timeline(case=case),
        "surveys": case.surveys.select_related("surveyed_by__staff").order_by("-sequence"),
        "decisions": case.decisions.order_by("-sequence"),
        "plans": case.plans.prefetch_related("lines").order_by("-version"),
        "follow_ups": case.follow_ups.select_related("done_by__staff").order_by("-done_on", "-pk"),
        "forms": steps,
        "first_step": offered[0] if offered else "",
        "next_step": STEP_LABELS.get(NEXT_STEP.get(case.status, ""), ""),
        "adl_items": ADL_ITEMS, "iadl_items": IADL_ITEMS,
        "error": error,
        "today": timezone.localdate(),
        "panels": case_panels.render(request, case),
    }, status=status)


def _step_fields_html(step: str, form: Any) -> SafeString:
    return render_to_string("cases/_step_fields.html", {"name": step, "form": form})


@lru_cache(maxsize=64)
def _unbound_step(step: str, language: str, minute: dt.datetime) -> tuple[Any, SafeString]:
    """An empty step form and its fields' HTML, the same for every case: their only inputs are the language
    and the initial dates (today, now to the minute). Rendering them was a quarter of the case page's CPU
    (the plan's four empty service lines alone are 28 widgets, each a template)."""
    form = _step_form(step, None)
    return form, _step_fields_html(step, form)


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _fetch(request, case_id)
    return case if isinstance(case, HttpResponse) else _render_case(request, case)


@login_required
@require_POST
def case_purpose(request: HttpRequest, case_id: int) -> HttpResponse:
    return purpose_submit(request, _key(case_id), message=DomainError(RegistryErrorCode.PURPOSE_REQUIRED).message,
                          then=reverse("cases:case_detail", args=[case_id]))


@login_required
def case_step(request: HttpRequest, case_id: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    if request.method != "POST":
        # The address bar keeps a refused step's URL: Enter or a reopened tab shows the case, not a 405.
        return redirect("cases:case_detail", case_id=case_id)
    case = _fetch(request, case_id)
    if isinstance(case, HttpResponse):
        return case
    form = _step_form(step, request.POST)
    if not form.is_valid():
        return _render_case(request, case, bound={step: form}, status=400,
                            error=_("Check the highlighted fields."))
    try:
        STEPS[step].run(request.user, case, form)
    except DomainError as exc:
        # The service refused inside its transaction: nothing was written; show why beside the field,
        # with everything that was typed.
        if exc.status_code != 400:
            return error_page(request, exc)
        _refusal_on_form(step, form, exc)
        return _render_case(request, case, bound={step: form}, error=exc.message,
                            status=exc.status_code)
    messages.success(request, _("Saved."))
    return redirect("cases:case_detail", case_id=case_id)


# Plans ------------------------------------------------------------------------------------------

@login_required
def plan_versions(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _fetch(request, case_id)
    if isinstance(case, HttpResponse):
        return case
    plans = case.plans.select_related("created_by__staff").prefetch_related("lines").order_by("-version")
    return render(request, "cases/plans.html", {"case": case, "plans": plans})


@login_required
def plan_print(request: HttpRequest, case_id: int, version: int) -> HttpResponse:
    case = _fetch(request, case_id)
    if isinstance(case, HttpResponse):
        return case
    try:
        plan = plan_get(case=case, version=version)
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "cases/plan_print.html", {
        "case": case, "resident": case.resident, "plan": plan, "decision": plan.decision,
    })


# Starting a case from the resident page ---------------------------------------------------------

@login_required
@require_POST
def case_start(request: HttpRequest, resident_id: int) -> HttpResponse:
    def action(resident: Resident, form: f.ApplicationForm) -> HttpResponse:
        case = services.case_open(actor=request.user, resident=resident, application=form.application())
        messages.success(request, _("Saved."))
        return redirect("cases:case_detail", case_id=case.pk)

    return resident_write(request, resident_id, "application", f.ApplicationForm(request.POST), action)


@login_required
@require_POST
def case_start_discovered(request: HttpRequest, resident_id: int) -> HttpResponse:
    def action(resident: Resident, form: f.DiscoverForm) -> HttpResponse:
        case = services.case_discover(actor=request.user, resident=resident,
                                      origin=CaseOrigin(form.cleaned_data["origin"]), note=form.cleaned_data["note"])
        messages.success(request, _("Saved."))
        return redirect("cases:case_detail", case_id=case.pk)

    return resident_write(request, resident_id, "discover", f.DiscoverForm(request.POST), action)


def resident_cases_panel(request: HttpRequest, resident: Resident, bound: dict[str, Form]) -> dict[str, Any]:
    """The resident page's cases box (registry/panels.py): the resident's cases in the viewer's scope and
    the two ways to start one."""
    return {
        "resident": resident,
        "cases": case_list(viewer=request.user, filters=CaseFilters()).filter(resident_id=resident.pk),
        "can_write": can_write_cases(request.user),
        "application_form": bound.get("application") or f.ApplicationForm(),
        "discover_form": bound.get("discover") or f.DiscoverForm(),
    }


# City settings ----------------------------------------------------------------------------------

@login_required
def city_settings_page(request: HttpRequest) -> HttpResponse:
    """The city integrated-care team's follow-up intervals (bounded by the Decree)."""
    if role_of(request.user) != Role.CITY_TEAM:
        return forbidden_page(request)
    current = CitySettings.current()
    form = f.CitySettingsForm(request.POST or None, initial={
        "first_follow_up_days": current.first_follow_up_days,
        "follow_up_interval_days": current.follow_up_interval_days,
    })
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.city_settings_update(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                if exc.status_code != 400:
                    return error_page(request, exc)
                error, status = exc.message, 400
            else:
                messages.success(request, _("Follow-up intervals saved."))
                return redirect("cases:city_settings")
        else:
            status = 400
    return render(request, "cases/city_settings.html", {
        "form": form, "error": error, "first_max": FIRST_FOLLOW_UP_MAX_DAYS, "later_max": FOLLOW_UP_MAX_DAYS,
    }, status=status)


# Dashboard panels (web/dashboard.py) ------------------------------------------------------------
# Each role's start page shows that role's work: a case manager their caseload, a dong officer their
# dong, the city team the whole city (the counts come from case_visible, which is that scope).

def dashboard_my_cases(request: HttpRequest) -> dict[str, Any]:
    """My open cases and the step each one waits for."""
    cases = case_list_logged(viewer=request.user, context=access_context(request),
                             filters=CaseFilters(mine=True), limit=100)
    return {"rows": [(c, STEP_LABELS.get(NEXT_STEP.get(c.status, ""), ""))
                     for c in cases if c.status != CaseStatus.CLOSED]}


def dashboard_counts(request: HttpRequest) -> dict[str, Any]:
    mine = role_of(request.user) == Role.CASE_MANAGER
    counts = case_counts_by_status(viewer=request.user, mine=mine)
    heading = {Role.CASE_MANAGER: _("My cases by status"), Role.DONG_OFFICER: _("Cases of my dong by status"),
               Role.CITY_TEAM: _("Cases of the whole city by status")}.get(role_of(request.user), "")
    return {"counts": [(CaseStatus(k).label, k, v) for k, v in counts.items()], "mine": mine, "heading": heading}


def dashboard_by_dong(request: HttpRequest) -> dict[str, Any]:
    """The city team's view of every dong: open cases, in service, overdue follow-ups (counts only)."""
    return {"rows": case_counts_by_dong(viewer=request.user)}


def dashboard_overdue(request: HttpRequest) -> dict[str, Any]:
    return {"overdue_by_dong": follow_ups_overdue_by(viewer=request.user, by="dong"),
            "overdue_by_manager": follow_ups_overdue_by(viewer=request.user, by="manager")}


def overdue_follow_ups_count(user: Any) -> int:
    """The bell's count (web/notifications.py): follow-ups past due in the user's own scope (a case
    manager's own caseload, a dong officer's dong, the whole city for the city team)."""
    filters = CaseFilters(overdue=True, mine=role_of(user) == Role.CASE_MANAGER)
    return case_list(viewer=user, filters=filters).count()


def overdue_follow_ups_url(user: Any) -> str:
    return "cases:case_list?overdue=on" + ("&mine=on" if role_of(user) == Role.CASE_MANAGER else "")
