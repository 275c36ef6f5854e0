"""Inspection pages at the office: what the tablets synced, one inspection, closing it, its follow-up."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.inspections import selectors, services
from dolbom.inspections.forms import ActionForm, EscalationForm, ProofForm
from dolbom.inspections.models import ActionStatus, AtpResult, InspectionStatus
from dolbom.inspections.services.followup import violations_of
from dolbom.inspections.views.common import inspections_page
from dolbom.lib.errors import DomainError
from dolbom.web.views.common import access_context, error_page


@inspections_page
def inspection_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = selectors.inspection_list(viewer=request.user,
                                     status=status if status in InspectionStatus.values else "")
    return render(request, "inspections/inspection_list.html", {
        "rows": rows, "statuses": [s for s in InspectionStatus.choices if s[0] != InspectionStatus.PLANNED],
        "status": status, "today": timezone.localdate(),
    })


@inspections_page
def inspection_detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    try:
        inspection = selectors.inspection_get(viewer=request.user, inspection_id=inspection_id,
                                              context=access_context(request))
    except DomainError as exc:
        return error_page(request, exc)
    answers = {a.item_id: a for a in selectors.inspection_answers(inspection=inspection)}
    photos = list(inspection.photos.only("client_id", "item_id", "action_id"))
    items = [(item, answers.get(item.pk), [p for p in photos if p.item_id == item.pk])
             for item in inspection.template.items.all()]
    readings = selectors.inspection_readings(inspection=inspection)
    retested = {r.retest_of_id for r in readings if r.retest_of_id}
    lead = selectors.is_lead(request.user)
    return render(request, "inspections/inspection_detail.html", {
        "inspection": inspection, "items": items, "readings": readings, "retested": retested,
        "actions": list(inspection.actions.select_related("item").prefetch_related("photos")),
        "coaching": list(inspection.coaching.all()), "escalations": list(inspection.escalations.select_related("contact")),
        "violations": violations_of(inspection), "is_lead": lead,
        "can_close": inspection.status in (InspectionStatus.SUBMITTED, InspectionStatus.IN_PROGRESS)
        and (lead or inspection.inspector_id == request.user.pk),
        "action_form": ActionForm(items=inspection.template.items.all()), "escalation_form": EscalationForm(),
        "Fail": AtpResult.FAIL, "today": timezone.localdate(),
    })


@inspections_page
@require_POST
def inspection_close(request: HttpRequest, inspection_id: int) -> HttpResponse:
    try:
        inspection = selectors.inspection_get(viewer=request.user, inspection_id=inspection_id,
                                              context=access_context(request))
        services.inspection_close(actor=request.user, inspection=inspection)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The inspection is closed."))
    return redirect("inspections:inspection_detail", inspection_id=inspection_id)


@inspections_page
@require_POST
def escalation_new(request: HttpRequest, inspection_id: int) -> HttpResponse:
    form = EscalationForm(request.POST)
    form.is_valid()
    try:
        inspection = selectors.inspection_get(viewer=request.user, inspection_id=inspection_id,
                                              context=access_context(request))
        services.escalation_create(actor=request.user, inspection=inspection,
                                   note=form.cleaned_data.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Referred to the sanitation department."))
    return redirect("inspections:inspection_detail", inspection_id=inspection_id)


@inspections_page
@require_POST
def action_new(request: HttpRequest, inspection_id: int) -> HttpResponse:
    try:
        inspection = selectors.inspection_get(viewer=request.user, inspection_id=inspection_id,
                                              context=access_context(request))
        items = list(inspection.template.items.all())
        form = ActionForm(request.POST, items=items)
        if not form.is_valid():
            messages.error(request, _("Check the corrective action's fields."))
        else:
            d = form.cleaned_data
            item = next((i for i in items if i.code == d["item"]), None)
            services.action_create(actor=request.user, inspection=inspection, description=d["description"],
                                   owner=d["owner"], due_on=d["due_on"], item=item)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("inspections:inspection_detail", inspection_id=inspection_id)


@inspections_page
def action_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ActionStatus.OPEN)
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.action_list(viewer=request.user, status=status if status in ActionStatus.values else "",
                                 overdue_only=overdue)
    return render(request, "inspections/action_list.html", {
        "rows": rows, "status": status, "overdue": overdue, "statuses": ActionStatus.choices,
        "today": timezone.localdate(),
    })


@inspections_page
def action_detail(request: HttpRequest, action_id: int) -> HttpResponse:
    try:
        action = selectors.action_get(viewer=request.user, action_id=action_id, context=access_context(request))
    except DomainError as exc:
        return error_page(request, exc)
    form = ProofForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                photo = form.cleaned_data.get("photo")
                if photo is not None:
                    services.photo_upload(actor=request.user, client_id=uuid.uuid4(),
                                          inspection_client_id=action.inspection.client_id, data=photo.read(),
                                          action_client_id=action.client_id)
                services.action_done(actor=request.user, action=action, proof_note=form.cleaned_data["proof_note"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The proof is recorded."))
                return redirect("inspections:action_detail", action_id=action.pk)
    return render(request, "inspections/action_detail.html", {
        "action": action, "form": form, "photos": list(action.photos.only("client_id")),
        "can_record": selectors.is_inspector(request.user) or selectors.is_lead(request.user),
        "today": timezone.localdate(),
    }, status=400 if request.method == "POST" else 200)


@inspections_page
@require_POST
def action_verify(request: HttpRequest, action_id: int) -> HttpResponse:
    try:
        action = selectors.action_get(viewer=request.user, action_id=action_id, context=access_context(request))
        services.action_verify(actor=request.user, action=action)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("inspections:action_detail", action_id=action_id)


@inspections_page
def photo(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    try:
        found = selectors.photo_get(viewer=request.user, client_id=str(client_id))
    except DomainError as exc:
        return error_page(request, exc)
    # No cache header of its own: the shell's no-store applies (a kitchen photo may show the staff).
    return HttpResponse(bytes(found.data), content_type=found.content_type)


@inspections_page
def escalation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "inspections/escalation_list.html",
                  {"rows": selectors.escalation_list(viewer=request.user), "is_lead": selectors.is_lead(request.user)})
