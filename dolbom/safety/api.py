"""Safety endpoints: the gateways' HTTPS batch endpoint (device token) and the emergency worker's API.

Gateways that cannot keep an MQTT connection (a mobile-network modem that sleeps) post their buffered events
to ``POST /api/safety/gateway/events`` with ``Authorization: Bearer <device token>``; the token is issued when
the gateway is installed and only its SHA-256 is kept. The body is ``{"events": [...]}`` (at most 500, each in
the schema of safety/PROTOCOL.md); each event is judged alone and answered in order: ``accepted``,
``duplicate`` (already stored: a resend is harmless) or an error code. The answer comes after the commit, so a
gateway that got it may forget those events, and one that did not may send them again.

No ``from __future__ import annotations``: ninja reads the annotations at import time.
"""

import datetime as dt
import json
from typing import Any, NoReturn

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from dolbom.lib.api import ERRORS, ErrorOut, access_context, actor
from dolbom.lib.errors import DomainError, Forbidden
from dolbom.safety import protocol, selectors, services
from dolbom.safety.errors import IngestErrorCode, SafetyErrorCode
from dolbom.safety.models import Home, HomeStatus, Incident, Transport

router = Router(tags=["safety"])


class GatewayTokenAuth(HttpBearer):
    """The gateway's device token: it may post events of its own controller, nothing else."""

    def authenticate(self, request: HttpRequest, token: str):
        return services.gateway_authenticate(token)


# Schemas -------------------------------------------------------------------------------------------

class SafetyRefusedOut(Schema):
    index: int
    code: str
    message: str


class SafetyBatchOut(Schema):
    accepted: int
    duplicates: int
    refused: list[SafetyRefusedOut]
    results: list[str]


class SafetyIncidentOut(Schema):
    id: int
    home_id: int
    resident_id: int
    resident_name: str
    dong: str
    cause: str
    level: str
    severity: int
    status: str
    opened_at: dt.datetime
    event_at: dt.datetime
    repeats: int
    acknowledged_at: dt.datetime | None
    attended_at: dt.datetime | None
    resolved_at: dt.datetime | None
    outcome: str
    false_alarm_reason: str
    report_119: str
    escalation: int
    checkin_status: str
    case_id: int | None

    @staticmethod
    def resolve_resident_id(obj: Incident) -> int:
        return obj.home.resident_id

    @staticmethod
    def resolve_resident_name(obj: Incident) -> str:
        return obj.home.resident.name

    @staticmethod
    def resolve_dong(obj: Incident) -> str:
        return obj.dong.name


class SafetyHomeOut(Schema):
    id: int
    resident_id: int
    resident_name: str
    dong: str
    status: str
    worker_id: int | None
    installed_on: dt.date | None
    caution_minutes: int
    warning_minutes: int
    danger_minutes: int
    last_activity_at: dt.datetime | None
    next_level: str
    next_due_at: dt.datetime | None

    @staticmethod
    def resolve_resident_name(obj: Home) -> str:
        return obj.resident.name

    @staticmethod
    def resolve_dong(obj: Home) -> str:
        return obj.dong.name

    @staticmethod
    def resolve_last_activity_at(obj: Home) -> dt.datetime | None:
        clock = getattr(obj, "clock", None)
        return clock.last_activity_at if clock else None

    @staticmethod
    def resolve_next_level(obj: Home) -> str:
        clock = getattr(obj, "clock", None)
        return clock.next_level if clock else ""

    @staticmethod
    def resolve_next_due_at(obj: Home) -> dt.datetime | None:
        clock = getattr(obj, "clock", None)
        return clock.due_at if clock else None


class SafetyWaitingOut(Schema):
    home_id: int
    resident_id: int
    resident_name: str
    dong: str
    points: int
    crisis_score: float | None
    age: int
    lives_alone: bool
    reasons: list[str]
    applied_on: dt.date


class SafetyRespondIn(Schema):
    action: str  # phone_call | visit | dispatch_119
    note: str = ""


