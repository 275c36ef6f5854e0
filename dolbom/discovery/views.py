"""Crisis-discovery pages: cycles and their loads, import, scoring, visit lists, outcomes, referrals,
objections and the model quality report. Thin: one selector or service per request."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.discovery import charts, selectors, services
from dolbom.discovery.forms import (
    CycleForm,
    ImportForm,
    LimitForm,
    ObjectionForm,
    OutcomeForm,
    ReferralForm,
    SearchForm,
)
from dolbom.discovery.models import (
    NATIONAL_SUPPORT_RATE_2024,
    Cycle,
    DiscoverySettings,
    Outcome,
    VisitListEntry,
)
from dolbom.lib.errors import DomainError
from dolbom.registry.errors import RegistryErrorCode
from dolbom.registry.models import Resident
from dolbom.registry.selectors import resident_search, resident_visible
from dolbom.web.views.common import access_context, error_page, forbidden_page


def _lists_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages of discovery: the city team and the staff of a dong; others get a 403 page, not an empty list."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.can_see_lists(request.user):
            return forbidden_page(request, _("Your role does not allow access to personal data."))
        return view(request, *args, **kwargs)

    return wrapper


def _cycle(cycle_id: int) -> Cycle:
    try:
        return selectors.cycle_get(cycle_id=cycle_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc


# Cycles -------------------------------------------------------------------------------------------

@_lists_page
def index(request: HttpRequest) -> HttpResponse:
    city = selectors.is_city_team(request.user)
    form = CycleForm(request.POST or None) if city else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            cycle = services.cycle_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("discovery:cycle", cycle_id=cycle.pk)
    return render(request, "discovery/index.html", {
        "rates": selectors.cycle_rates(viewer=request.user), "form": form, "city": city,
        "limit_form": LimitForm(initial={"households_per_worker_limit":
                                         DiscoverySettings.current().households_per_worker_limit}) if city else None,
        "national_rate": NATIONAL_SUPPORT_RATE_2024, "current_model": selectors.model_version_current(),
    }, status=400 if request.method == "POST" else 200)


@_lists_page
@require_POST
def limit_update(request: HttpRequest) -> HttpResponse:
    """The city's default households-per-worker limit for new cycles."""
    form = LimitForm(request.POST)
    if form.is_valid():
        try:
            services.settings_update(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            return error_page(request, exc)
        messages.success(request, _("The limit was saved; new cycles use it."))
    else:
        messages.error(request, _("The limit must be a positive number of households."))
    return redirect("discovery:cycles")


@_lists_page
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(cycle_id)
    loads = selectors.dong_loads(viewer=request.user, cycle=cycle)
    city = selectors.is_city_team(request.user)
    return render(request, "discovery/cycle.html", {
        "cycle": cycle, "loads": loads, "city": city, "import_form": ImportForm() if city else None,
        "imports": cycle.imports.select_related("imported_by__staff") if city else [],
        "national_rate": NATIONAL_SUPPORT_RATE_2024, "current_model": selectors.model_version_current(),
        "over_limit": [r for r in loads if r.over_limit],
    })


@_lists_page
@require_POST
def cycle_import(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(cycle_id)
    form = ImportForm(request.POST, request.FILES)
    results = []
    if form.is_valid():
        with tempfile.TemporaryDirectory(prefix="dolbom-import-") as tmp:
            files = []
            for i, upload in enumerate(form.cleaned_data["files"]):
                # The agency is named by the file's own name (kepco.csv), so keep it.
                path = Path(tmp) / str(i) / Path(upload.name).name
                path.parent.mkdir()
                with path.open("wb") as fh:
                    for chunk in upload.chunks():
                        fh.write(chunk)
                files.append((upload.name, path))
            try:
                results = services.cycle_import(actor=request.user, cycle=cycle, files=files)
            except DomainError as exc:
                return error_page(request, exc)
    failed = any(r.status == "invalid" for r in results) or not form.is_valid()
    return render(request, "discovery/import_result.html", {"cycle": cycle, "form": form, "results": results},
                  status=400 if failed else 200)


@_lists_page
@require_POST
def cycle_score(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(cycle_id)
    try:
        summary = services.cycle_score(actor=request.user, cycle=cycle)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _(
            "Scored %(scored)s households with model %(model)s: %(listed)s listed, %(signalled)s open cases "
            "notified, %(objected)s households excluded by objection.") % {
            "scored": f"{summary.scored:,}", "model": summary.model_version, "listed": f"{summary.listed:,}",
            "signalled": summary.signalled_cases, "objected": summary.objected})
    return redirect("discovery:cycle", cycle_id=cycle.pk)


# Visit lists ----------------------------------------------------------------------------------------

@_lists_page
def visit_list(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(cycle_id)
    dong_id = request.GET.get("dong")
    dong_id = int(dong_id) if dong_id and dong_id.isdigit() else None
    open_only = request.GET.get("open") == "1"
    entries = selectors.visit_list_logged(viewer=request.user, context=access_context(request), cycle=cycle,
                                          dong_id=dong_id, open_only=open_only)
    loads = selectors.dong_loads(viewer=request.user, cycle=cycle)
    return render(request, "discovery/list.html", {
        "cycle": cycle, "entries": entries, "loads": loads, "dong_id": dong_id, "open_only": open_only,
        "limit": selectors.LIST_LIMIT, "at_limit": len(entries) >= selectors.LIST_LIMIT,
    })


def _entry(request: HttpRequest, entry_id: int) -> VisitListEntry | HttpResponse:
    try:
        return selectors.entry_get(viewer=request.user, entry_id=entry_id, context=access_context(request))
    except DomainError as exc:
        return error_page(request, exc)


def _render_entry(request: HttpRequest, entry: VisitListEntry, form: OutcomeForm | None = None,
                  status: int = 200) -> HttpResponse:
    initial = {"outcome": entry.outcome, "note": entry.outcome_note}
    return render(request, "discovery/entry.html", {
        "entry": entry, "form": form or OutcomeForm(initial=initial), "outcomes": Outcome,
    }, status=status)


@login_required
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry(request, entry_id)
    return entry if isinstance(entry, HttpResponse) else _render_entry(request, entry)


@login_required
@require_POST
def entry_outcome(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry(request, entry_id)
    if isinstance(entry, HttpResponse):
        return entry
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _render_entry(request, entry, form, status=400)
    try:
        services.entry_outcome_record(actor=request.user, entry=entry, **form.cleaned_data)
    except DomainError as exc:
        return error_page(request, exc)
    messages.success(request, _("Outcome recorded."))
    return redirect("discovery:entry", entry_id=entry.pk)


@login_required
@require_POST
def entry_case(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry(request, entry_id)
    if isinstance(entry, HttpResponse):
        return entry
    try:
        case = services.entry_open_case(actor=request.user, entry=entry)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("discovery:entry", entry_id=entry.pk)
    messages.success(request, _("A discovered case was opened."))
    return redirect("cases:case_detail", case_id=case.pk)


# Community referrals and objections ---------------------------------------------------------------

def _search(request: HttpRequest) -> tuple[SearchForm, list[Resident], str]:
    form = SearchForm(request.GET or None)
    results: list[Resident] = []
    error = ""
    if form.is_valid():
        try:
            results = resident_search(viewer=request.user, query=form.cleaned_data["q"],
                                      context=access_context(request))
        except DomainError as exc:
            error = exc.message
    return form, results, error


def _resident(request: HttpRequest, resident_id: int) -> Resident:
    resident = resident_visible(request.user).filter(pk=resident_id).first()
    if resident is None:
        raise DomainError(RegistryErrorCode.RESIDENT_NOT_FOUND)
    return resident


@_lists_page
def referral(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(cycle_id)
    search, results, error = _search(request)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.referral_record(
                actor=request.user, cycle=cycle, resident=_resident(request, data["resident_id"]),
                source=data["source"], reporter_name=data["reporter_name"], note=data["note"])
        except DomainError as exc:
            error = exc.message
        else:
            if isinstance(result, VisitListEntry):
                messages.success(request, _("The report was added to the visit list."))
                return redirect("discovery:entry", entry_id=result.pk)
            messages.info(request, _("The household already has an open case: the report was put on its timeline."))
            return redirect("cases:case_detail", case_id=result.pk)
    return render(request, "discovery/referral.html", {
        "cycle": cycle, "search": search, "results": results, "form": form, "error": error,
    }, status=400 if request.method == "POST" else 200)


@_lists_page
def objection(request: HttpRequest) -> HttpResponse:
    search, results, error = _search(request)
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_record(actor=request.user, resident=_resident(request, form.cleaned_data["resident_id"]),
                                      note=form.cleaned_data["note"])
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("The objection was recorded: the household is no longer scored."))
            return redirect("discovery:objection")
    return render(request, "discovery/objection.html", {
        "search": search, "results": results, "form": form, "error": error,
    }, status=400 if request.method == "POST" else 200)


# Models ---------------------------------------------------------------------------------------------

@_lists_page
def model_list(request: HttpRequest) -> HttpResponse:
    return render(request, "discovery/models.html", {"versions": selectors.model_version_list()})


@_lists_page
def model_quality(request: HttpRequest, version: str) -> HttpResponse:
    try:
        mv = selectors.model_version_get(version=version)
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "discovery/quality.html", {"mv": mv, "report": charts.quality_view(mv.quality)})


@_lists_page
def model_quality_file(request: HttpRequest, version: str) -> HttpResponse:
    try:
        path = selectors.quality_file_path(version=version)
    except DomainError as exc:
        return error_page(request, exc)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
