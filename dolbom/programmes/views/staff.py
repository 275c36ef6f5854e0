"""Staff pages: programmes and their sessions, the list and the door, consultations, referrals to the dong.

Thin: a form checks the shape, one selector or service call, render. Lists of people go through the
selectors, which log them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.lib.errors import DomainError
from dolbom.programmes import selectors, services
from dolbom.programmes.errors import ProgrammeErrorCode
from dolbom.programmes.forms import (
    AdviserForm,
    CapacityForm,
    CheckinSearchForm,
    MoveForm,
    OutcomeForm,
    ProgrammeEditForm,
    ProgrammeForm,
    ScheduleForm,
    SlotForm,
    StaffBookingForm,
    StaffSignupForm,
)
from dolbom.programmes.models import Adviser, BookingStatus, ReferralStatus, Session, SignupStatus
from dolbom.registry.models import Resident
from dolbom.web.views.common import access_context, error_page, forbidden_page, personal_data_page


def _staff(request: HttpRequest) -> HttpResponse | None:
    return None if selectors.can_see_programmes(request.user) else forbidden_page(request)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    return redirect(request.POST.get("next") or default)


def _done(request: HttpRequest, call: Any, success: str, default: str) -> HttpResponse:
    """Run one service call from a POST; the message, then back to the page it came from."""
    try:
        call()
    except DomainError as exc:
        if exc.status_code in (403, 404):
            return error_page(request, exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return _back(request, default)


# Programmes -----------------------------------------------------------------------------------

@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    if (refused := _staff(request)) is not None:
        return refused
    managed = set(selectors.managed_programmes(request.user).values_list("pk", flat=True))
    return render(request, "programmes/list.html", {
        "programmes": selectors.programme_list(), "managed": managed,
        "can_define": selectors.can_define_programmes(request.user),
        "advisers": selectors.adviser_list(),
        "sessions": selectors.open_sessions_for_staff().filter(programme_id__in=managed)[:12],
        "referrals_waiting": selectors.referrals_waiting_count(request.user),
    })


def _programme_data(data: dict[str, Any]) -> services.ProgrammeData:
    return services.ProgrammeData(**{k: v for k, v in data.items()})


@login_required
def programme_new(request: HttpRequest) -> HttpResponse:
    if not selectors.can_define_programmes(request.user):
        return forbidden_page(request)
    form = ProgrammeForm(request.POST or None, initial={"dong": request.user.staff.dong_id})
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            data["managers"] = list(data["managers"])
            programme = services.programme_create(actor=request.user, data=_programme_data(data))
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("The programme and %(n)s sessions are scheduled.")
                             % {"n": programme.sessions.count()})
            return redirect("programmes:programme", programme.pk)
    return render(request, "programmes/new.html", {"form": form, "error": error},
                  status=400 if request.method == "POST" else 200)


@login_required
def programme_page(request: HttpRequest, programme_id: int) -> HttpResponse:
    if (refused := _staff(request)) is not None:
        return refused
    try:
        programme = selectors.programme_get(programme_id)
    except DomainError as exc:
        return error_page(request, exc)
    sessions = list(selectors.sessions_with_counts(programme.sessions.all()).order_by("starts_at"))
    return render(request, "programmes/programme.html", {
        "programme": programme, "sessions": sessions, "can_manage": selectors.can_manage(request.user, programme),
        "managers": programme.managers.select_related("staff"), "now": timezone.now(),
    })


@login_required
def programme_edit(request: HttpRequest, programme_id: int) -> HttpResponse:
    try:
        programme = selectors.programme_get(programme_id)
    except DomainError as exc:
        return error_page(request, exc)
    if not selectors.can_manage(request.user, programme):
        return forbidden_page(request)
    initial = {key: getattr(programme, key) for key in services.programmes.DESCRIPTIVE}
    form = ProgrammeEditForm(request.POST or None, initial={
        **initial, "active": programme.active, "managers": list(programme.managers.values_list("pk", flat=True))})
    error = ""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.programme_update(actor=request.user, programme=programme, managers=list(data.pop("managers")),
                                      active=data.pop("active"), **data)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("The programme is updated."))
            return redirect("programmes:programme", programme.pk)
    return render(request, "programmes/edit.html", {"form": form, "programme": programme, "error": error},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def programme_schedule(request: HttpRequest, programme_id: int) -> HttpResponse:
    try:
        programme = selectors.programme_get(programme_id)
    except DomainError as exc:
        return error_page(request, exc)
    return _done(request, lambda: services.sessions_schedule(actor=request.user, programme=programme),
                 _("The season's sessions are scheduled."), reverse("programmes:programme", args=[programme_id]))


# Sessions -------------------------------------------------------------------------------------

def _session(request: HttpRequest, session_id: int) -> Session:
    return selectors.session_get(session_id)


@login_required
def session_page(request: HttpRequest, session_id: int) -> HttpResponse:
    if (refused := _staff(request)) is not None:
        return refused
    try:
        session = _session(request, session_id)
    except DomainError as exc:
        return error_page(request, exc)
    can_manage = selectors.can_manage(request.user, session.programme)
    signups = selectors.session_signups(viewer=request.user, session=session, context=access_context(request))
    waiting = [s for s in signups if s.status == SignupStatus.WAITING]
    for position, entry in enumerate(waiting, start=1):
        entry.position = position  # type: ignore[attr-defined]
    return render(request, "programmes/session.html", {
        "session": session, "programme": session.programme, "signups": signups, "waiting": waiting,
        "summary": selectors.session_summary(session), "can_manage": can_manage, "Status": SignupStatus,
        "window": selectors.signup_window(session), "now": timezone.now(),
        "capacity_form": CapacityForm(initial={"capacity": session.capacity, "reserved": session.reserved}),
        "events": session.events.select_related("actor__staff", "signup").order_by("-at", "-pk")[:40]
        if can_manage else [],
    })


@login_required
@require_POST
def session_action(request: HttpRequest, session_id: int, action: str) -> HttpResponse:
    try:
        session = _session(request, session_id)
    except DomainError as exc:
        return error_page(request, exc)
    back = reverse("programmes:session", args=[session_id])
    user = request.user
    if action == "capacity":
        form: Form = CapacityForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the places and a reason."))
            return redirect(back)
        d = form.cleaned_data
        return _done(request, lambda: services.session_capacity_set(actor=user, session=session, capacity=d["capacity"],
                                                                    reserved=d["reserved"], reason=d["reason"]),
                     _("The places are changed."), back)
    if action == "cancel":
        reason = request.POST.get("reason", "")
        return _done(request, lambda: services.session_cancel(actor=user, session=session, reason=reason),
                     _("The session is cancelled and every family is told."), back)
    if action == "draw":
        return _done(request, lambda: services.lottery_draw(session_id=session.pk, actor=user),
                     _("The lottery is drawn."), back)
    if action == "close":
        return _done(request, lambda: services.attendance_close(actor=user, session=session),
                     _("Attendance is closed; those not checked in are no-shows."), back)
    return error_page(request, DomainError(ProgrammeErrorCode.NOT_ALLOWED))


@login_required
@require_POST
def signup_action(request: HttpRequest, signup_id: int, action: str) -> HttpResponse:
    try:
        signup = selectors.signup_get(viewer=request.user, signup_id=signup_id, context=access_context(request))
    except DomainError as exc:
        return error_page(request, exc)
    user = request.user
    back = reverse("programmes:session", args=[signup.session_id])
    reason = request.POST.get("reason", "")
    calls = {
        "cancel": (lambda: services.signup_cancel(actor=user, signup=signup, reason=reason), _("The sign-up is cancelled.")),
        "confirm": (lambda: services.signup_confirm_override(actor=user, signup=signup, reason=reason),
                    _("The sign-up is confirmed out of order.")),
        "checkin": (lambda: services.checkin(actor=user, signup=signup), _("Checked in.")),
        "undo": (lambda: services.checkin_undo(actor=user, signup=signup, reason=reason), _("Check-in undone.")),
    }
    if action == "move":
        form = MoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the new position and a reason."))
            return _back(request, back)
        d = form.cleaned_data
        return _done(request, lambda: services.waitlist_move(actor=user, signup=signup, position=d["position"],
                                                              reason=d["reason"]), _("The waiting list is reordered."),
                     back)
    if action not in calls:
        return error_page(request, DomainError(ProgrammeErrorCode.NOT_ALLOWED))
    call, success = calls[action]
    return _done(request, call, success, back)


@login_required
def door_page(request: HttpRequest, session_id: int) -> HttpResponse:
    """Check-in at the door: find a family by name, the last four digits of the phone, or their code."""
    try:
        session = _session(request, session_id)
    except DomainError as exc:
        return error_page(request, exc)
    if not selectors.can_manage(request.user, session.programme):
        return forbidden_page(request)
    if request.method == "POST":
        code = request.POST.get("code", "")
        return _done(request, lambda: services.checkin_by_code(actor=request.user, session=session, code=code),
                     _("Checked in."), reverse("programmes:door", args=[session_id]))
    form = CheckinSearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = selectors.checkin_search(viewer=request.user, session=session, query=form.cleaned_data["q"],
                                           context=access_context(request))
    return render(request, "programmes/door.html", {"session": session, "programme": session.programme, "form": form,
                                                    "results": results, "summary": selectors.session_summary(session)})


# Staff sign-up from the resident page (registry/panels.py) ---------------------------------------------

def resident_panel(request: HttpRequest, resident: Resident, bound: dict[str, Form]) -> dict[str, Any]:
    return {
        "resident": resident, "signups": selectors.resident_signups(viewer=request.user, resident_id=resident.pk),
        "can_sign_up": selectors.can_sign_up_residents(request.user),
        "form": bound.get("programme_signup") or StaffSignupForm(sessions=selectors.open_sessions_for_staff()),
    }


@personal_data_page
@require_POST
def resident_signup(request: HttpRequest, resident_id: int) -> HttpResponse:
    from dolbom.registry.views import resident_write

    form = StaffSignupForm(request.POST, sessions=selectors.open_sessions_for_staff())

    def action(resident: Resident, form: StaffSignupForm) -> HttpResponse:
        d = form.cleaned_data
        signup, _token = services.signup_register(actor=request.user, session=d["session"], resident=resident,
                                                  party_size=d["party_size"], consent_method=d["consent"],
                                                  referred=d["referred"])
        messages.success(request, _("%(name)s is signed up: %(status)s.")
                         % {"name": resident.name, "status": signup.get_status_display()})
        return redirect("registry:resident_detail", resident.pk)

    return resident_write(request, resident_id, "programme_signup", form, action)


# Consultations -----------------------------------------------------------------------------------

def _adviser(adviser_id: int) -> Adviser:
    return selectors.adviser_get(adviser_id)


@login_required
def adviser_new(request: HttpRequest) -> HttpResponse:
    if not selectors.can_define_programmes(request.user):  # the same roles define advisers
        return forbidden_page(request)
    form = AdviserForm(request.POST or None, initial={"dong": request.user.staff.dong_id})
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            adviser = services.adviser_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("programmes:adviser", adviser.pk)
    return render(request, "programmes/adviser_new.html", {"form": form, "error": error})


@login_required
def adviser_page(request: HttpRequest, adviser_id: int) -> HttpResponse:
    """The adviser's calendar: slots of the coming weeks, free or booked (no names here)."""
    if (refused := _staff(request)) is not None:
        return refused
    try:
        adviser = _adviser(adviser_id)
    except DomainError as exc:
        return error_page(request, exc)
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("from", "")) if request.GET.get("from") else today
    except ValueError:
        start = today
    end = start + dt.timedelta(days=42)
    days: dict[dt.date, list] = {}
    for slot in selectors.adviser_calendar(adviser, start=start, end=end):
        days.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
    can_manage = selectors.can_manage_adviser(request.user, adviser)
    return render(request, "programmes/adviser.html", {
        "adviser": adviser, "days": days, "start": start, "end": end, "can_manage": can_manage,
        "can_see_day": selectors.can_record_outcome(request.user, adviser) or selectors.can_book_for_residents(
            request.user), "schedules": adviser.schedules.all(),
        "schedule_form": ScheduleForm(initial={"starts_on": today, "ends_on": today + dt.timedelta(days=90)}),
        "slot_form": SlotForm(),
    })


