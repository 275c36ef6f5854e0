"""Meeting pages: integrated support meetings (agenda → decisions → signed minutes), councils, action items.

Thin: each page calls the selectors (which scope, filter by consent and write the access log) and each
form one service. A refused write comes back as a message on the page it was sent from.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
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
from dolbom.accounts.scope import can_see_personal_data, profile, role_of
from dolbom.areas.selectors import dong_list_valid_on
from dolbom.cases.selectors import case_visible
from dolbom.lib.errors import DomainError, NotFound
from dolbom.meetings import forms as f
from dolbom.meetings import selectors, services
from dolbom.meetings.errors import MeetingErrorCode
from dolbom.meetings.models import AgendaItem, Decision, Meeting, MeetingKind
from dolbom.web.paging import page_of, paging_query
from dolbom.web.views.common import access_context, error_page, forbidden_page


def meetings_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every staff role but the auditor (who reads the access log, never meetings)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if role_of(request.user) in (None, Role.AUDITOR):
            return forbidden_page(request)
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return error_page(request, exc)

    return wrapper


def can_see_meetings(user: Any) -> bool:
    return role_of(user) not in (None, Role.AUDITOR)


def _done(request: HttpRequest, run: Callable[[], Any], ok: str) -> bool:
    try:
        run()
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, ok)
    return True


def _form_errors(request: HttpRequest, form: Any) -> None:
    text = "; ".join(f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}".strip()
                     for k, v in form.errors.items())
    messages.error(request, _("Check the fields: %(errors)s") % {"errors": text})


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    return selectors.meeting_get(viewer=request.user, meeting_id=meeting_id, context=access_context(request))


def _back(meeting_id: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("meetings:meeting", args=[meeting_id]) + (f"#{anchor}" if anchor else ""))


PAGE_SIZE = 50  # meetings a list page shows, with the total beside them


# Lists ------------------------------------------------------------------------------------------

@meetings_page
def meeting_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    past = request.GET.get("past") == "1"
    filters = selectors.MeetingFilters(kind=kind if kind in MeetingKind.values else "", upcoming=not past)
    qs = selectors.meeting_list(viewer=request.user, filters=filters)
    # Upcoming: soonest first; every meeting ("past"): newest first, in pages with the total (a list cut at
    # 200 showed the oldest 200).
    meetings = page_of(qs.reverse() if past else qs, request.GET.get("page"), PAGE_SIZE)
    return render(request, "meetings/list.html", {
        "meetings": meetings, "page": meetings, "query": paging_query(request),
        "kind": kind, "past": past, "kinds": MeetingKind.choices,
        "can_schedule": role_of(request.user) in services.CHAIR_ROLES,
        "my_actions": selectors.my_open_action_items(viewer=request.user),
        "today": timezone.localdate(),
    })


@meetings_page
def meeting_new(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) not in services.CHAIR_ROLES:
        return forbidden_page(request)
    p = profile(request.user)
    dongs = [(d.pk, d.name) for d in dong_list_valid_on(timezone.localdate())]
    initial = {"dong": p.dong_id, "chair": request.user.pk} if p else {}
    form = f.MeetingForm(request.POST or None, dongs=dongs, chair_roles=services.CHAIR_ROLES, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        dong = next((x for x in dong_list_valid_on(timezone.localdate()) if x.pk == d["dong"]), None)
        try:
            meeting = services.meeting_schedule(actor=request.user, title=d["title"], scheduled_at=d["scheduled_at"],
                                                place=d["place"], chair=d["chair"], dong=dong)
        except DomainError as exc:
            return render(request, "meetings/new.html", {"form": form, "error": exc.message}, status=exc.status_code)
        messages.success(request, _("The meeting is scheduled. Build its agenda below."))
        return _back(meeting.pk)
    return render(request, "meetings/new.html", {"form": form}, status=400 if request.method == "POST" else 200)


# One meeting ------------------------------------------------------------------------------------

def _service_choices(dong_id: int | None) -> list[tuple[int, str]]:
    try:
        from dolbom.referrals.selectors import ServiceFilters, service_list
    except ImportError:
        return []
    return [(s.pk, f"{s.name} · {s.institution.name}") for s in service_list(filters=ServiceFilters(dong_id=dong_id))]


@meetings_page
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    agenda = selectors.meeting_agenda(viewer=request.user, meeting=meeting, context=access_context(request))
    organiser = selectors.can_organise(request.user, meeting) and not meeting.is_signed
    context: dict[str, Any] = {
        "meeting": meeting, "agenda": agenda.items, "hidden": agenda.hidden,
        "attendees": selectors.meeting_attendees(meeting=meeting),
        "action_items": selectors.meeting_action_items(meeting=meeting),
        "organiser": organiser,
        "can_sign": not meeting.is_signed and (meeting.chair_id == request.user.pk or (
            meeting.chair_id is None and organiser)),
        "today": timezone.localdate(), "decisions": Decision,
    }
    if organiser:
        if meeting.kind == MeetingKind.INTEGRATED_SUPPORT:
            context["candidates"] = selectors.agenda_candidates(viewer=request.user, meeting=meeting,
                                                                context=access_context(request))
        context.update(attendee_form=f.AttendeeForm(auto_id="id_att_%s"),
                       minutes_form=f.MinutesForm(initial={"minutes": meeting.minutes, "topics": meeting.topics}),
                       action_form=f.ActionItemForm(auto_id="id_act_%s"))
    return render(request, "meetings/detail.html", context)


@meetings_page
@require_POST
def agenda_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    form = f.AgendaAddForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(meeting_id, "agenda")
    case = case_visible(request.user).filter(pk=form.cleaned_data["case_id"]).first()
    if case is None:
        return error_page(request, NotFound(MeetingErrorCode.AGENDA_ITEM_NOT_FOUND))
    _done(request, lambda: services.agenda_add(actor=request.user, meeting=meeting, case=case,
                                               note=form.cleaned_data["note"]),
          _("The case is on the agenda."))
    return _back(meeting_id, "agenda")


def _meeting_form(request: HttpRequest, meeting_id: int, form_class: type, run: Callable[[Meeting, dict], Any],
                  ok: str, anchor: str, auto_id: str = "id_%s") -> HttpResponse:
    """One form posted on the meeting page: validate, call the service, come back with what happened."""
    meeting = _meeting(request, meeting_id)
    form = form_class(request.POST, auto_id=auto_id)
    if form.is_valid():
        _done(request, lambda: run(meeting, form.cleaned_data), ok)
    else:
        _form_errors(request, form)
    return _back(meeting_id, anchor)


@meetings_page
@require_POST
def attendee_invite(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _meeting_form(request, meeting_id, f.AttendeeForm,
                         lambda m, d: services.attendee_invite(actor=request.user, meeting=m, **d),
                         _("Invited."), "attendees", auto_id="id_att_%s")


@meetings_page
@require_POST
def minutes_save(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _meeting_form(request, meeting_id, f.MinutesForm,
                         lambda m, d: services.minutes_write(actor=request.user, meeting=m, **d),
                         _("The minutes are saved."), "minutes")


@meetings_page
@require_POST
def minutes_sign(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    _done(request, lambda: services.minutes_sign(actor=request.user, meeting=meeting),
          _("The minutes are signed. The meeting is now read-only."))
    return _back(meeting_id, "minutes")


@meetings_page
@require_POST
def action_item_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _meeting_form(request, meeting_id, f.ActionItemForm,
                         lambda m, d: services.action_item_add(actor=request.user, meeting=m, **d),
                         _("The action item is added."), "actions", auto_id="id_act_%s")


@meetings_page
@require_POST
def action_item_done(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.action_item_get(viewer=request.user, item_id=item_id)
    form = f.DoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    _done(request, lambda: services.action_item_done(actor=request.user, item=item, note=note),
          _("The action item is done."))
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/meetings/") else reverse("meetings:meeting", args=[item.meeting_id]))


# One agenda case --------------------------------------------------------------------------------

def _item_page(request: HttpRequest, item: AgendaItem, form: f.DecisionForm | None = None,
               status: int = 200) -> HttpResponse:
    meeting = item.meeting
    organiser = selectors.can_organise(request.user, meeting) and not meeting.is_signed
    can_decide = organiser and (not item.decision or item.decision == Decision.ADD_SERVICES)
    services_offered = _service_choices(item.case.dong_id) if can_decide else []
    if can_decide and form is None:
        form = f.DecisionForm(services=services_offered,
                              initial={"decision": Decision.ADD_SERVICES} if item.decision else None)
    plan = item.case.plans.prefetch_related("lines").order_by("-version").first()
    return render(request, "meetings/item.html", {
        "meeting": meeting, "item": item, "case": item.case, "plan": plan, "form": form if can_decide else None,
        "referrals_ready": bool(services_offered), "services_requested": item.service_requests.all(),
        "case_link": can_see_personal_data(request.user),
    }, status=status)


@meetings_page
def agenda_item(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    item = selectors.agenda_item_get(viewer=request.user, meeting_id=meeting_id, item_id=item_id,
                                     context=access_context(request))
    if request.method != "POST":
        return _item_page(request, item)
    form = f.DecisionForm(request.POST, services=_service_choices(item.case.dong_id))
    if not form.is_valid():
        return _item_page(request, item, form, status=400)
    d = form.cleaned_data
    try:
        saved = services.agenda_decision_record(actor=request.user, item=item, data=services.DecisionInput(
            decision=d["decision"], note=d["note"], service_ids=d["services"], due_days=d["due_days"],
            closure_reason=d["closure_reason"]))
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _item_page(request, item, form, status=exc.status_code)
    refused = [r for r in saved.service_requests.all() if r.refused and r.service_id in d["services"]]
    for r in refused:
        messages.error(request, _("Not referred to %(service)s: %(reason)s") % {
            "service": r.service_name, "reason": r.refusal_message})
    messages.success(request, _("The decision is recorded on the case timeline."))
    return redirect("meetings:agenda_item", meeting_id=meeting_id, item_id=item_id)


# A case's meeting items -------------------------------------------------------------------------

@meetings_page
def case_items(request: HttpRequest, case_id: int) -> HttpResponse:
    items = selectors.case_meeting_items(viewer=request.user, case_id=case_id,
                                         context=access_context(request, f"case:{case_id}"))
    return render(request, "meetings/case_items.html", {"items": items, "case_id": case_id})


# Councils ---------------------------------------------------------------------------------------

@meetings_page
def council_list(request: HttpRequest) -> HttpResponse:
    councils = list(selectors.council_list(viewer=request.user))
    today = timezone.localdate()
    rows = [(c, selectors.council_upcoming_dates(council=c, today=today, count=1)) for c in councils]
    return render(request, "meetings/councils.html", {"rows": rows})


@meetings_page
def council_detail(request: HttpRequest, council_id: int) -> HttpResponse:
    council = selectors.council_get(viewer=request.user, council_id=council_id)
    manage = selectors.can_manage_council(request.user, council)
    if request.method == "POST" and manage:
        if request.POST.get("action") == "schedule":
            form = f.ScheduleForm(request.POST)
            if form.is_valid():
                _done(request, lambda: services.council_sessions_schedule(
                    actor=request.user, council=council, count=form.cleaned_data["count"]),
                    _("The sessions are scheduled."))
        elif request.POST.get("action") == "member":
            form = f.CouncilMemberForm(request.POST)
            if form.is_valid():
                _done(request, lambda: services.council_member_add(actor=request.user, council=council,
                                                                   **form.cleaned_data),
                      _("The member is added."))
        return redirect("meetings:council", council_id=council_id)
    sessions = selectors.meeting_list(viewer=request.user, filters=selectors.MeetingFilters(council_id=council.pk))
    return render(request, "meetings/council.html", {
        "council": council, "members": selectors.council_members(council=council),
        "upcoming": selectors.council_upcoming_dates(council=council), "sessions": sessions, "manage": manage,
        "schedule_form": f.ScheduleForm(), "member_form": f.CouncilMemberForm(auto_id="id_mem_%s"),
    })


# Action items -----------------------------------------------------------------------------------

@meetings_page
def overdue_actions(request: HttpRequest) -> HttpResponse:
    rows = selectors.action_items_overdue_by_owner(viewer=request.user)
    return render(request, "meetings/overdue.html", {"rows": rows, "today": timezone.localdate()})
