"""Check-in endpoints: enrolments, memory, the turn-by-turn call API a telephony gateway drives, alerts,
call-backs, purpose calls and the dashboard.

A gateway (with its own speech-to-text and text-to-speech) works with a bearer token:
GET /api/checkins/calls/due → dial each → POST .../start (answered) or .../no-answer →
POST .../turns with the client's words, speak the answer → until ``ended`` → POST .../end if the line drops.

No ``from __future__ import annotations`` here: ninja reads the annotations at import time.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from dolbom.areas.models import Dong
from dolbom.checkins import selectors, services
from dolbom.checkins.channels import TextChannel
from dolbom.checkins.models import (
    Alert,
    AlertKind,
    AlertStatus,
    Call,
    CallbackTask,
    CallStatus,
    CampaignKind,
    Channel,
    Enrolment,
    EnrolmentStatus,
    Frequency,
    Severity,
    Slot,
    Topic,
)
from dolbom.lib.api import ERRORS, LocalTime, Purpose, access_context, actor

router = Router(tags=["checkins"])


# Schemas -------------------------------------------------------------------------------------

class EnrolmentIn(Schema):
    case_id: int
    frequency: Frequency
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    second_weekday: int | None = Field(None, ge=0, le=6, description="twice a week only")
    window_start: LocalTime
    window_end: LocalTime
    preferred_name: str
    honorific: str = "어르신"
    topics: list[Topic] = []
    opted_out: list[Topic] = []
    note: str = ""


class EnrolmentOut(Schema):
    id: int
    case_id: int
    resident_id: int
    client_name: str
    status: EnrolmentStatus
    frequency: Frequency
    weekday: int
    second_weekday: int | None
    window_start: dt.time
    window_end: dt.time
    preferred_name: str
    honorific: str
    topics: list[str]
    opted_out: list[str]
    next_due_at: dt.datetime | None
    missed_in_row: int

    @staticmethod
    def resolve_client_name(obj: Enrolment) -> str:
        return obj.resident.name


class StatusIn(Schema):
    status: EnrolmentStatus
    note: str = ""


class MemoryOut(Schema):
    slot: str
    value: str
    follow_up: str
    updated_at: dt.datetime | None


class MemoryIn(Schema):
    value: str
    ask_next: bool = False
    reason: str


class CallDueOut(Schema):
    id: int
    enrolment_id: int
    kind: str
    client_name: str
    phone: str
    attempts: int
    next_attempt_at: dt.datetime | None

    @staticmethod
    def resolve_client_name(obj: Call) -> str:
        return obj.enrolment.resident.name

    @staticmethod
    def resolve_phone(obj: Call) -> str:
        return obj.enrolment.resident.phone


class CallStartIn(Schema):
    channel: Channel = Channel.TEXT_API


class TurnIn(Schema):
    text: str = Field("", description="What the client said (speech-to-text); empty for silence")


class TurnOut(Schema):
    call_id: int
    text: str = Field(description="What the caller says next (to speak with text-to-speech)")
    ended: bool
    outcome: str
    safety: bool
    status: CallStatus


class TurnRowOut(Schema):
    seq: int
    role: str
    text: str
    signals: dict[str, Any]
    at: dt.datetime


class CallOut(Schema):
    id: int
    enrolment_id: int
    kind: str
    status: CallStatus
    channel: str
    due_at: dt.datetime
    attempts: int
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    summary: str
    signals: dict[str, Any]
    evidence: dict[str, Any]
    needs_followup: bool
    safety: bool
    llm_used: bool
    turns: list[TurnRowOut] = []


class AlertOut(Schema):
    id: int
    case_id: int
    call_id: int | None
    client_name: str
    dong: str
    kind: AlertKind
    severity: Severity
    status: AlertStatus
    excerpt: str
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acted_at: dt.datetime | None
    action_note: str
    closed_at: dt.datetime | None
    close_note: str
    escalation: int

    @staticmethod
    def resolve_client_name(obj: Alert) -> str:
        return obj.case.resident.name

    @staticmethod
    def resolve_dong(obj: Alert) -> str:
        return obj.dong.name


class NoteIn(Schema):
    note: str = ""


class CallbackOut(Schema):
    id: int
    call_id: int
    client_name: str
    phone: str
    status: str
    created_at: dt.datetime

    @staticmethod
    def resolve_client_name(obj: CallbackTask) -> str:
        return obj.call.enrolment.resident.name

    @staticmethod
    def resolve_phone(obj: CallbackTask) -> str:
        return obj.call.enrolment.resident.phone


class CallbackIn(Schema):
    reached: bool
    note: str


class CampaignIn(Schema):
    kind: CampaignKind
    title: str
    message: str = ""
    dong_id: int | None = None


class CampaignOut(Schema):
    id: int
    kind: CampaignKind
    title: str
    calls: int


class DongRowOut(Schema):
    dong: str
    calls: int
    answered: int
    reached_by_callback: int
    response_rate: float | None
    alerts: dict[str, int]
    open_alerts: int
    ack_median_minutes: float | None


# Enrolments -----------------------------------------------------------------------------------

def _enrolment(request: HttpRequest, enrolment_id: int, purpose: str | None = None,
               default_purpose: str = "") -> Enrolment:
    return selectors.enrolment_get(viewer=actor(request), enrolment_id=enrolment_id,
                                   context=access_context(request, purpose, default_purpose))


@router.get("/checkins/enrolments", response={200: list[EnrolmentOut], **ERRORS}, summary="Enrolled clients")
def enrolment_list(request: HttpRequest, status: EnrolmentStatus | None = None) -> list[Enrolment]:
    return selectors.enrolment_list(viewer=actor(request), context=access_context(request), status=status or "")


@router.post("/checkins/enrolments", response={201: EnrolmentOut, **ERRORS}, summary="Enrol a client")
def enrolment_create(request: HttpRequest, payload: EnrolmentIn) -> Status[Enrolment]:
    from dolbom.cases.models import Case

    enrolment = services.enrolment_create(
        actor=actor(request), case=Case(pk=payload.case_id),
        schedule=services.Schedule(frequency=payload.frequency, weekday=payload.weekday,
                                   second_weekday=payload.second_weekday, window_start=payload.window_start,
                                   window_end=payload.window_end),
        preferences=services.Preferences(preferred_name=payload.preferred_name, honorific=payload.honorific,
                                         topics=[str(t) for t in payload.topics],
                                         opted_out=[str(t) for t in payload.opted_out], note=payload.note),
    )
    return Status(201, _enrolment(request, enrolment.pk, default_purpose="안부전화 등록"))


@router.get("/checkins/enrolments/{enrolment_id}", response={200: EnrolmentOut, **ERRORS}, summary="One enrolment")
def enrolment_detail(request: HttpRequest, enrolment_id: int, purpose: str | None = Purpose) -> Enrolment:
    return _enrolment(request, enrolment_id, purpose)


@router.post("/checkins/enrolments/{enrolment_id}/status", response={200: EnrolmentOut, **ERRORS},
             summary="Pause, resume or stop")
def enrolment_status(request: HttpRequest, enrolment_id: int, payload: StatusIn) -> Enrolment:
    services.enrolment_set_status(actor=actor(request), enrolment=Enrolment(pk=enrolment_id), status=payload.status,
                                  note=payload.note)
    return _enrolment(request, enrolment_id, default_purpose="안부전화 상태 변경")


@router.get("/checkins/enrolments/{enrolment_id}/memory", response={200: list[MemoryOut], **ERRORS},
            summary="What the caller remembers about the client")
def memory_read(request: HttpRequest, enrolment_id: int, purpose: str | None = Purpose) -> list[dict[str, Any]]:
    enrolment = _enrolment(request, enrolment_id, purpose)
    return [{"slot": v.slot.value, "value": v.memory.value if v.memory else "",
             "follow_up": v.memory.follow_up if v.memory else "",
             "updated_at": v.memory.updated_at if v.memory else None}
            for v in selectors.memory_for(enrolment=enrolment, changes=0)]


@router.put("/checkins/enrolments/{enrolment_id}/memory/{slot}", response={200: MemoryOut, **ERRORS},
            summary="Correct one memory slot (logged with the reason)")
def memory_correct(request: HttpRequest, enrolment_id: int, slot: Slot, payload: MemoryIn) -> dict[str, Any]:
    memory = services.memory_correct(actor=actor(request), enrolment=Enrolment(pk=enrolment_id), slot=slot,
                                     value=payload.value, ask_next=payload.ask_next, reason=payload.reason)
    return {"slot": memory.slot, "value": memory.value, "follow_up": memory.follow_up, "updated_at": memory.updated_at}


@router.post("/checkins/enrolments/{enrolment_id}/calls", response={201: CallOut, **ERRORS},
             summary="Make a call due now")
def call_now(request: HttpRequest, enrolment_id: int) -> Status[Call]:
    call = services.call_now(actor=actor(request), enrolment=Enrolment(pk=enrolment_id))
    return Status(201, call)


# Calls (the gateway's turn-by-turn API) ---------------------------------------------------------

def _turn_out(result: services.TurnResult) -> dict[str, Any]:
    return {"call_id": result.call.pk, "text": result.text, "ended": result.ended, "outcome": result.outcome,
            "safety": result.safety, "status": result.call.status}


@router.get("/checkins/calls/due", response={200: list[CallDueOut], **ERRORS}, summary="Calls to dial now")
def calls_due(request: HttpRequest) -> list[Call]:
    return selectors.calls_due(viewer=actor(request), context=access_context(request))


@router.post("/checkins/calls/{call_id}/start", response={200: TurnOut, **ERRORS},
             summary="The client answered: get the caller's first line")
def call_start(request: HttpRequest, call_id: int, payload: CallStartIn) -> dict[str, Any]:
    channel = TextChannel(payload.channel if payload.channel != Channel.VOICE else Channel.TEXT_API)
    return _turn_out(services.call_start(actor=actor(request), call=Call(pk=call_id), channel=channel))


@router.post("/checkins/calls/{call_id}/turns", response={200: TurnOut, **ERRORS},
             summary="Post what the client said; get what the caller says next")
def call_turn(request: HttpRequest, call_id: int, payload: TurnIn) -> dict[str, Any]:
    return _turn_out(services.call_reply(actor=actor(request), call=Call(pk=call_id), text=payload.text,
                                         channel=TextChannel(Channel.TEXT_API)))


@router.post("/checkins/calls/{call_id}/end", response={200: CallOut, **ERRORS}, summary="The line was closed")
def call_end(request: HttpRequest, call_id: int) -> Call:
    services.call_hang_up(actor=actor(request), call=Call(pk=call_id))
    return _call_out(request, call_id)


@router.post("/checkins/calls/{call_id}/no-answer", response={200: CallOut, **ERRORS},
             summary="The phone rang out (a retry is scheduled, or a call-back task after the last try)")
def call_no_answer(request: HttpRequest, call_id: int) -> Call:
    services.call_no_answer(actor=actor(request), call=Call(pk=call_id))
    return _call_out(request, call_id)


def _call_out(request: HttpRequest, call_id: int, purpose: str | None = None) -> Call:
    return selectors.call_get(viewer=actor(request), call_id=call_id,
                              context=access_context(request, purpose, default_purpose="" if purpose else "통화 처리"))


@router.get("/checkins/calls/{call_id}", response={200: CallOut, **ERRORS},
            summary="One call with its transcript (logged: it is a person's record; purpose outside your caseload)")
def call_detail(request: HttpRequest, call_id: int, purpose: str | None = Purpose) -> Call:
    return selectors.call_get(viewer=actor(request), call_id=call_id, context=access_context(request, purpose))


# Alerts, call-backs, purpose calls, dashboard ----------------------------------------------------

@router.get("/checkins/alerts", response={200: list[AlertOut], **ERRORS}, summary="The alert queue")
def alert_list(request: HttpRequest, status: str = "active", severity: Severity | None = None,
               mine: bool = False) -> list[Alert]:
    return selectors.alert_list(viewer=actor(request), context=access_context(request),
                                filters=selectors.AlertFilters(status=status, severity=severity or "", mine=mine))


def _alert(request: HttpRequest, alert_id: int) -> Alert:
    return selectors.alert_get(viewer=actor(request), alert_id=alert_id,
                               context=access_context(request, default_purpose="경보 처리"))


@router.post("/checkins/alerts/{alert_id}/acknowledge", response={200: AlertOut, **ERRORS}, summary="Acknowledge")
def alert_acknowledge(request: HttpRequest, alert_id: int) -> Alert:
    services.alert_acknowledge(actor=actor(request), alert=Alert(pk=alert_id))
    return _alert(request, alert_id)


@router.post("/checkins/alerts/{alert_id}/act", response={200: AlertOut, **ERRORS}, summary="Record what was done")
def alert_act(request: HttpRequest, alert_id: int, payload: NoteIn) -> Alert:
    services.alert_act(actor=actor(request), alert=Alert(pk=alert_id), note=payload.note)
    return _alert(request, alert_id)


@router.post("/checkins/alerts/{alert_id}/close", response={200: AlertOut, **ERRORS}, summary="Close with a note")
def alert_close(request: HttpRequest, alert_id: int, payload: NoteIn) -> Alert:
    services.alert_close(actor=actor(request), alert=Alert(pk=alert_id), note=payload.note)
    return _alert(request, alert_id)


@router.get("/checkins/callbacks", response={200: list[CallbackOut], **ERRORS}, summary="Call-backs to make")
def callback_list(request: HttpRequest) -> list[CallbackTask]:
    return selectors.callback_list(viewer=actor(request), context=access_context(request))


@router.post("/checkins/callbacks/{task_id}", response={200: CallbackOut, **ERRORS}, summary="Record a call-back")
def callback_record(request: HttpRequest, task_id: int, payload: CallbackIn) -> CallbackTask:
    return services.callback_record(actor=actor(request), task=CallbackTask(pk=task_id), reached=payload.reached,
                                    note=payload.note)


@router.post("/checkins/campaigns", response={201: CampaignOut, **ERRORS}, summary="Purpose call to a group")
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status[dict[str, Any]]:
    dong = Dong.objects.filter(pk=payload.dong_id).first() if payload.dong_id else None
    campaign = services.campaign_create(actor=actor(request), kind=payload.kind, title=payload.title,
                                        message=payload.message, dong=dong)
    return Status(201, {"id": campaign.pk, "kind": campaign.kind, "title": campaign.title,
                        "calls": campaign.calls.count()})


@router.get("/checkins/dashboard", response={200: list[DongRowOut], **ERRORS}, summary="Response and alerts per dong")
def dashboard(request: HttpRequest, days: int = 30) -> list[dict[str, Any]]:
    rows = selectors.dashboard_by_dong(viewer=actor(request), days=max(1, min(days, 366)))
    return [{**r.__dict__, "response_rate": r.response_rate} for r in rows]