@login_required
@require_POST
def adviser_action(request: HttpRequest, adviser_id: int, action: str) -> HttpResponse:
    try:
        adviser = _adviser(adviser_id)
    except DomainError as exc:
        return error_page(request, exc)
    back = reverse("programmes:adviser", args=[adviser_id])
    form: Form = ScheduleForm(request.POST) if action == "schedule" else SlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the highlighted fields."))
        return redirect(back)
    d = form.cleaned_data
    if action == "schedule":
        return _done(request, lambda: services.schedule_create(actor=request.user, adviser=adviser, **d),
                     _("The regular hours and their slots are added."), back)
    return _done(request, lambda: services.slot_add(actor=request.user, adviser=adviser, **d),
                 _("The on-demand slot is added."), back)


@login_required
def adviser_day(request: HttpRequest, adviser_id: int) -> HttpResponse:
    """The adviser's day list: who comes when and about what; the outcome of each consultation."""
    try:
        adviser = _adviser(adviser_id)
    except DomainError as exc:
        return error_page(request, exc)
    if not (selectors.can_record_outcome(request.user, adviser) or selectors.can_book_for_residents(request.user)):
        return forbidden_page(request)
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    rows = selectors.adviser_day(viewer=request.user, adviser=adviser, day=day, context=access_context(request))
    return render(request, "programmes/adviser_day.html", {
        "adviser": adviser, "day": day, "rows": rows, "Status": BookingStatus,
        "can_outcome": selectors.can_record_outcome(request.user, adviser),
        "outcome_form": OutcomeForm(initial={"attended": "1", "dong": adviser.dong_id}),
        "booking_form": StaffBookingForm(),
        "can_book": selectors.can_book_for_residents(request.user) or selectors.can_manage_adviser(request.user, adviser),
        "prev": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1),
        "move_to": selectors.open_slots(kind=adviser.kind)[:40],
    })


