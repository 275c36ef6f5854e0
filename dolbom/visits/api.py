"""Visit endpoints: the morning plan, a worker's day, visit outcomes, new visits.

Thin: reads go through visits.selectors (scope and access log), writes are one service call.
No ``from __future__ import annotations``: ninja reads the annotations at import time.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from dolbom.cases.selectors import case_visible
from dolbom.lib.api import ERRORS, LocalTime, access_context, actor
from dolbom.lib.errors import NotFound
from dolbom.registry.models import Household
from dolbom.visits import selectors, services
from dolbom.visits.errors import VisitErrorCode
from dolbom.visits.models import Priority, Visit

router = Router(tags=["visits"])


class VisitOut(Schema):
    id: int
    case_id: int | None
    household_id: int
    dong: str
    lon: float | None
    lat: float | None
    visit_type: str
    skill: str
    duration_minutes: int
    window_start: dt.time
    window_end: dt.time
    priority: int
    due_on: dt.date
    status: str
    planned_on: dt.date | None
    planned_start: dt.time | None
    planned_order: int | None
    assigned_to_id: int | None

    @staticmethod
    def resolve_dong(obj: Visit) -> str:
        return obj.household.dong.name

    @staticmethod
    def resolve_lon(obj: Visit) -> float | None:
        return obj.household.lon

    @staticmethod
    def resolve_lat(obj: Visit) -> float | None:
        return obj.household.lat


class RouteOut(Schema):
    worker_id: int
    worker: str
    skill: str
    base_dong: str
    depart: dt.time | None
    back: dt.time | None
    break_at: dt.time | None
    travel_minutes: int
    visits: list[VisitOut]


class LeftOutOut(Schema):
    visit: VisitOut
    reason: str
    reason_text: str


class DayPlanOut(Schema):
    id: int
    date: dt.date
    created_at: dt.datetime
    seconds: float
    time_limit: float
    travel_minutes: int
    routes: list[RouteOut]
    unassigned: list[LeftOutOut]


class DayPlanIn(Schema):
    date: dt.date
    time_limit: float = 10.0


class VisitOutcomeIn(Schema):
    outcome: str
    note: str = ""
    reschedule_to: dt.date | None = None


class VisitIn(Schema):
    household_id: int
    case_id: int | None = None
    visit_type: str
    skill: str
    duration_minutes: int
    window_start: LocalTime
    window_end: LocalTime
    due_on: dt.date
    priority: int = Priority.NORMAL
    note: str = ""


def _plan_out(request: HttpRequest, plan) -> dict:
    detail = selectors.day_plan_detail(viewer=actor(request), plan=plan, context=access_context(request))
    return {
        "id": plan.pk, "date": plan.date, "created_at": plan.created_at, "seconds": plan.seconds,
        "time_limit": plan.time_limit, "travel_minutes": plan.travel_seconds // 60,
        "routes": [{"worker_id": r.worker.pk, "worker": str(r.worker), "skill": r.worker.skill,
                    "base_dong": r.worker.base_dong.name, "depart": r.depart, "back": r.back, "break_at": r.break_at,
                    "travel_minutes": r.travel_minutes, "visits": [s.visit for s in r.stops]} for r in detail.routes],
        "unassigned": [{"visit": lo.visit, "reason": lo.reason,
                        "reason_text": str(services.REASON_LABELS.get(lo.reason, lo.reason))}
                       for lo in detail.left_out],
    }


@router.post("/visits/plan", response={201: DayPlanOut, **ERRORS}, summary="Plan the day's routes (the morning button)")
def plan_create(request: HttpRequest, payload: DayPlanIn) -> Status[dict]:
    plan = services.visits_plan(actor=actor(request), date=payload.date, time_limit=payload.time_limit)
    return Status(201, _plan_out(request, plan))


@router.get("/visits/plan", response={200: DayPlanOut, **ERRORS}, summary="The latest plan for a date")
def plan_latest(request: HttpRequest, date: dt.date) -> dict:
    plan = selectors.day_plan_latest(viewer=actor(request), date=date)
    if plan is None:
        raise NotFound(VisitErrorCode.VISIT_NOT_FOUND)
    return _plan_out(request, plan)


@router.get("/visits/my-day", response={200: list[VisitOut], **ERRORS}, summary="The caller's route for a day")
def my_day(request: HttpRequest, date: dt.date) -> list[Visit]:
    return selectors.worker_day(viewer=actor(request), date=date, context=access_context(request))


@router.get("/visits", response={200: list[VisitOut], **ERRORS}, summary="Visits in scope, by day and status")
def visit_list(request: HttpRequest, date: dt.date | None = None, status: str = "") -> list[Visit]:
    return selectors.visit_list(viewer=actor(request), context=access_context(request), date=date, status=status)


@router.post("/visits", response={201: VisitOut, **ERRORS}, summary="Add a visit to a case or a household")
def visit_create(request: HttpRequest, payload: VisitIn) -> Status[Visit]:
    user = actor(request)
    household = Household.objects.filter(pk=payload.household_id).first()
    if household is None:
        raise NotFound(VisitErrorCode.VISIT_NOT_FOUND)
    case = None
    if payload.case_id is not None:
        case = case_visible(user).filter(pk=payload.case_id).first()
        if case is None:
            raise NotFound(VisitErrorCode.VISIT_NOT_FOUND)
    visit = services.visit_create(
        actor=user, household=household, case=case, visit_type=payload.visit_type, skill=payload.skill,
        duration_minutes=payload.duration_minutes, window_start=payload.window_start,
        window_end=payload.window_end, due_on=payload.due_on, priority=payload.priority, note=payload.note)
    return Status(201, selectors.visit_get(viewer=user, visit_id=visit.pk, context=access_context(request)))


@router.post("/visits/{visit_id}/outcome", response={200: VisitOut, **ERRORS},
             summary="Mark a visit done, not at home (back tomorrow) or rescheduled")
def visit_outcome(request: HttpRequest, visit_id: int, payload: VisitOutcomeIn) -> Visit:
    user = actor(request)
    visit = selectors.visit_get(viewer=user, visit_id=visit_id, context=access_context(request))
    services.visit_mark(actor=user, visit=visit, outcome=payload.outcome, note=payload.note,
                        reschedule_to=payload.reschedule_to)
    return selectors.visit_get(viewer=user, visit_id=visit_id, context=access_context(request))