class SafetyFalseAlarmIn(Schema):
    reason: str
    note: str = ""


class SafetyResolveIn(Schema):
    outcome: str
    note: str = ""


class SafetyAbsenceIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str
    note: str = ""


class SafetyAbsenceOut(Schema):
    id: int
    home_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str
    note: str


# The gateways' endpoint -----------------------------------------------------------------------------

_BATCH_SCHEMA = {
    "type": "object", "required": ["events"],
    "properties": {"events": {"type": "array", "maxItems": protocol.MAX_EVENTS_PER_BATCH,
                              "items": protocol.EventIn.model_json_schema(ref_template="#/components/schemas/{model}")}},
}


def _refuse(request: HttpRequest, code: IngestErrorCode, detail: str, **params: Any) -> NoReturn:
    services.reject_record(refused=[protocol.Refused(code, detail, request.body[:8192].decode("utf-8", "replace"))],
                           transport=Transport.HTTPS)
    raise DomainError(code, **params)


@router.post("/safety/gateway/events", auth=GatewayTokenAuth(), response={200: SafetyBatchOut, 400: ErrorOut, 401: ErrorOut},
             summary="Events from a gateway (device token), up to 500 at a time",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _BATCH_SCHEMA}}}})
def gateway_events(request: HttpRequest) -> dict:
    gateway = request.auth  # type: ignore[attr-defined]
    if len(request.body) > protocol.MAX_MESSAGE_BYTES * 8:
        _refuse(request, IngestErrorCode.TOO_LARGE, f"{len(request.body)} bytes")
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        _refuse(request, IngestErrorCode.MALFORMED_JSON, "body")
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list):
        _refuse(request, IngestErrorCode.FIELD_MISSING, "events", field="events")
    if len(events) > protocol.MAX_EVENTS_PER_BATCH:
        _refuse(request, IngestErrorCode.BATCH_TOO_LARGE, str(len(events)), limit=protocol.MAX_EVENTS_PER_BATCH)
    items = [(item, json.dumps(item, ensure_ascii=False, separators=(",", ":"))) for item in events]
    # Validate one by one so that each answer lines up with its event.
    results: list[str] = []
    parsed: list[protocol.Parsed] = []
    refused: list[protocol.Refused] = []
    where: list[int] = []
    messages = IngestErrorCode.messages()
    refused_out = []
    for index, item in enumerate(items):
        ok, bad = protocol.judge([item], now=timezone.now(), controller=gateway.serial)
        if bad:
            results.append(str(bad[0].code))
            refused.append(bad[0])
            refused_out.append({"index": index, "code": str(bad[0].code), "message": str(messages[bad[0].code])})
        else:
            results.append("")
            parsed += ok
            where.append(index)
    result = services.events_ingest(parsed=parsed, refused=refused, transport=Transport.HTTPS)
    for index, status in zip(where, result.statuses, strict=True):
        results[index] = status
        if status not in ("accepted", "duplicate"):
            code = IngestErrorCode(status)
            refused_out.append({"index": index, "code": status, "message": str(messages[code])})
    refused_out.sort(key=lambda r: r["index"])
    return {"accepted": results.count("accepted"), "duplicates": results.count("duplicate"), "refused": refused_out,
            "results": results}


# The emergency worker's API ----------------------------------------------------------------------------

@router.get("/safety/incidents", response={200: list[SafetyIncidentOut], **ERRORS},
            summary="Open alerts in your scope, most severe and oldest first")
def incident_list(request: HttpRequest) -> list[Incident]:
    board = selectors.board(viewer=actor(request))
    selectors.board_log(viewer=actor(request), context=access_context(request), shown=board.shown)
    return board.open


@router.get("/safety/incidents/{incident_id}", response={200: SafetyIncidentOut, **ERRORS}, summary="One alert")
def incident_get(request: HttpRequest, incident_id: int) -> Incident:
    return selectors.incident_get(viewer=actor(request), incident_id=incident_id, context=access_context(request))