@login_required
@require_POST
def slot_book(request: HttpRequest, slot_id: int) -> HttpResponse:
    try:
        slot = selectors.slot_get(slot_id)
    except DomainError as exc:
        return error_page(request, exc)
    back = reverse("programmes:adviser_day", args=[slot.adviser_id]) + \
        f"?date={timezone.localtime(slot.starts_at).date().isoformat()}"
    form = StaffBookingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a name and a topic."))
        return redirect(back)
    d = form.cleaned_data
    return _done(request, lambda: services.booking_register(actor=request.user, slot=slot, **d),
                 _("The consultation is booked."), back)


@login_required
@require_POST
def booking_action(request: HttpRequest, booking_id: int, action: str) -> HttpResponse:
    try:
        booking = selectors.booking_get(viewer=request.user, booking_id=booking_id, context=access_context(request))
    except DomainError as exc:
        return error_page(request, exc)
    back = reverse("programmes:adviser_day", args=[booking.adviser_id]) + \
        f"?date={timezone.localtime(booking.slot.starts_at).date().isoformat()}"
    if action == "outcome":
        form = OutcomeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Check the highlighted fields."))
            return redirect(back)
        d = form.cleaned_data
        return _done(request, lambda: services.booking_outcome_record(actor=request.user, booking=booking, **d),
                     _("The outcome is noted."), back)
    if action == "cancel":
        reason = request.POST.get("reason", "")
        return _done(request, lambda: services.booking_cancel(actor=request.user, booking=booking, reason=reason),
                     _("The booking is cancelled."), back)
    if action == "move":
        try:
            slot = selectors.slot_get(int(request.POST.get("slot") or 0))
        except (DomainError, ValueError):
            messages.error(request, _("Choose another time."))
            return redirect(back)
        return _done(request, lambda: services.booking_reschedule(actor=request.user, booking=booking, slot=slot),
                     _("The booking is moved."), back)
    return error_page(request, DomainError(ProgrammeErrorCode.NOT_ALLOWED))


