"""Safety pages: the emergency worker's live board, incidents, homes and their equipment, the waiting list,
device tickets, the monthly report. Thin: a form, one service or selector, a template."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.lib.errors import DomainError
from dolbom.registry.models import Resident
from dolbom.safety import forms as f
from dolbom.safety import reports, selectors, services
from dolbom.safety.errors import SafetyErrorCode
from dolbom.safety.models import (
    Absence,
    Device,
    DeviceKind,
    DeviceTicket,
    FalseAlarmReason,
    Gateway,
    Home,
    HomeStatus,
    Incident,
    Severity,
)
from dolbom.safety.services.incidents import ACTIONS
from dolbom.web.views.common import access_context, error_page, forbidden_page, is_htmx

BOARD_POLL_SECONDS = 3
# The board is polled every few seconds; the same people on it are logged again only after this long
# (개인정보의 안전성 확보조치 기준 §8 asks who saw whose record, not a row per refresh).
BOARD_LOG_SECONDS = 600
_BOARD_LOGGED = "safety_board_logged"


def _gate(request: HttpRequest, allowed) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('web:login')}?next={request.path}")
    if not allowed(request.user):
        return forbidden_page(request)
    return None


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _fail(request: HttpRequest, exc: DomainError, back: str) -> HttpResponse:
    if exc.status_code in (403, 404):
        return error_page(request, exc)
    messages.error(request, exc.message)
    return redirect(back)


# The live board ------------------------------------------------------------------------------------

def _log_board(request: HttpRequest, board: selectors.Board) -> None:
    digest = hashlib.sha256(",".join(map(str, board.shown)).encode()).hexdigest()[:16]
    logged = request.session.get(_BOARD_LOGGED) or {}
    if logged.get("digest") != digest or time.time() - float(logged.get("at", 0)) > BOARD_LOG_SECONDS:
        selectors.board_log(viewer=request.user, context=access_context(request), shown=board.shown)
        request.session[_BOARD_LOGGED] = {"digest": digest, "at": time.time()}


def _board_context(request: HttpRequest) -> dict:
    board = selectors.board(viewer=request.user)
    _log_board(request, board)
    now = timezone.now()
    return {"board": board, "now": now, "poll": BOARD_POLL_SECONDS, "P1": Severity.P1,
            "reasons": FalseAlarmReason.choices, "can_act": selectors.can_respond(request.user),
            "severities": [(s.value, s.label, board.counts.get(s.value, 0)) for s in Severity]}


@login_required
def board(request: HttpRequest) -> HttpResponse:
    if (refused := _gate(request, selectors.can_use_safety)) is not None:
        return refused
    template = "safety/_board.html" if is_htmx(request) else "safety/board.html"
    return render(request, template, _board_context(request))


# Incidents ----------------------------------------------------------------------------------------

def _incident_context(request: HttpRequest, incident_id: int) -> dict:
    incident = selectors.incident_get(viewer=request.user, incident_id=incident_id, context=access_context(request))
    return {"incident": incident, "log": list(selectors.incident_log(incident=incident)),
            "reasons": FalseAlarmReason.choices, "resolve_form": f.ResolveForm(), "false_form": f.FalseAlarmForm(),
            "can_act": selectors.can_respond(request.user) and incident.is_open,
            "devices": list(selectors.home_active_devices(home=incident.home))}


@login_required
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    if (refused := _gate(request, selectors.can_use_safety)) is not None:
        return refused
    try:
        context = _incident_context(request, incident_id)
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "safety/incident.html", context)


@require_POST
@login_required
def incident_step(request: HttpRequest, incident_id: int, step: str) -> HttpResponse:
    back = _back(request, reverse("safety:incident", args=[incident_id]))
    incident = Incident(pk=incident_id)
    note = request.POST.get("note", "")
    try:
        if step == "acknowledge":
            services.incident_acknowledge(actor=request.user, incident=incident)
        elif step in ACTIONS:
            services.incident_respond(actor=request.user, incident=incident, action=step, note=note)
        elif step == "false_alarm":
            services.incident_false_alarm(actor=request.user, incident=incident, reason=request.POST.get("reason", ""),
                                          note=note)
        elif step == "resolve":
            services.incident_resolve(actor=request.user, incident=incident, outcome=request.POST.get("outcome", ""),
                                      note=note)
        else:
            return error_page(request, DomainError(SafetyErrorCode.ACTION_INVALID))
    except DomainError as exc:
        if is_htmx(request) and exc.status_code == 400:
            messages.error(request, exc.message)
            return render(request, "safety/_board.html", _board_context(request))
        return _fail(request, exc, back)
    if is_htmx(request):
        return render(request, "safety/_board.html", _board_context(request))
    return redirect(back)


# Homes ----------------------------------------------------------------------------------------------

@login_required
def home_list(request: HttpRequest) -> HttpResponse:
    if (refused := _gate(request, selectors.can_use_safety)) is not None:
        return refused
    status = request.GET.get("status", HomeStatus.ACTIVE)
    if status not in HomeStatus.values:
        status = HomeStatus.ACTIVE
    query = request.GET.get("q", "")[:50]
    homes = selectors.home_list(viewer=request.user, context=access_context(request), status=status, query=query)
    return render(request, "safety/homes.html", {"homes": homes, "status": status, "q": query,
                                                 "statuses": HomeStatus.choices, "now": timezone.now()})


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


def _home_context(request: HttpRequest, home: Home, **forms) -> dict:
    clock = getattr(home, "clock", None)
    settings_form = forms.get("settings_form") or f.SettingsForm(initial={
        "caution_hours": _hours(home.caution_minutes), "warning_hours": _hours(home.warning_minutes),
        "danger_hours": _hours(home.danger_minutes), "quiet_start": home.quiet_start, "quiet_end": home.quiet_end,
        "checkin_on_caution": home.checkin_on_caution})
    return {
        "home": home, "clock": clock, "devices": list(selectors.home_devices(home=home)),
        "gateways": list(home.gateways.order_by("-installed_on", "-pk")),
        "events": list(selectors.home_events(home=home)), "incidents": list(selectors.home_incidents(home=home)),
        "tickets": list(selectors.home_tickets(home=home)), "absences": list(selectors.home_absences(home=home)),
        "settings_form": settings_form, "device_form": forms.get("device_form") or f.DeviceForm(),
        "absence_form": forms.get("absence_form") or f.AbsenceForm(), "end_form": f.EndForm(),
        "can_manage": selectors.can_manage_devices(request.user) and home.status == HomeStatus.ACTIVE,
        "can_respond": selectors.can_respond(request.user) and home.status == HomeStatus.ACTIVE,
        "can_install": selectors.can_install(request.user), "now": timezone.now(),
    }


@login_required
def home_detail(request: HttpRequest, home_id: int) -> HttpResponse:
    if (refused := _gate(request, selectors.can_use_safety)) is not None:
        return refused
    try:
        home = selectors.home_get(viewer=request.user, home_id=home_id, context=access_context(request))
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "safety/home.html", _home_context(request, home))


def _minutes(value) -> int:
    return int(round(float(value) * 60))


@require_POST
@login_required
def home_step(request: HttpRequest, home_id: int, step: str) -> HttpResponse:
    """The forms of the home page: settings, a device, an absence, a new token, the end of the service."""
    back = reverse("safety:home", args=[home_id])
    home = Home(pk=home_id)
    try:
        if step == "settings":
            form = f.SettingsForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Check the levels and quiet hours."))
                return redirect(back)
            d = form.cleaned_data
            services.home_settings_update(
                actor=request.user, home=home, caution_minutes=_minutes(d["caution_hours"]),
                warning_minutes=_minutes(d["warning_hours"]), danger_minutes=_minutes(d["danger_hours"]),
                quiet_start=d["quiet_start"], quiet_end=d["quiet_end"], checkin_on_caution=d["checkin_on_caution"])
            messages.success(request, _("The home's settings are saved; the deadline was computed again."))
        elif step == "device":
            form = f.DeviceForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose the kind and enter the serial number."))
                return redirect(back)
            d = form.cleaned_data
            services.device_add(actor=request.user, home=home, spec=services.DeviceSpec(
                kind=d["kind"], serial=d["serial"], location=d["location"], component=d["component"]))
            messages.success(request, _("The device is registered."))
        elif step == "absence":
            form = f.AbsenceForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Enter when the absence starts and ends, and why."))
                return redirect(back)
            d = form.cleaned_data
            services.absence_register(actor=request.user, home=home, starts_at=d["starts_at"], ends_at=d["ends_at"],
                                      reason=d["reason"], note=d["note"])
            messages.success(request, _("The absence is registered: no inactivity alert until it ends."))
        elif step == "token":
            gateway = Gateway.objects.filter(home_id=home_id, status="active").first()
            if gateway is None:
                return error_page(request, DomainError(SafetyErrorCode.DEVICE_NOT_FOUND))
            token = services.gateway_token_rotate(actor=request.user, gateway=gateway)
            messages.warning(request, _("New device token for %(serial)s (shown once, enter it on the gateway): "
                                        "%(token)s") % {"serial": gateway.serial, "token": token})
        elif step == "gateway":
            installed = services.gateway_replace(actor=request.user, home=home, serial=request.POST.get("serial", ""))
            messages.warning(request, _("New gateway %(serial)s; its device token (shown once): %(token)s")
                             % {"serial": installed.gateway.serial, "token": installed.token})
        elif step == "end":
            form = f.EndForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose why the service ends."))
                return redirect(back)
            services.home_end(actor=request.user, home=home, reason=form.cleaned_data["reason"],
                              note=form.cleaned_data["note"])
            messages.success(request, _("The service has ended; the equipment is retired."))
        else:
            return redirect(back)
    except DomainError as exc:
        return _fail(request, exc, back)
    return redirect(back)


@require_POST
@login_required
def device_step(request: HttpRequest, device_id: int, step: str) -> HttpResponse:
    device = Device.objects.filter(pk=device_id).only("home_id").first()
    back = reverse("safety:home", args=[device.home_id]) if device else reverse("safety:homes")
    try:
        if step == "replace":
            services.device_replace(actor=request.user, device=Device(pk=device_id),
                                    serial=request.POST.get("serial", ""))
            messages.success(request, _("The device is replaced."))
        elif step == "retire":
            services.device_retire(actor=request.user, device=Device(pk=device_id), note=request.POST.get("note", ""))
            messages.success(request, _("The device is retired."))
    except DomainError as exc:
        return _fail(request, exc, back)
    return redirect(back)


@require_POST
@login_required
def absence_cancel(request: HttpRequest, absence_id: int) -> HttpResponse:
    absence = Absence.objects.filter(pk=absence_id).only("home_id").first()
    back = reverse("safety:home", args=[absence.home_id]) if absence else reverse("safety:homes")
    try:
        services.absence_cancel(actor=request.user, absence=Absence(pk=absence_id))
    except DomainError as exc:
        return _fail(request, exc, back)
    messages.success(request, _("The absence has ended: inactivity counts again from now."))
    return redirect(back)


# The waiting list and installation ------------------------------------------------------------------

@login_required
def waiting(request: HttpRequest) -> HttpResponse:
    if (refused := _gate(request, selectors.can_add_to_waitlist)) is not None:
        return refused
    rows = selectors.waiting_list(viewer=request.user, context=access_context(request))
    return render(request, "safety/waiting.html", {"rows": rows, "can_install": selectors.can_install(request.user)})


@require_POST
@login_required
def waitlist_add(request: HttpRequest, resident_id: int) -> HttpResponse:
    back = _back(request, reverse("registry:resident_detail", args=[resident_id]))
    form = f.WaitlistForm(request.POST)
    try:
        services.waitlist_add(actor=request.user, resident=Resident(pk=resident_id),
                              note=form.cleaned_data["note"] if form.is_valid() else "")
    except DomainError as exc:
        return _fail(request, exc, back)
    messages.success(request, _("Put on the waiting list of the emergency safety service."))
    return redirect(back)


@login_required
def install(request: HttpRequest, home_id: int) -> HttpResponse:
    if (refused := _gate(request, selectors.can_install)) is not None:
        return refused
    try:
        home = selectors.home_get(viewer=request.user, home_id=home_id, context=access_context(request))
    except DomainError as exc:
        return error_page(request, exc)
    form = f.InstallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        specs = [services.DeviceSpec(kind=kind, serial=d[name], location=location, component=str(i))
                 for i, (name, kind, location) in enumerate(f.InstallForm.DEVICE_FIELDS, 1) if d[name].strip()]
        try:
            installed = services.home_install(actor=request.user, home=home, centre=d["centre"], worker=d["worker"],
                                              gateway_serial=d["gateway_serial"], devices=specs,
                                              installed_on=d["installed_on"], gateway_model=d["gateway_model"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.warning(request, _("Installed. The gateway's device token (shown once, enter it on the "
                                        "gateway): %(token)s") % {"token": installed.token})
            return redirect("safety:home", home_id=home.pk)
    return render(request, "safety/install.html", {"home": home, "form": form, "kinds": DeviceKind},
                  status=400 if request.method == "POST" else 200)


# Device tickets ---------------------------------------------------------------------------------------

@login_required
def tickets(request: HttpRequest) -> HttpResponse:
    if (refused := _gate(request, selectors.can_use_safety)) is not None:
        return refused
    open_only = request.GET.get("all") != "1"
    rows = selectors.ticket_list(viewer=request.user, context=access_context(request), open_only=open_only)
    return render(request, "safety/tickets.html", {"tickets": rows, "open_only": open_only,
                                                   "can_manage": selectors.can_manage_devices(request.user)})


@require_POST
@login_required
def ticket_resolve(request: HttpRequest, ticket_id: int) -> HttpResponse:
    back = _back(request, reverse("safety:tickets"))
    try:
        services.ticket_resolve(actor=request.user, ticket=DeviceTicket(pk=ticket_id), note=request.POST.get("note", ""))
    except DomainError as exc:
        return _fail(request, exc, back)
    messages.success(request, _("The device ticket is resolved."))
    return redirect(back)


# The monthly report -----------------------------------------------------------------------------------

@login_required
def report(request: HttpRequest) -> HttpResponse:
    if (refused := _gate(request, selectors.can_use_safety)) is not None:
        return refused
    form = f.MonthForm(request.GET or None)
    month = form.month_start()
    data = reports.monthly(viewer=request.user, month=month)
    return render(request, "safety/report.html", {
        "form": form, "month": month, "report": data,
        "rejects": selectors.rejects_by_code(since=timezone.now() - dt.timedelta(days=30)),
    })


@login_required
def safety_settings(request: HttpRequest) -> HttpResponse:
    """The city team's figures: the escalation clock and the supervision of the equipment."""
    from dolbom.safety.models import SafetySettings

    if (refused := _gate(request, selectors.can_install)) is not None:
        return refused
    current = SafetySettings.current()
    form = f.SafetySettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.safety_settings_update(actor=request.user, **{k: form.cleaned_data[k] for k in form.Meta.fields})
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The figures are saved."))
            return redirect("safety:settings")
    return render(request, "safety/settings.html", {"form": form}, status=400 if form.errors else 200)


# Panels on pages of lower apps -----------------------------------------------------------------------

def resident_panel(request: HttpRequest, resident: Resident, bound: dict) -> dict:
    """The resident page's box: in the service, waiting, or a button to apply. The page logged the read."""
    home = selectors.home_for_resident(viewer=request.user, resident_id=resident.pk)
    return {"resident": resident, "home": home,
            "open_incidents": list(home.incidents.filter(resolved_at__isnull=True)) if home else [],
            "can_apply": home is None and selectors.can_add_to_waitlist(request.user), "form": f.WaitlistForm()}


def case_panel(request: HttpRequest, case) -> dict:
    home = selectors.home_status_for_resident(viewer=request.user, resident_id=case.resident_id)
    return {"home": home,
            "incidents": list(home.incidents.order_by("-opened_at")[:5]) if home else []}


def dashboard_panel(request: HttpRequest) -> dict:
    counts = selectors.board_counts(viewer=request.user)
    return {"counts": [(s.value, s.label, counts.open.get(s.value, 0)) for s in Severity],
            "tickets": counts.tickets}