def _after(request: HttpRequest, incident_id: int) -> Incident:
    return selectors.incident_get(viewer=actor(request), incident_id=incident_id, context=access_context(request))


@router.post("/safety/incidents/{incident_id}/acknowledge", response={200: SafetyIncidentOut, **ERRORS},
             summary="Acknowledge an alert (what the 60-second target measures)")
def incident_acknowledge(request: HttpRequest, incident_id: int) -> Incident:
    services.incident_acknowledge(actor=actor(request), incident=Incident(pk=incident_id))
    return _after(request, incident_id)


@router.post("/safety/incidents/{incident_id}/respond", response={200: SafetyIncidentOut, **ERRORS},
             summary="Log a phone call, a visit or a 119 dispatch")
def incident_respond(request: HttpRequest, incident_id: int, payload: SafetyRespondIn) -> Incident:
    services.incident_respond(actor=actor(request), incident=Incident(pk=incident_id), action=payload.action,
                              note=payload.note)
    return _after(request, incident_id)


@router.post("/safety/incidents/{incident_id}/false-alarm", response={200: SafetyIncidentOut, **ERRORS},
             summary="Close an alert as a false alarm, with a reason code")
def incident_false_alarm(request: HttpRequest, incident_id: int, payload: SafetyFalseAlarmIn) -> Incident:
    services.incident_false_alarm(actor=actor(request), incident=Incident(pk=incident_id), reason=payload.reason,
                                  note=payload.note)
    return _after(request, incident_id)


@router.post("/safety/incidents/{incident_id}/resolve", response={200: SafetyIncidentOut, **ERRORS},
             summary="Resolve an alert with its outcome")
def incident_resolve(request: HttpRequest, incident_id: int, payload: SafetyResolveIn) -> Incident:
    services.incident_resolve(actor=actor(request), incident=Incident(pk=incident_id), outcome=payload.outcome,
                              note=payload.note)
    return _after(request, incident_id)


@router.get("/safety/homes", response={200: list[SafetyHomeOut], **ERRORS}, summary="Homes in your scope")
def home_list(request: HttpRequest, status: str = HomeStatus.ACTIVE, q: str = "") -> list[Home]:
    if status not in HomeStatus.values:
        raise DomainError(SafetyErrorCode.HOME_NOT_FOUND)
    return selectors.home_list(viewer=actor(request), context=access_context(request), status=status, query=q)


@router.get("/safety/homes/{home_id}", response={200: SafetyHomeOut, **ERRORS}, summary="One home")
def home_get(request: HttpRequest, home_id: int) -> Home:
    return selectors.home_get(viewer=actor(request), home_id=home_id, context=access_context(request))


@router.post("/safety/homes/{home_id}/absences", response={201: SafetyAbsenceOut, **ERRORS},
             summary="Register an absence (at most 31 days): no inactivity alert while it lasts")
def absence_create(request: HttpRequest, home_id: int, payload: SafetyAbsenceIn) -> Status:
    absence = services.absence_register(actor=actor(request), home=Home(pk=home_id), starts_at=payload.starts_at,
                                        ends_at=payload.ends_at, reason=payload.reason, note=payload.note)
    return Status(201, absence)


@router.get("/safety/waiting", response={200: list[SafetyWaitingOut], **ERRORS},
            summary="The waiting list, most in need first, with the reason")
def waiting_list(request: HttpRequest) -> list[dict]:
    if not selectors.can_add_to_waitlist(actor(request)):
        raise Forbidden(SafetyErrorCode.NOT_ALLOWED)
    return [{"home_id": w.home.pk, "resident_id": w.home.resident_id, "resident_name": w.home.resident.name,
             "dong": w.home.dong.name, "points": w.points, "crisis_score": w.crisis, "age": w.age,
             "lives_alone": w.lives_alone, "reasons": w.reasons, "applied_on": w.home.applied_on}
            for w in selectors.waiting_list(viewer=actor(request), context=access_context(request))]