# Welfare referrals to the dong office --------------------------------------------------------------

@personal_data_page
def referral_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ReferralStatus.NEW)
    status = status if status in ReferralStatus.values or status == "" else ReferralStatus.NEW
    rows = selectors.referral_list(viewer=request.user, context=access_context(request), status=status)
    return render(request, "programmes/referrals.html", {"rows": rows, "status": status,
                                                         "statuses": ReferralStatus.choices})


@personal_data_page
def referral_page(request: HttpRequest, referral_id: int) -> HttpResponse:
    """One referral: find the person in the registry (the search is logged), then open a discovered case."""
    from dolbom.registry.selectors import resident_search

    try:
        referral = selectors.referral_get(viewer=request.user, referral_id=referral_id, context=access_context(request))
    except DomainError as exc:
        return error_page(request, exc)
    query = request.GET.get("q", "").strip()
    results, error = None, ""
    if query:
        try:
            results = resident_search(viewer=request.user, query=query, context=access_context(request))
        except DomainError as exc:
            error = exc.message
    return render(request, "programmes/referral.html", {
        "referral": referral, "booking": referral.booking, "query": query or referral.booking.name,
        "results": results, "error": error, "open": referral.status == ReferralStatus.NEW,
    })


@personal_data_page
@require_POST
def referral_action(request: HttpRequest, referral_id: int, action: str) -> HttpResponse:
    from dolbom.registry.selectors import resident_get

    back = reverse("programmes:referral", args=[referral_id])
    try:
        referral = selectors.referral_get(viewer=request.user, referral_id=referral_id, context=access_context(request))
        if action == "case":
            resident = resident_get(viewer=request.user, resident_id=int(request.POST.get("resident_id") or 0),
                                    context=access_context(request, f"resident:{request.POST.get('resident_id')}"))
            case = services.welfare_referral_open_case(actor=request.user, referral=referral, resident=resident)
            messages.success(request, _("A discovered case is opened: %(number)s.") % {"number": case.number})
            return redirect("cases:case_detail", case.pk)
        services.welfare_referral_close(actor=request.user, referral=referral, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.status_code in (403, 404):
            return error_page(request, exc)
        messages.error(request, exc.message)
        return redirect(back)
    except ValueError:
        messages.error(request, _("Choose the resident."))
        return redirect(back)
    messages.success(request, _("The referral is closed."))
    return redirect("programmes:referrals")


# Dashboard panels (web/dashboard.py) ------------------------------------------------------------------
# Each figure is computed once per request: the panel's visibility and its context ask for the same thing,
# and the start page's query count stays flat whatever the apps register.

def _dashboard(user: Any) -> dict[str, Any]:
    cached = getattr(user, "_programmes_dashboard", None)
    if cached is None:
        sessions = []
        if selectors.can_see_programmes(user):
            managed = selectors.managed_programmes(user).values("pk")
            sessions = list(selectors.open_sessions_for_staff().filter(programme_id__in=managed)[:6])
        count = selectors.referrals_waiting_count(user) if selectors.can_book_for_residents(user) else 0
        cached = user._programmes_dashboard = {"sessions": sessions, "count": count}
    return cached


def dashboard_sessions(request: HttpRequest) -> dict[str, Any]:
    return {"sessions": _dashboard(request.user)["sessions"]}


def dashboard_referrals(request: HttpRequest) -> dict[str, Any]:
    return {"count": _dashboard(request.user)["count"]}


def show_dashboard_sessions(user: Any) -> bool:
    return bool(_dashboard(user)["sessions"])


def show_dashboard_referrals(user: Any) -> bool:
    return _dashboard(user)["count"] > 0
