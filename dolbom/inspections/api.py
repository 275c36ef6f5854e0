"""Inspection endpoints: the tablet's sync and photo upload, what the tablet caches, facilities and reports.

Thin: reads go through inspections.selectors (scope and access log), writes are one service call. The
tablet's page calls ``POST /api/inspections/sync`` with its session and the page's CSRF token, as any
form would; a token or session that expired while the tablet was offline answers 403 ``csrf_failed`` or
401 ``unauthenticated`` and stores nothing, and the page keeps the inspection to send after a new login.
No ``from __future__ import annotations``: ninja reads the annotations at import time.
"""

import datetime as dt
import uuid
from decimal import Decimal

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from dolbom.inspections import reports, selectors, services
from dolbom.inspections.models import Facility, Inspection
from dolbom.lib.api import ERRORS, access_context, actor

router = Router(tags=["inspections"])


class AnswerIn(Schema):
    item: str
    answer: str
    value: Decimal | None = None
    note: str = ""


class ReadingIn(Schema):
    client_id: uuid.UUID
    surface: str
    instrument_id: int
    rlu: int
    measured_at: dt.datetime
    after_cleaning: bool = True
    retest_of: uuid.UUID | None = None
    note: str = ""


class ActionIn(Schema):
    client_id: uuid.UUID
    description: str
    owner: str
    due_on: dt.date
    item: str | None = None
    reading: uuid.UUID | None = None


class CoachingIn(Schema):
    client_id: uuid.UUID
    topics: list[str] = []
    materials: list[str] = []
    attendees: int = 0
    note: str = ""


class InspectionSyncIn(Schema):
    client_id: uuid.UUID
    facility_id: int
    template_id: int
    visited_on: dt.date
    started_at: dt.datetime | None = None
    planned_id: int | None = None
    visit_id: int | None = None
    answers: list[AnswerIn] = []
    readings: list[ReadingIn] = []
    actions: list[ActionIn] = []
    coaching: CoachingIn | None = None
    note: str = ""
    submit: bool = False


class SyncOut(Schema):
    inspection_id: int
    client_id: uuid.UUID
    status: str
    score: Decimal | None
    grade: str
    created: bool
    changed: bool
    problems: list[str]
    readings: dict[str, str]  # reading client id -> result as stored (pass, caution, fail)


class PhotoOut(Schema):
    client_id: uuid.UUID
    created: bool
    size: int


class FacilityOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    operator: str
    road_address: str
    dong: str
    diners_per_day: int
    programmes: list[str]
    risk_level: str
    group_meal_service: bool
    synthetic: bool

    @staticmethod
    def resolve_dong(obj: Facility) -> str:
        return obj.dong.name


class FacilityRowOut(Schema):
    facility: FacilityOut
    last_visited_on: dt.date | None
    last_score: Decimal | None
    last_grade: str
    next_due_on: dt.date
    open_actions: int
    overdue_actions: int


class AnswerOut(Schema):
    item: str
    number: int
    answer: str
    value: Decimal | None
    compliant: bool | None


class ReadingOut(Schema):
    client_id: uuid.UUID
    surface: str
    instrument: str
    rlu: int
    result: str
    pass_max: int
    caution_max: int
    measured_at: dt.datetime
    retest_of: uuid.UUID | None


class ActionOut(Schema):
    id: int
    client_id: uuid.UUID
    item: str | None
    description: str
    owner: str
    due_on: dt.date
    status: str


class InspectionOut(Schema):
    id: int
    client_id: uuid.UUID
    facility_id: int
    kind: str
    status: str
    visited_on: dt.date | None
    template_version: int
    score: Decimal | None
    grade: str
    answers: list[AnswerOut]
    readings: list[ReadingOut]
    actions: list[ActionOut]


class ItemFailureOut(Schema):
    number: int
    code: str
    text: str
    severity: str
    legal_basis: str
    failed: int
    applicable: int
    rate: float


class RoundReportOut(Schema):
    id: int
    name: str
    facilities: int
    closed: int
    passed: int
    failed: int
    mean_score: Decimal | None
    items: list[ItemFailureOut]
    open_actions: int


def _doc(payload: InspectionSyncIn) -> services.InspectionDoc:
    return services.InspectionDoc(
        client_id=payload.client_id, facility_id=payload.facility_id, template_id=payload.template_id,
        visited_on=payload.visited_on, started_at=payload.started_at, planned_id=payload.planned_id,
        visit_id=payload.visit_id, note=payload.note, submit=payload.submit,
        answers=[services.AnswerDoc(item=a.item, answer=a.answer, value=a.value, note=a.note) for a in payload.answers],
        readings=[services.ReadingDoc(client_id=r.client_id, surface=r.surface, instrument_id=r.instrument_id,
                                      rlu=r.rlu, measured_at=r.measured_at, after_cleaning=r.after_cleaning,
                                      retest_of=r.retest_of, note=r.note) for r in payload.readings],
        actions=[services.ActionDoc(client_id=a.client_id, description=a.description, owner=a.owner,
                                    due_on=a.due_on, item=a.item, reading=a.reading) for a in payload.actions],
        coaching=(services.CoachingDoc(client_id=payload.coaching.client_id, topics=payload.coaching.topics,
                                       materials=payload.coaching.materials, attendees=payload.coaching.attendees,
                                       note=payload.coaching.note) if payload.coaching else None),
    )


