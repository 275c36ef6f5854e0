"""Facility pages: the list with what is due, one facility over time, registering and editing a kitchen."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.areas.selectors import dong_list_valid_on
from dolbom.inspections import exports, reports, selectors, services
from dolbom.inspections.errors import InspectionErrorCode
from dolbom.inspections.events import event_label
from dolbom.inspections.forms import CoachingForm, ExportForm, FacilityForm, RiskForm
from dolbom.inspections.models import RiskLevel
from dolbom.inspections.views.common import inspections_page, lead_page
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError
from dolbom.web.views.common import access_context, error_page


@inspections_page
def facility_list(request: HttpRequest) -> HttpResponse:
    try:
        dong_id = int(request.GET.get("dong") or 0) or None
    except ValueError:
        dong_id = None
    risk = request.GET.get("risk", "")
    rows = selectors.facility_list(viewer=request.user, dong_id=dong_id, risk=risk if risk in RiskLevel.values else "",
                                   query=request.GET.get("q", ""))
    if request.GET.get("due") == "1":
        rows = [r for r in rows if r.overdue]
    return render(request, "inspections/facility_list.html", {
        "rows": rows, "dongs": dong_list_valid_on(timezone.localdate()), "risks": RiskLevel.choices,
        "selected": {"dong": dong_id, "risk": risk, "q": request.GET.get("q", ""), "due": request.GET.get("due")},
        "is_lead": selectors.is_lead(request.user),
    })


def _detail_context(request: HttpRequest, facility) -> dict:
    report = reports.facility_report(facility=facility)
    return {
        "facility": facility, "report": report, "history": selectors.facility_history(facility=facility),
        "baselines": selectors.facility_baselines(facility=facility),
        "coaching": selectors.facility_coaching(facility=facility),
        "events": [(e, event_label(e.type)) for e in selectors.facility_events(facility=facility)],
        "next_due": selectors.facility_next_due(facility),
        "export_form": ExportForm(), "coaching_form": CoachingForm(),
        "risk_form": RiskForm(initial={"risk_level": facility.risk_level}),
        "is_lead": selectors.is_lead(request.user),
        "can_coach": selectors.is_inspector(request.user) or selectors.is_lead(request.user),
    }


@inspections_page
def facility_detail(request: HttpRequest, facility_id: int) -> HttpResponse:
    try:
        facility = selectors.facility_get(viewer=request.user, facility_id=facility_id,
                                          context=access_context(request))
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "inspections/facility_detail.html", _detail_context(request, facility))


@lead_page
def facility_new(request: HttpRequest) -> HttpResponse:
    form = FacilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            facility = services.facility_create(actor=request.user, fields=form.fields_value())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("inspections:facility_detail", facility_id=facility.pk)
    return render(request, "inspections/facility_form.html", {"form": form, "facility": None},
                  status=400 if request.method == "POST" else 200)


@lead_page
def facility_edit(request: HttpRequest, facility_id: int) -> HttpResponse:
    try:
        facility = selectors.facility_get(viewer=request.user, facility_id=facility_id,
                                          context=access_context(request))
    except DomainError as exc:
        return error_page(request, exc)
    initial = {k: getattr(facility, k) for k in ("code", "name", "kind", "operator", "road_address", "lon", "lat",
                                                 "diners_per_day", "group_meal_service", "has_dietitian",
                                                 "contact_name", "contact_phone", "programmes", "risk_level", "note")}
    form = FacilityForm(request.POST or None, initial={**initial, "area": facility.area_id})
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.facility_update(actor=request.user, facility=facility, fields=form.fields_value())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("inspections:facility_detail", facility_id=facility.pk)
    return render(request, "inspections/facility_form.html", {"form": form, "facility": facility},
                  status=400 if request.method == "POST" else 200)


@lead_page
@require_POST
def facility_risk(request: HttpRequest, facility_id: int) -> HttpResponse:
    form = RiskForm(request.POST)
    try:
        facility = selectors.facility_get(viewer=request.user, facility_id=facility_id,
                                          context=access_context(request))
        if not form.is_valid():
            messages.error(request, _("Choose a risk level and state the reason."))
        else:
            services.facility_risk_set(actor=request.user, facility=facility,
                                       risk_level=form.cleaned_data["risk_level"], reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return error_page(request, exc)
    return redirect("inspections:facility_detail", facility_id=facility_id)


@inspections_page
@require_POST
def coaching_new(request: HttpRequest, facility_id: int) -> HttpResponse:
    form = CoachingForm(request.POST)
    try:
        facility = selectors.facility_get(viewer=request.user, facility_id=facility_id,
                                          context=access_context(request))
        if not form.is_valid():
            messages.error(request, _("Check the coaching record's fields."))
        else:
            d = form.cleaned_data
            services.coaching_record(actor=request.user, inspection=None, facility_id=facility.pk,
                                     given_on=d["given_on"], topics=list(d["topics"]), materials=list(d["materials"]),
                                     attendees=d["attendees"], note=d["note"])
            messages.success(request, _("Coaching recorded."))
    except DomainError as exc:
        return error_page(request, exc)
    return redirect(reverse("inspections:facility_detail", args=[facility_id]) + "#coaching")


def file_response(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    response["Cache-Control"] = "no-store"
    return response


@inspections_page
@require_POST
def facility_export(request: HttpRequest, facility_id: int) -> HttpResponse:
    form = ExportForm(request.POST)
    try:
        facility = selectors.facility_get(viewer=request.user, facility_id=facility_id,
                                          context=access_context(request))
        if not form.is_valid():
            raise DomainError(InspectionErrorCode.EXPORT_REASON_REQUIRED)
        context = AccessContext.from_request(request, purpose=form.cleaned_data["reason"])
        reports.export_logged(viewer=request.user, context=context, record_type="facility_report",
                              record_id=facility.pk)
    except DomainError as exc:
        return error_page(request, exc)
    report = reports.facility_report(facility=facility)
    name = f"facility-{facility.code}"
    if form.cleaned_data["format"] == "xlsx":
        return file_response(exports.facility_xlsx(report), exports.XLSX_TYPE, f"{name}.xlsx")
    data = exports.pdf("inspections/pdf/facility.html", {"report": report, "facility": facility,
                                                         "history": selectors.facility_history(facility=facility)})
    return file_response(data, exports.PDF_TYPE, f"{name}.pdf")

