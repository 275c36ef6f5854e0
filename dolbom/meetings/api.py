"""Meeting endpoints: integrated support meetings (agenda, decisions, minutes), councils and action items.

Thin: reads go through meetings.selectors (scope, consent, access log), writes are one service call.
A partner worker sees an agenda case only at a meeting they are invited to and only with the client's
active consent to share with their institution; anything else answers 404 and is logged as DENIED.

No ``from __future__ import annotations`` here: ninja reads the annotations at import time.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from dolbom.areas.models import Dong
from dolbom.cases.api import CaseStaffRef
from dolbom.cases.selectors import case_visible
from dolbom.lib.api import ERRORS, LocalTime, access_context, actor
from dolbom.lib.errors import NotFound
from dolbom.meetings import selectors, services
from dolbom.meetings.errors import MeetingErrorCode
from dolbom.meetings.models import (
    ActionItem,
    AgendaItem,
    AgendaReason,
    Council,
    CouncilKind,
    Decision,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MemberKind,
)

router = Router(tags=["meetings"])


# Schemas -------------------------------------------------------------------------------------

class MeetingStaffRef(CaseStaffRef):
    institution: str

    @staticmethod
    def resolve_institution(obj: User) -> str:
        staff = getattr(obj, "staff", None)
        return staff.institution if staff else ""


class MeetingIn(Schema):
    title: str
    scheduled_at: dt.datetime
    place: str
    chair_id: int
    dong_id: int | None = Field(None, description="The dong whose cases it decides; empty for a city-level meeting")


class MeetingSummaryOut(Schema):
    id: int
    kind: MeetingKind
    title: str
    council_id: int | None
    dong: str | None
    scheduled_at: dt.datetime
    place: str
    chair: MeetingStaffRef | None
    status: MeetingStatus

    @staticmethod
    def resolve_dong(obj: Meeting) -> str | None:
        return obj.dong.name if obj.dong_id else None


class ServiceRequestOut(Schema):
    service_id: int
    service_name: str
    institution_name: str
    referral_id: int | None
    refusal_code: str
    refusal_message: str


class AgendaItemOut(Schema):
    id: int
    meeting_id: int
    position: int
    case_id: int
    case_number: str
    client_name: str
    dong: str
    case_status: str
    manager: MeetingStaffRef
    reason: AgendaReason
    note: str
    decision: Decision | None
    decision_note: str
    plan_version: int | None
    decided_at: dt.datetime | None
    services: list[ServiceRequestOut]

    @staticmethod
    def resolve_case_number(obj: AgendaItem) -> str:
        return obj.case.number

    @staticmethod
    def resolve_client_name(obj: AgendaItem) -> str:
        return obj.case.resident.name

    @staticmethod
    def resolve_dong(obj: AgendaItem) -> str:
        return obj.case.dong.name

    @staticmethod
    def resolve_case_status(obj: AgendaItem) -> str:
        return obj.case.status

    @staticmethod
    def resolve_manager(obj: AgendaItem) -> User:
        return obj.case.manager

    @staticmethod
    def resolve_decision(obj: AgendaItem) -> str | None:
        return obj.decision or None

    @staticmethod
    def resolve_services(obj: AgendaItem) -> list[object]:
        return list(obj.service_requests.all())


class AttendeeOut(Schema):
    id: int
    user: MeetingStaffRef
    member_kind: MemberKind
    institution: str


class ActionItemOut(Schema):
    id: int
    meeting_id: int
    title: str
    owner: MeetingStaffRef
    due_on: dt.date
    done_at: dt.datetime | None
    done_note: str
    overdue: bool

    @staticmethod
    def resolve_overdue(obj: ActionItem) -> bool:
        return obj.done_at is None and obj.due_on < timezone.localdate()


class MeetingOut(MeetingSummaryOut):
    """Built from a meeting on which the endpoint has set ``_agenda`` (the selector's filtered agenda)."""

    topics: str
    minutes: str
    signed_at: dt.datetime | None
    attendees: list[AttendeeOut]
    agenda: list[AgendaItemOut]
    hidden_agenda_items: int = Field(description="Agenda cases on this meeting you may not see")
    action_items: list[ActionItemOut]

    @staticmethod
    def resolve_attendees(obj: Meeting) -> list[object]:
        return list(selectors.meeting_attendees(meeting=obj))

    @staticmethod
    def resolve_agenda(obj: Meeting) -> list[AgendaItem]:
        return obj._agenda.items  # type: ignore[attr-defined]

    @staticmethod
    def resolve_hidden_agenda_items(obj: Meeting) -> int:
        return obj._agenda.hidden  # type: ignore[attr-defined]

    @staticmethod
    def resolve_action_items(obj: Meeting) -> list[ActionItem]:
        return list(selectors.meeting_action_items(meeting=obj))


class CandidateOut(Schema):
    case_id: int
    case_number: str
    client_name: str
    dong: str
    status: str
    reason: AgendaReason


class AgendaIn(Schema):
    case_id: int
    note: str = ""


class AttendeeIn(Schema):
    user_id: int
    member_kind: MemberKind


class AgendaDecisionIn(Schema):
    decision: Decision
    note: str = ""
    service_ids: list[int] = Field([], description="For add_services: catalogue services to refer to")
    plan_line_id: int | None = None
    due_days: int | None = Field(None, description="For add_services: days the institution has to answer")
    closure_reason: str = Field("", description="For close: one of the five legal closure reasons")


class MinutesIn(Schema):
    minutes: str
    topics: str | None = None


class ActionItemIn(Schema):
    title: str
    owner_id: int
    due_on: dt.date


class DoneIn(Schema):
    note: str = ""


class OwnerOverdueOut(Schema):
    owner: MeetingStaffRef
    count: int
    oldest_due: dt.date
    items: list[ActionItemOut]


class CouncilMemberOut(Schema):
    id: int
    name: str
    institution: str
    title: str
    user_id: int | None


class CouncilOut(Schema):
    id: int
    name: str
    kind: CouncilKind
    dong: str | None
    rrule: str
    starts_on: dt.date
    time: dt.time
    place: str
    chair_title: str

    @staticmethod
    def resolve_dong(obj: Council) -> str | None:
        return obj.dong.name if obj.dong_id else None


class CouncilDetailOut(CouncilOut):
    members: list[CouncilMemberOut]
    upcoming: list[dt.date]

    @staticmethod
    def resolve_members(obj: Council) -> list[object]:
        return list(selectors.council_members(council=obj))

    @staticmethod
    def resolve_upcoming(obj: Council) -> list[dt.date]:
        return selectors.council_upcoming_dates(council=obj)


class CouncilIn(Schema):
    name: str
    kind: CouncilKind
    rrule: str = Field(description="FREQ=WEEKLY|MONTHLY;INTERVAL=n;BYDAY=MO or 2TU or -1FR;BYMONTHDAY=n")
    starts_on: dt.date
    time: LocalTime
    place: str
    dong_id: int | None = None
    chair_id: int | None = None
    chair_title: str = ""


class CouncilMemberIn(Schema):
    name: str = ""
    user_id: int | None = None
    institution: str = ""
    title: str = ""


class ScheduleIn(Schema):
    count: int = Field(3, ge=1, le=26)


# Helpers -------------------------------------------------------------------------------------

def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    return selectors.meeting_get(viewer=actor(request), meeting_id=meeting_id, context=access_context(request))


def _detail(request: HttpRequest, meeting: Meeting) -> Meeting:
    meeting._agenda = selectors.meeting_agenda(  # type: ignore[attr-defined]
        viewer=actor(request), meeting=meeting, context=access_context(request))
    return meeting


def _dong(dong_id: int | None) -> Dong | None:
    if not dong_id:
        return None
    dong = Dong.objects.filter(pk=dong_id).first()
    if dong is None:
        raise NotFound(MeetingErrorCode.FIELDS_REQUIRED)
    return dong


# Integrated support meetings -----------------------------------------------------------------

@router.get("/meetings", response={200: list[MeetingSummaryOut], **ERRORS}, summary="Meetings in your scope")
def meeting_list(request: HttpRequest, kind: MeetingKind | None = None, upcoming: bool = False,
                 council_id: int | None = None, limit: int = Query(100, ge=1, le=500)) -> list[Meeting]:
    filters = selectors.MeetingFilters(kind=kind or "", upcoming=upcoming, council_id=council_id)
    return list(selectors.meeting_list(viewer=actor(request), filters=filters)[:limit])


@router.post("/meetings", response={201: MeetingOut, **ERRORS}, summary="Schedule an integrated support meeting")
def meeting_schedule(request: HttpRequest, payload: MeetingIn) -> Status:
    meeting = services.meeting_schedule(actor=actor(request), title=payload.title, scheduled_at=payload.scheduled_at,
                                        place=payload.place, chair=selectors.staff_user_get(user_id=payload.chair_id),
                                        dong=_dong(payload.dong_id))
    return Status(201, _detail(request, meeting))


@router.get("/meetings/{int:meeting_id}", response={200: MeetingOut, **ERRORS},
            summary="One meeting with the agenda cases you may see (logged)")
def meeting_get(request: HttpRequest, meeting_id: int) -> Meeting:
    return _detail(request, _meeting(request, meeting_id))


@router.get("/meetings/{int:meeting_id}/candidates", response={200: list[CandidateOut], **ERRORS},
            summary="Cases you could put on the agenda (marked for a meeting or waiting for plan approval)")
def meeting_candidates(request: HttpRequest, meeting_id: int) -> list[dict[str, object]]:
    meeting = _meeting(request, meeting_id)
    rows = selectors.agenda_candidates(viewer=actor(request), meeting=meeting, context=access_context(request))
    return [{"case_id": c.case.pk, "case_number": c.case.number, "client_name": c.case.resident.name,
             "dong": c.case.dong.name, "status": c.case.status, "reason": c.reason} for c in rows]


@router.post("/meetings/{int:meeting_id}/agenda", response={201: AgendaItemOut, **ERRORS},
             summary="Put a case on the agenda")
def agenda_add(request: HttpRequest, meeting_id: int, payload: AgendaIn) -> Status:
    meeting = _meeting(request, meeting_id)
    case = case_visible(actor(request)).filter(pk=payload.case_id).first()
    if case is None:
        raise NotFound(MeetingErrorCode.AGENDA_ITEM_NOT_FOUND)
    item = services.agenda_add(actor=actor(request), meeting=meeting, case=case, note=payload.note)
    return Status(201, selectors.agenda_item_get(viewer=actor(request), meeting_id=meeting_id, item_id=item.pk,
                                                 context=access_context(request)))


@router.get("/meetings/{int:meeting_id}/agenda/{int:item_id}", response={200: AgendaItemOut, **ERRORS},
            summary="One agenda case (logged; 404 without scope or consent)")
def agenda_item_get(request: HttpRequest, meeting_id: int, item_id: int) -> AgendaItem:
    return selectors.agenda_item_get(viewer=actor(request), meeting_id=meeting_id, item_id=item_id,
                                     context=access_context(request))


@router.post("/meetings/{int:meeting_id}/agenda/{int:item_id}/decision", response={200: AgendaItemOut, **ERRORS},
             summary="Record the meeting's decision on an agenda case")
def agenda_decision_record(request: HttpRequest, meeting_id: int, item_id: int, payload: AgendaDecisionIn) -> AgendaItem:
    item = selectors.agenda_item_get(viewer=actor(request), meeting_id=meeting_id, item_id=item_id,
                                     context=access_context(request))
    services.agenda_decision_record(actor=actor(request), item=item, data=services.DecisionInput(
        decision=payload.decision, note=payload.note, service_ids=payload.service_ids,
        plan_line_id=payload.plan_line_id, due_days=payload.due_days, closure_reason=payload.closure_reason))
    return selectors.agenda_item_get(viewer=actor(request), meeting_id=meeting_id, item_id=item_id,
                                     context=access_context(request))


@router.post("/meetings/{int:meeting_id}/attendees", response={201: AttendeeOut, **ERRORS},
             summary="Invite an attendee of one of the five legal member kinds")
def attendee_invite(request: HttpRequest, meeting_id: int, payload: AttendeeIn) -> Status:
    meeting = _meeting(request, meeting_id)
    return Status(201, services.attendee_invite(actor=actor(request), meeting=meeting,
                                                user=selectors.staff_user_get(user_id=payload.user_id),
                                                member_kind=payload.member_kind))


@router.put("/meetings/{int:meeting_id}/minutes", response={200: MeetingOut, **ERRORS}, summary="Write the minutes")
def minutes_write(request: HttpRequest, meeting_id: int, payload: MinutesIn) -> Meeting:
    meeting = services.minutes_write(actor=actor(request), meeting=_meeting(request, meeting_id),
                                     minutes=payload.minutes, topics=payload.topics)
    return _detail(request, meeting)


@router.post("/meetings/{int:meeting_id}/minutes/sign", response={200: MeetingOut, **ERRORS},
             summary="The chair signs the minutes off (the meeting becomes read-only)")
def minutes_sign(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = services.minutes_sign(actor=actor(request), meeting=_meeting(request, meeting_id))
    return _detail(request, meeting)


@router.post("/meetings/{int:meeting_id}/action-items", response={201: ActionItemOut, **ERRORS},
             summary="Add an action item with an owner and a due date")
def action_item_add(request: HttpRequest, meeting_id: int, payload: ActionItemIn) -> Status:
    owner = selectors.staff_user_get(user_id=payload.owner_id)
    return Status(201, services.action_item_add(actor=actor(request), meeting=_meeting(request, meeting_id),
                                                title=payload.title, owner=owner, due_on=payload.due_on))


@router.post("/meetings/action-items/{int:item_id}/done", response={200: ActionItemOut, **ERRORS},
             summary="Mark an action item done (its owner or an organiser)")
def action_item_done(request: HttpRequest, item_id: int, payload: DoneIn) -> ActionItem:
    item = selectors.action_item_get(viewer=actor(request), item_id=item_id)
    return services.action_item_done(actor=actor(request), item=item, note=payload.note)


@router.get("/meetings/action-items/overdue", response={200: list[OwnerOverdueOut], **ERRORS},
            summary="Overdue action items per owner")
def action_items_overdue(request: HttpRequest, owner_id: int | None = None) -> list[dict[str, object]]:
    rows = selectors.action_items_overdue_by_owner(viewer=actor(request), owner_id=owner_id)
    return [{"owner": r.owner, "count": r.count, "oldest_due": r.oldest_due, "items": r.items} for r in rows]


@router.get("/meetings/cases/{int:case_id}/items", response={200: list[AgendaItemOut], **ERRORS},
            summary="A case's agenda items and decisions across meetings (logged)")
def case_meeting_items(request: HttpRequest, case_id: int) -> list[AgendaItem]:
    return selectors.case_meeting_items(viewer=actor(request), case_id=case_id, context=access_context(request))


# Councils ------------------------------------------------------------------------------------

@router.get("/meetings/councils", response={200: list[CouncilOut], **ERRORS}, summary="Councils and recurring meetings")
def council_list(request: HttpRequest) -> list[Council]:
    return list(selectors.council_list(viewer=actor(request)))


@router.post("/meetings/councils", response={201: CouncilOut, **ERRORS}, summary="Create a council (city team)")
def council_create(request: HttpRequest, payload: CouncilIn) -> Status:
    chair = selectors.staff_user_get(user_id=payload.chair_id) if payload.chair_id else None
    return Status(201, services.council_create(
        actor=actor(request), name=payload.name, kind=payload.kind, rrule=payload.rrule, starts_on=payload.starts_on,
        time=payload.time, place=payload.place, dong=_dong(payload.dong_id), chair=chair,
        chair_title=payload.chair_title))


@router.get("/meetings/councils/{int:council_id}", response={200: CouncilDetailOut, **ERRORS},
            summary="One council: members and upcoming session dates")
def council_get(request: HttpRequest, council_id: int) -> Council:
    return selectors.council_get(viewer=actor(request), council_id=council_id)


@router.post("/meetings/councils/{int:council_id}/members", response={201: CouncilMemberOut, **ERRORS},
             summary="Add a council member")
def council_member_add(request: HttpRequest, council_id: int, payload: CouncilMemberIn) -> Status:
    council = selectors.council_get(viewer=actor(request), council_id=council_id)
    user = selectors.staff_user_get(user_id=payload.user_id) if payload.user_id else None
    return Status(201, services.council_member_add(actor=actor(request), council=council, name=payload.name,
                                                   user=user, institution=payload.institution, title=payload.title))


@router.post("/meetings/councils/{int:council_id}/sessions", response={201: list[MeetingSummaryOut], **ERRORS},
             summary="Create the next sessions from the recurrence rule")
def council_sessions_schedule(request: HttpRequest, council_id: int, payload: ScheduleIn) -> Status:
    council = selectors.council_get(viewer=actor(request), council_id=council_id)
    return Status(201, services.council_sessions_schedule(actor=actor(request), council=council,
                                                         count=payload.count))
