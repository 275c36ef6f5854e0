"""Check-in pages: alerts queue, enrolments, the chat page that plays a call, call-backs, purpose calls,
the dashboard. Thin: a form, one service or selector, a template."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.accounts.models import Role
from dolbom.accounts.scope import can_write_cases, role_of
from dolbom.areas.selectors import dong_list_valid_on
from dolbom.checkins import forms as f
from dolbom.checkins import selectors, services
from dolbom.checkins.channels import TextChannel
from dolbom.checkins.errors import CheckinErrorCode
from dolbom.checkins.models import (
    Alert,
    AlertStatus,
    Call,
    CallbackTask,
    CallStatus,
    Channel,
    CheckinSettings,
    Enrolment,
    Severity,
)
from dolbom.checkins.services.calls import client_address
from dolbom.lib.errors import DomainError
from dolbom.registry.errors import RegistryErrorCode
from dolbom.web.forms import PurposeForm
from dolbom.web.paging import paging_query
from dolbom.web.views.common import (
    access_context,
    error_page,
    forbidden_page,
    is_htmx,
    personal_data_page,
    purpose_remember,
)


def _context(request: HttpRequest, record_type: str, record_id: int):
    """The access context with the purpose stated for the record's case (shared with the case page)."""
    case_id = selectors.case_id_of(record_type=record_type, record_id=record_id)
    return access_context(request, f"case:{case_id}" if case_id else "")


def _purpose_page(request: HttpRequest, exc: DomainError, record_type: str, record_id: int) -> HttpResponse:
    case_id = selectors.case_id_of(record_type=record_type, record_id=record_id)
    action = reverse("checkins:purpose", args=[case_id]) + f"?next={request.path}"
    return render(request, "web/purpose.html", {"message": exc.message, "form": PurposeForm(), "action": action},
                  status=403)


def _read_failed(request: HttpRequest, exc: DomainError, record_type: str, record_id: int) -> HttpResponse:
    if exc.code == RegistryErrorCode.PURPOSE_REQUIRED:
        return _purpose_page(request, exc, record_type, record_id)
    return error_page(request, exc)


@require_POST
@login_required
def purpose(request: HttpRequest, case_id: int) -> HttpResponse:
    form = PurposeForm(request.POST)
    target = request.GET.get("next", "")
    if not target.startswith("/checkins/"):
        target = reverse("checkins:alerts")
    if not form.is_valid():
        return redirect(target)
    purpose_remember(request, f"case:{case_id}", form.cleaned_data["purpose"])
    return redirect(target)


def _fail(request: HttpRequest, exc: DomainError, back: str) -> HttpResponse:
    if exc.status_code in (403, 404):
        return error_page(request, exc)
    messages.error(request, exc.message)
    return redirect(back)


# Alerts ---------------------------------------------------------------------------------------

@personal_data_page
def alert_queue(request: HttpRequest) -> HttpResponse:
    form = f.AlertFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.AlertFilters(status=data.get("status", "active") if request.GET else "active",
                                     severity=data.get("severity", ""), mine=data.get("mine", False),
                                     escalated=data.get("escalated", False))
    alerts = selectors.alert_list(viewer=request.user, context=access_context(request), filters=filters)
    return render(request, "checkins/alerts.html", {
        "form": form, "alerts": alerts, "counts": selectors.alert_counts(viewer=request.user),
        "can_write": can_write_cases(request.user),
    })


@require_POST
@login_required
def alert_step(request: HttpRequest, alert_id: int, step: str) -> HttpResponse:
    back = request.POST.get("next") or reverse("checkins:alerts")
    form = f.NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    alert = Alert(pk=alert_id)
    try:
        if step == "acknowledge":
            services.alert_acknowledge(actor=request.user, alert=alert)
        elif step == "act":
            services.alert_act(actor=request.user, alert=alert, note=note)
        elif step == "close":
            services.alert_close(actor=request.user, alert=alert, note=note)
        else:
            return forbidden_page(request)
    except DomainError as exc:
        return _fail(request, exc, back)
    messages.success(request, _("The alert was updated."))
    return redirect(back)


PAGE_SIZE = 50  # enrolments a list page shows, with the total beside them


# Enrolments -----------------------------------------------------------------------------------

