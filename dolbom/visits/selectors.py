"""Reads of visits, workers and day plans. Visibility is enforced here and nowhere else.

- city integrated-care team: every visit
- dong welfare officer: visits to households of their dong
- case manager: their dong's households, their own cases, and visits assigned to them
- visiting nurse: the visits assigned to them (and, through registry and cases selectors, those clients)
- partner worker, auditor: none
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from dolbom.accounts.models import Role
from dolbom.accounts.scope import profile, visible_by_role
from dolbom.audit.logged import log_list, logged_get
from dolbom.lib.access import AccessContext
from dolbom.registry.models import Resident
from dolbom.visits.errors import VisitErrorCode
from dolbom.visits.models import DayPlan, Visit, VisitStatus, Worker

PLANNER_ROLES = frozenset({Role.DONG_OFFICER, Role.CASE_MANAGER, Role.CITY_TEAM})
# A nurse keeps sight of a client for a while after the visit, to write up notes and answer the
# family, but not for ever (개인정보 보호법 §3: no more access than the purpose needs).
NURSE_SIGHT_DAYS = 30


def can_plan_visits(user: User) -> bool:
    p = profile(user)
    return p is not None and p.role in PLANNER_ROLES


def can_do_visits(user: User) -> bool:
    return Worker.objects.filter(user_id=user.pk, active=True).exists() if user.is_authenticated else False


def nurse_assigned_visits(viewer: User, today: dt.date | None = None) -> QuerySet[Visit]:
    """The visits through which a nurse may see a client: assigned to them, recent or to come."""
    since = (today or dt.date.today()) - dt.timedelta(days=NURSE_SIGHT_DAYS)
    return Visit.objects.filter(assigned_to_id=viewer.pk, due_on__gte=since)


def visit_visible(viewer: User) -> QuerySet[Visit]:
    return visible_by_role(viewer, Visit.objects.all(), kind="visit", dong="household__dong_id",
                           caseload=Q(case__manager=viewer) | Q(assigned_to=viewer),
                           roles={Role.NURSE: Q(pk__in=nurse_assigned_visits(viewer).values("pk"))})


def worker_list(*, viewer: User) -> QuerySet[Worker]:
    """Workers a team leader plans for: their dong office's, or every one for the city team."""
    p = profile(viewer)
    qs = Worker.objects.filter(active=True).select_related("user__staff", "base_dong")
    if p is None or p.role not in PLANNER_ROLES:
        return qs.filter(user_id=viewer.pk)
    if p.role == Role.CITY_TEAM:
        return qs
    return qs.filter(base_dong_id=p.dong_id)


def _subjects(visits: Iterable[Visit]) -> list[int]:
    case_residents = {v.case.resident_id for v in visits if v.case_id and v.case}
    households = [v.household_id for v in visits if not v.case_id]
    members = set(Resident.objects.filter(household_id__in=households).values_list("pk", flat=True)) if households \
        else set()
    return sorted(case_residents | members)


def _log_list(viewer: User, context: AccessContext, visits: list[Visit], record_type: str) -> None:
    # A visit list shows names and addresses: logged like a search (안전성 확보조치 기준 §8).
    if visits:
        log_list(viewer=viewer, context=context, record_type=record_type, resident_ids=_subjects(visits))


def _with_people(qs: QuerySet[Visit]) -> QuerySet[Visit]:
    return qs.select_related("household__dong", "case__resident", "assigned_to__staff")


def visits_for_planning(*, viewer: User, date: dt.date, horizon_days: int = 3) -> QuerySet[Visit]:
    """Open visits the plan for `date` may route: due by then, overdue, or due in the next few days."""
    return _with_people(visit_visible(viewer).filter(status=VisitStatus.OPEN,
                                                     due_on__lte=date + dt.timedelta(days=horizon_days)))


def visit_list(*, viewer: User, context: AccessContext, date: dt.date | None = None, status: str = "",
               limit: int = 300) -> list[Visit]:
    qs = _with_people(visit_visible(viewer))
    if date:
        qs = qs.filter(Q(planned_on=date) | Q(due_on=date))
    if status:
        qs = qs.filter(status=status)
    visits = list(qs[:limit])
    _log_list(viewer, context, visits, "visit_list")
    return visits


def visit_get(*, viewer: User, visit_id: int, context: AccessContext) -> Visit:
    return logged_get(_with_people(visit_visible(viewer)), visit_id, viewer=viewer, context=context,
                      record_type="visit", missing=VisitErrorCode.VISIT_NOT_FOUND, resident="case__resident_id",
                      in_caseload=lambda v: v.assigned_to_id == viewer.pk)


def worker_day(*, viewer: User, date: dt.date, context: AccessContext) -> list[Visit]:
    """The viewer's own route for a day, in visit order."""
    visits = list(_with_people(Visit.objects.filter(assigned_to_id=viewer.pk, planned_on=date))
                  .order_by("planned_order", "pk"))
    _log_list(viewer, context, visits, "visit_day")
    return visits


def day_plan_latest(*, viewer: User, date: dt.date) -> DayPlan | None:
    p = profile(viewer)
    if p is None or p.role not in PLANNER_ROLES:
        return None
    qs = DayPlan.objects.filter(date=date)
    if p.role != Role.CITY_TEAM:
        qs = qs.filter(planned_by__staff__dong_id=p.dong_id)
    return qs.prefetch_related("routes__worker__user__staff", "routes__worker__base_dong").first()


def day_plan_visits(*, viewer: User, plan: DayPlan, context: AccessContext) -> dict[int, Visit]:
    ids = [int(i) for r in plan.routes.all() for i in r.visit_ids] + [int(i) for i in plan.unassigned]
    visits = list(_with_people(visit_visible(viewer).filter(pk__in=ids)))
    _log_list(viewer, context, visits, "visit_plan")
    return {v.pk: v for v in visits}


# The plan as pages and the API show it ---------------------------------------------------------

@dataclass(frozen=True)
class PlannedStop:
    order: int
    visit: Visit
    start: dt.time | None


@dataclass(frozen=True)
class PlannedRoute:
    worker: Worker
    depart: dt.time | None
    back: dt.time | None
    break_at: dt.time | None
    travel_minutes: int
    stops: list[PlannedStop]
    colour: str


@dataclass(frozen=True)
class LeftOut:
    visit: Visit
    reason: str


@dataclass(frozen=True)
class PlanDetail:
    plan: DayPlan
    routes: list[PlannedRoute]
    left_out: list[LeftOut]


ROUTE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22")


def day_plan_detail(*, viewer: User, plan: DayPlan, context: AccessContext) -> PlanDetail:
    visits = day_plan_visits(viewer=viewer, plan=plan, context=context)
    routes = []
    for k, r in enumerate(plan.routes.all()):
        stops = [PlannedStop(order=i, visit=visits[vid], start=visits[vid].planned_start)
                 for i, vid in enumerate(r.visit_ids, 1) if vid in visits]
        routes.append(PlannedRoute(worker=r.worker, depart=r.depart, back=r.back, break_at=r.break_at,
                                   travel_minutes=r.travel_seconds // 60, stops=stops,
                                   colour=ROUTE_COLOURS[k % len(ROUTE_COLOURS)]))
    left_out = [LeftOut(visit=visits[int(vid)], reason=why) for vid, why in plan.unassigned.items()
                if int(vid) in visits]
    return PlanDetail(plan=plan, routes=routes, left_out=left_out)
