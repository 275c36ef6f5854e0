"""Rounds and their report, the route plan for facility visits, the checklist and the centre's settings."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.inspections import exports, reports, selectors, services
from dolbom.inspections.errors import InspectionErrorCode
from dolbom.inspections.forms import (
    ContactForm,
    ExportForm,
    InstrumentForm,
    PlanForm,
    SummerRoundForm,
    ThresholdForm,
)
from dolbom.inspections.models import Instrument, Surface
from dolbom.inspections.services.visits import facility_visits_plan
from dolbom.inspections.views.common import inspections_page, lead_page
from dolbom.inspections.views.facilities import file_response
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError
from dolbom.visits.services import REASON_LABELS
from dolbom.web.views.common import error_page


@inspections_page
def round_list(request: HttpRequest) -> HttpResponse:
    form = SummerRoundForm(request.POST or None)
    if request.method == "POST":
        if not selectors.is_lead(request.user):
            return error_page(request, DomainError(InspectionErrorCode.NOT_ALLOWED))
        if form.is_valid():
            try:
                rnd = services.summer_round_create(actor=request.user, year=form.cleaned_data["year"])
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("inspections:round_report", round_id=rnd.pk)
    return render(request, "inspections/round_list.html", {
        "rounds": selectors.round_list(), "form": form, "is_lead": selectors.is_lead(request.user)})


@inspections_page
def round_report(request: HttpRequest, round_id: int) -> HttpResponse:
    try:
        rnd = selectors.round_get(round_id=round_id)
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "inspections/round_report.html", {
        "report": reports.round_report(viewer=request.user, rnd=rnd), "export_form": ExportForm()})


@inspections_page
@require_POST
def round_export(request: HttpRequest, round_id: int) -> HttpResponse:
    form = ExportForm(request.POST)
    try:
        rnd = selectors.round_get(round_id=round_id)
        if not form.is_valid():
            raise DomainError(InspectionErrorCode.EXPORT_REASON_REQUIRED)
        reports.export_logged(viewer=request.user, record_type="inspection_round", record_id=rnd.pk,
                              context=AccessContext.from_request(request, purpose=form.cleaned_data["reason"]))
    except DomainError as exc:
        return error_page(request, exc)
    report = reports.round_report(viewer=request.user, rnd=rnd)
    name = f"inspection-round-{rnd.pk}"
    if form.cleaned_data["format"] == "xlsx":
        return file_response(exports.round_xlsx(report), exports.XLSX_TYPE, f"{name}.xlsx")
    return file_response(exports.pdf("inspections/pdf/round.html", {"report": report}), exports.PDF_TYPE,
                         f"{name}.pdf")


def _plan_routes(plan, visits_by_id: dict, inspectors: dict) -> list[dict]:
    out = []
    for route in plan.routes if plan else []:
        stops = [visits_by_id[v] for v in route["visit_ids"] if v in visits_by_id]
        out.append({"inspector": inspectors.get(route["inspector"]), "depart": route["depart"],
                    "back": route["back"], "travel_minutes": route.get("travel_seconds", 0) // 60, "stops": stops})
    return out


@lead_page
def visit_plan(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None, initial={"date": timezone.localdate()})
    date = timezone.localdate()
    if request.method == "POST" and form.is_valid():
        date = form.cleaned_data["date"]
        try:
            facility_visits_plan(actor=request.user, date=date, time_limit=form.cleaned_data["time_limit"])
        except DomainError as exc:
            return error_page(request, exc)
        return redirect(f"{request.path}?date={date.isoformat()}")
    try:
        date = dt.date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else date
    except ValueError:
        pass
    plan = selectors.facility_day_plan_latest(date=date)
    open_visits = list(selectors.facility_visits_open(viewer=request.user, until=date + dt.timedelta(days=14)))
    by_id = {v.pk: v for v in open_visits}
    inspectors = {i.user_id: i for i in selectors.inspector_list()}
    left_out = [(by_id[int(k)], REASON_LABELS.get(why, why)) for k, why in (plan.unassigned.items() if plan else [])
                if int(k) in by_id]
    return render(request, "inspections/visit_plan.html", {
        "form": PlanForm(initial={"date": date, "time_limit": 5}), "date": date, "plan": plan,
        "routes": _plan_routes(plan, by_id, inspectors), "left_out": left_out, "open_visits": open_visits,
        "inspectors": list(inspectors.values()),
    })


@inspections_page
def checklist(request: HttpRequest) -> HttpResponse:
    return render(request, "inspections/checklist.html", {
        "templates": selectors.template_list(), "instruments": selectors.instrument_list(active_only=False),
        "surfaces": dict(Surface.choices)})


@lead_page
def settings_page(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("form", "")
    threshold_form = ThresholdForm(request.POST if kind == "threshold" else None)
    instrument_form = InstrumentForm(request.POST if kind == "instrument" else None)
    contact_form = ContactForm(request.POST if kind == "contact" else None)
    if request.method == "POST":
        try:
            if kind == "threshold" and threshold_form.is_valid():
                d = threshold_form.cleaned_data
                instrument = Instrument.objects.filter(pk=d["instrument"]).first()
                if instrument is None:
                    raise DomainError(InspectionErrorCode.INSTRUMENT_UNKNOWN)
                services.threshold_set(actor=request.user, instrument=instrument, surface=d["surface"] or "",
                                       pass_max=d["pass_max"], caution_max=d["caution_max"], source=d["source"])
            elif kind == "instrument" and instrument_form.is_valid():
                services.instrument_create(actor=request.user, **instrument_form.cleaned_data)
            elif kind == "contact" and contact_form.is_valid():
                services.sanitation_contact_set(actor=request.user, **contact_form.cleaned_data)
            else:
                raise DomainError(InspectionErrorCode.THRESHOLD_INVALID)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("inspections:settings")
    return render(request, "inspections/settings.html", {
        "instruments": selectors.instrument_list(active_only=False), "surfaces": dict(Surface.choices),
        "contacts": selectors.sanitation_contacts(), "inspectors": selectors.inspector_list(),
        "threshold_form": threshold_form, "instrument_form": instrument_form, "contact_form": contact_form,
    })