@personal_data_page
def enrolment_list(request: HttpRequest) -> HttpResponse:
    context = access_context(request)
    form = None
    if can_write_cases(request.user):
        cases = selectors.enrollable_cases(viewer=request.user, context=context)
        choices = [(c.pk, f"{c.resident.name} ({c.number})") for c in cases]
        form = f.EnrolForm(request.POST or None, cases=choices)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            case = next(c for c in cases if c.pk == d["case"])
            try:
                enrolment = services.enrolment_create(
                    actor=request.user, case=case,
                    schedule=services.Schedule(frequency=d["frequency"], weekday=d["weekday"],
                                               second_weekday=d["second_weekday"], window_start=d["window_start"],
                                               window_end=d["window_end"]),
                    preferences=services.Preferences(preferred_name=d["preferred_name"], honorific=d["honorific"],
                                                     topics=d["topics"], opted_out=d["opted_out"], note=d["note"]),
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Enrolled in check-in calls."))
                return redirect("checkins:enrolment", enrolment.pk)
    status = request.GET.get("status", "")
    rows = selectors.enrolment_page(viewer=request.user, context=context, status=status,
                                    page=request.GET.get("page"), per_page=PAGE_SIZE)
    return render(request, "checkins/enrolments.html", {"form": form, "rows": rows, "page": rows,
                                                        "query": paging_query(request), "status": status})


@login_required
def enrolment_detail(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    try:
        enrolment = selectors.enrolment_get(viewer=request.user, enrolment_id=enrolment_id,
                                            context=_context(request, "enrolment", enrolment_id))
    except DomainError as exc:
        return _read_failed(request, exc, "enrolment", enrolment_id)
    return render(request, "checkins/enrolment.html", {
        "e": enrolment, "memory": selectors.memory_for(enrolment=enrolment),
        "calls": selectors.enrolment_calls(enrolment=enrolment), "can_write": can_write_cases(request.user),
        "days": dict(f.WEEKDAYS),
    })


@require_POST
@login_required
def enrolment_status(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    back = reverse("checkins:enrolment", args=[enrolment_id])
    form = f.StatusForm(request.POST)
    if not form.is_valid():
        return redirect(back)
    try:
        services.enrolment_set_status(actor=request.user, enrolment=Enrolment(pk=enrolment_id),
                                      status=form.cleaned_data["status"], note=form.cleaned_data["note"])
    except DomainError as exc:
        return _fail(request, exc, back)
    return redirect(back)


@require_POST
@login_required
def memory_correct(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    back = reverse("checkins:enrolment", args=[enrolment_id])
    form = f.MemoryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write why you correct what the caller remembers."))
        return redirect(back)
    d = form.cleaned_data
    try:
        services.memory_correct(actor=request.user, enrolment=Enrolment(pk=enrolment_id), slot=d["slot"],
                                value=d["value"], ask_next=d["ask_next"], reason=d["reason"])
    except DomainError as exc:
        return _fail(request, exc, back)
    messages.success(request, _("Memory corrected."))
    return redirect(back)


@require_POST
@login_required
def call_now(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    try:
        call = services.call_now(actor=request.user, enrolment=Enrolment(pk=enrolment_id))
    except DomainError as exc:
        return _fail(request, exc, reverse("checkins:enrolment", args=[enrolment_id]))
    return redirect("checkins:call", call.pk)


# The chat page --------------------------------------------------------------------------------

def _page_path(request: HttpRequest) -> str:
    """The path of the page an htmx request came from (its HX-Current-URL)."""
    return urlsplit(request.headers.get("HX-Current-URL", "")).path


def _call_page(request: HttpRequest, call_id: int, partial: bool = False) -> HttpResponse:
    # The transcript re-drawn after each line belongs to the chat page already opened (and logged) by
    # this person: one access-log row per page view, not one per line (audit/logged.py PAGE_VIEW_WINDOW).
    page = _page_path(request) if partial else ""
    try:
        call = selectors.call_get(viewer=request.user, call_id=call_id, context=_context(request, "call", call_id),
                                  seen_on_page=page if page == reverse("checkins:call", args=[call_id]) else "")
    except DomainError as exc:
        return _read_failed(request, exc, "call", call_id)
    ctx = {"call": call, "turns": selectors.call_turns(call=call), "say": f.SayForm(),
           "can_write": can_write_cases(request.user), "alerts": list(call.alerts.all()),
           "address": client_address(call.enrolment)}
    return render(request, "checkins/_chat.html" if partial else "checkins/call.html", ctx)


@login_required
def call_page(request: HttpRequest, call_id: int) -> HttpResponse:
    return _call_page(request, call_id)


@require_POST
@login_required
def call_step(request: HttpRequest, call_id: int, step: str) -> HttpResponse:
    call = Call(pk=call_id)
    channel = TextChannel(Channel.WEB_CHAT)
    try:
        if step == "start":
            services.call_start(actor=request.user, call=call, channel=channel)
        elif step == "say":
            form = f.SayForm(request.POST)
            text = form.cleaned_data["text"] if form.is_valid() else ""
            services.call_reply(actor=request.user, call=call, text=text, channel=channel)
        elif step == "no-answer":
            services.call_no_answer(actor=request.user, call=call)
        elif step == "hang-up":
            services.call_hang_up(actor=request.user, call=call)
        else:
            return forbidden_page(request)
    except DomainError as exc:
        if is_htmx(request):
            return HttpResponse(f'<p class="alert alert-error">{exc.message}</p>', status=200)
        return _fail(request, exc, reverse("checkins:call", args=[call_id]))
    if is_htmx(request):
        return _call_page(request, call_id, partial=True)
    return redirect("checkins:call", call_id)


# Call-backs, purpose calls, dashboard -----------------------------------------------------------

@personal_data_page
def callbacks(request: HttpRequest) -> HttpResponse:
    tasks = selectors.callback_list(viewer=request.user, context=access_context(request))
    return render(request, "checkins/callbacks.html", {"tasks": tasks, "form": f.CallbackForm(),
                                                       "can_write": can_write_cases(request.user)})


@require_POST
@login_required
def callback_record(request: HttpRequest, task_id: int) -> HttpResponse:
    back = reverse("checkins:callbacks")
    form = f.CallbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a note."))
        return redirect(back)
    try:
        services.callback_record(actor=request.user, task=CallbackTask(pk=task_id),
                                 reached=form.cleaned_data["reached"], note=form.cleaned_data["note"])
    except DomainError as exc:
        return _fail(request, exc, back)
    messages.success(request, _("Call-back recorded."))
    return redirect(back)


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) != Role.CITY_TEAM:
        return forbidden_page(request)
    dongs = dong_list_valid_on(timezone.localdate())
    form = f.CampaignForm(request.POST or None, dongs=[(d.pk, d.name) for d in dongs])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        dong = next((x for x in dongs if x.pk == d["dong"]), None)
        try:
            campaign = services.campaign_create(actor=request.user, kind=d["kind"], title=d["title"],
                                                message=d["message"], dong=dong)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Purpose call created: %(n)s calls are due now.") % {
                "n": campaign.calls.count()})
            return redirect("checkins:campaigns")
    current = CheckinSettings.current()
    settings_form = f.SettingsForm(initial={k: getattr(current, k) for k in f.SettingsForm.base_fields})
    return render(request, "checkins/campaigns.html", {
        "form": form, "campaigns": selectors.campaign_list(viewer=request.user), "settings_form": settings_form})


@require_POST
@login_required
def settings_update(request: HttpRequest) -> HttpResponse:
    form = f.SettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(CheckinErrorCode.messages()[CheckinErrorCode.SETTINGS_OUT_OF_RANGE]))
        return redirect("checkins:campaigns")
    try:
        services.checkin_settings_update(actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        return _fail(request, exc, reverse("checkins:campaigns"))
    messages.success(request, _("Settings saved."))
    return redirect("checkins:campaigns")


@personal_data_page
def dashboard(request: HttpRequest) -> HttpResponse:
    rows = selectors.dashboard_by_dong(viewer=request.user)
    return render(request, "checkins/dashboard.html", {"rows": rows, "days": 30,
                                                       "statuses": CallStatus})


# The start page and the bell (web/dashboard.py, web/notifications.py) -----------------------------------

def dashboard_alerts(request: HttpRequest) -> dict:
    """Open check-in alerts in the viewer's scope, worst first: what the case manager looks at first."""
    alerts = selectors.alert_list_brief(viewer=request.user, context=access_context(request), limit=5)
    return {"alerts": alerts, "counts": selectors.alert_counts(viewer=request.user)}


def high_alerts_count(user) -> int:
    """The bell's alarm: high alerts nobody has acknowledged yet, in the user's scope."""
    return selectors.alert_visible(user).filter(status=AlertStatus.OPEN, severity=Severity.HIGH).count()