@router.post("/inspections/sync", response={200: SyncOut, 201: SyncOut, **ERRORS},
             summary="Store an inspection from the tablet (idempotent by client_id)")
def inspection_sync(request: HttpRequest, payload: InspectionSyncIn) -> Status[dict]:
    result = services.inspection_sync(actor=actor(request), doc=_doc(payload))
    i = result.inspection
    body = {"inspection_id": i.pk, "client_id": i.client_id, "status": i.status, "score": i.score,
            "grade": i.grade, "created": result.created, "changed": result.changed, "problems": result.problems,
            "readings": {str(r.client_id): r.result for r in i.readings.all()}}
    return Status(201 if result.created else 200, body)


@router.post("/inspections/photos", response={200: PhotoOut, 201: PhotoOut, **ERRORS},
             summary="Upload a photo of a checklist item or of a corrective action's proof (idempotent)")
def photo_upload(request: HttpRequest, client_id: Form[uuid.UUID], inspection: Form[uuid.UUID],
                 file: File[UploadedFile], item: Form[str] = "", action: Form[uuid.UUID | None] = None
                 ) -> Status[dict]:
    photo, created = services.photo_upload(actor=actor(request), client_id=client_id, inspection_client_id=inspection,
                                           data=file.read(), item_code=item, action_client_id=action)
    return Status(201 if created else 200, {"client_id": photo.client_id, "created": created, "size": photo.size})


@router.get("/inspections/field-data", response={200: dict, **ERRORS},
            summary="What the tablet caches for offline work: facilities, checklist, instruments, planned work")
def field_data(request: HttpRequest) -> dict:
    return selectors.field_data(viewer=actor(request))


@router.get("/inspections/facilities", response={200: list[FacilityRowOut], **ERRORS},
            summary="Facilities in scope with their last result, next due date and open actions")
def facility_list(request: HttpRequest, dong_id: int | None = None, risk: str = "", q: str = "") -> list:
    return selectors.facility_list(viewer=actor(request), dong_id=dong_id, risk=risk, query=q)


@router.get("/inspections/facilities/{facility_id}", response={200: FacilityOut, **ERRORS}, summary="One facility")
def facility_get(request: HttpRequest, facility_id: int) -> Facility:
    return selectors.facility_get(viewer=actor(request), facility_id=facility_id, context=access_context(request))


@router.get("/inspections/{inspection_id}", response={200: InspectionOut, **ERRORS},
            summary="One inspection with its answers, ATP readings and corrective actions")
def inspection_get(request: HttpRequest, inspection_id: int) -> dict:
    i: Inspection = selectors.inspection_get(viewer=actor(request), inspection_id=inspection_id,
                                             context=access_context(request))
    return {
        "id": i.pk, "client_id": i.client_id, "facility_id": i.facility_id, "kind": i.kind, "status": i.status,
        "visited_on": i.visited_on, "template_version": i.template.version, "score": i.score, "grade": i.grade,
        "answers": [{"item": a.item.code, "number": a.item.number, "answer": a.answer, "value": a.value,
                     "compliant": a.compliant} for a in selectors.inspection_answers(inspection=i)],
        "readings": [{"client_id": r.client_id, "surface": r.surface, "instrument": r.instrument.model, "rlu": r.rlu,
                      "result": r.result, "pass_max": r.pass_max, "caution_max": r.caution_max,
                      "measured_at": r.measured_at,
                      "retest_of": r.retest_of.client_id if r.retest_of_id else None}
                     for r in selectors.inspection_readings(inspection=i)],
        "actions": [{"id": a.pk, "client_id": a.client_id, "item": a.item.code if a.item else None,
                     "description": a.description, "owner": a.owner, "due_on": a.due_on, "status": a.status}
                    for a in i.actions.select_related("item")],
    }


@router.get("/inspections/rounds/{round_id}/report", response={200: RoundReportOut, **ERRORS},
            summary="A round's results: passed, failed items ranked, open actions")
def round_report(request: HttpRequest, round_id: int) -> dict:
    rnd = selectors.round_get(round_id=round_id)
    report = reports.round_report(viewer=actor(request), rnd=rnd)
    return {"id": rnd.pk, "name": rnd.name, "facilities": report.facilities, "closed": report.closed,
            "passed": report.passed, "failed": report.failed, "mean_score": report.mean_score,
            "items": [{**i.__dict__, "rate": i.rate} for i in report.items], "open_actions": len(report.open_actions)}
