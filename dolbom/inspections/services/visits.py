"""Visits to facilities planned into inspectors' days by the visits app's route solver.

Why not ``visits.services.visit_create``: a ``visits.Visit`` is a home visit. It must name a
``registry.Household`` (``Visit.household`` is a non-null foreign key, and ``visit_create`` checks the
household against the actor's dong scope), its worker is a ``visits.Worker`` with a home-visit skill
(nurse, case manager, social worker) based at a dong office, and the morning plan routes only the
``Visit`` rows of the planner's dong (``visits_for_planning``). A kitchen is none of these: inventing a
household for it would put a fake family in the registry and in every household count. What the visits app
does offer, and what this module uses, is its solver (``visits.solver.day.plan_day``): workers with shifts,
a start and end place and skills; visits with a place, a time window, a duration and a priority. Our own
``FacilityVisit`` rows and ``Inspector`` rows are handed to it as ``DayVisit`` and ``DayWorker``, and the
routes it returns are written back here. To plan kitchens and homes in one route, visits would need a
visit with a place that is not a household (a location and a label) and an "inspector" skill.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dolbom.inspections import events
from dolbom.inspections.errors import InspectionErrorCode
from dolbom.inspections.models import (
    Facility,
    FacilityDayPlan,
    FacilityVisit,
    FacilityVisitKind,
    FacilityVisitStatus,
    Inspection,
    InspectionStatus,
)
from dolbom.inspections.selectors import (
    facility_visible,
    facility_visit_visible,
    facility_visits_open,
    inspector_list,
)
from dolbom.inspections.services.facilities import require_lead
from dolbom.lib.errors import DomainError, NotFound
from dolbom.visits.solver.day import DayVisit, DayWorker, plan_day
from dolbom.visits.solver.travel import Place, TravelTimes

SKILL = "facility_inspection"
PLANNING_HORIZON_DAYS = 5
LUNCH_START = dt.time(12)
LUNCH_MINUTES = 60


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _time(seconds: int) -> dt.time:
    seconds = max(0, min(seconds, 24 * 3600 - 1))
    return dt.time(seconds // 3600, (seconds % 3600) // 60)


def _place(facility: Facility) -> Place:
    # A kitchen without a map position stands at its dong's centroid (known for every dong).
    if facility.lon is not None and facility.lat is not None:
        return Place(key=f"facility:{facility.code}", lon=facility.lon, lat=facility.lat)
    return Place(key=f"dong:{facility.dong.key}", lon=facility.dong.centroid_lon, lat=facility.dong.centroid_lat)


@transaction.atomic
def facility_visit_create(*, actor: User, facility: Facility, kind: str, due_on: dt.date,
                          follows: Inspection | None = None, duration_minutes: int = 60,
                          window_start: dt.time = dt.time(9, 30), window_end: dt.time = dt.time(16, 30)
                          ) -> FacilityVisit:
    require_lead(actor)
    if kind not in FacilityVisitKind.values:
        raise DomainError(InspectionErrorCode.DATE_INVALID)
    if not 10 <= duration_minutes <= 240 or _seconds(window_end) - _seconds(window_start) < duration_minutes * 60:
        raise DomainError(InspectionErrorCode.DATE_INVALID)
    if not facility_visible(actor).filter(pk=facility.pk).exists():
        raise NotFound(InspectionErrorCode.FACILITY_NOT_FOUND)
    visit = FacilityVisit.objects.create(facility=facility, kind=kind, follows=follows, due_on=due_on,
                                         duration_minutes=duration_minutes, window_start=window_start,
                                         window_end=window_end, created_by=actor)
    events.visit_planned(visit=visit, actor=actor)
    return visit


@transaction.atomic
def facility_visit_cancel(*, actor: User, visit: FacilityVisit) -> FacilityVisit:
    require_lead(actor)
    visit = facility_visit_visible(actor).select_for_update().filter(pk=visit.pk).first()
    if visit is None:
        raise NotFound(InspectionErrorCode.VISIT_NOT_FOUND)
    visit.status = FacilityVisitStatus.CANCELLED
    visit.save(update_fields=["status"])
    return visit


def _value(visit: FacilityVisit, date: dt.date) -> int:
    """What leaving a visit out costs, in seconds of travel: re-inspections first, the overdue ones more."""
    base = 6 * 3600 if visit.kind == FacilityVisitKind.REINSPECTION else 2 * 3600
    overdue = max(0, (date - visit.due_on).days)
    early = max(0, (visit.due_on - date).days)
    return int(base * (1 + 0.25 * min(overdue, 20)) / (1 + early))


def facility_visits_plan(*, actor: User, date: dt.date, time_limit: float = 5.0,
                         travel: TravelTimes | None = None) -> FacilityDayPlan:
    """The day's routes for the centre's inspectors through the open facility visits due by then (or in
    the next few days). The solver runs outside the transaction, as in visits.services.visits_plan."""
    require_lead(actor)
    if not 1 <= time_limit <= 30:  # a page request: the lead waits for it
        raise DomainError(InspectionErrorCode.DATE_INVALID)
    inspectors = inspector_list()
    visits = list(facility_visits_open(viewer=actor, until=date + dt.timedelta(days=PLANNING_HORIZON_DAYS))
                  .filter(Q(planned_on__isnull=True) | Q(planned_on=date)))
    workers = [DayWorker(key=str(i.user_id), skills=frozenset({SKILL}),
                         start=Place(key=f"centre:{i.pk}", lon=i.base_lon, lat=i.base_lat),
                         end=Place(key=f"centre:{i.pk}", lon=i.base_lon, lat=i.base_lat),
                         shift_start=_seconds(i.shift_start), shift_end=_seconds(i.shift_end),
                         break_start=_seconds(LUNCH_START), break_seconds=LUNCH_MINUTES * 60)
               for i in inspectors]
    day_visits = [DayVisit(key=str(v.pk), place=_place(v.facility), duration=v.duration_minutes * 60,
                           earliest=_seconds(v.window_start),
                           latest=_seconds(v.window_end) - v.duration_minutes * 60, skill=SKILL,
                           mandatory=v.kind == FacilityVisitKind.REINSPECTION and v.due_on < date,
                           value=_value(v, date))
                  for v in visits]
    result = plan_day(workers, day_visits, time_limit=time_limit, travel=travel)
    by_id = {v.pk: v for v in visits}
    unassigned = {k: why for k, why in result.unassigned.items() if by_id[int(k)].due_on <= date}
    with transaction.atomic():
        FacilityVisit.objects.filter(pk__in=list(by_id), planned_on=date).update(
            planned_on=None, assigned_to=None, planned_start=None, planned_order=None)
        routes = []
        changed = []
        for r in result.routes:
            routes.append({"inspector": int(r.worker), "visit_ids": [int(s.visit) for s in r.stops],
                           "depart": _time(r.depart).isoformat() if r.stops else None,
                           "back": _time(r.back).isoformat() if r.stops else None, "travel_seconds": r.travel})
            for order, s in enumerate(r.stops, 1):
                v = by_id[int(s.visit)]
                v.planned_on, v.assigned_to_id, v.planned_start, v.planned_order = date, int(r.worker), \
                    _time(s.start), order
                changed.append(v)
        FacilityVisit.objects.bulk_update(changed, ["planned_on", "assigned_to", "planned_start", "planned_order"])
        return FacilityDayPlan.objects.create(date=date, planned_by=actor, seconds=result.seconds,
                                              travel_seconds=sum(r.travel for r in result.routes),
                                              unassigned=unassigned, routes=routes)


@transaction.atomic
def schedule_due(*, actor: User, today: dt.date | None = None, within_days: int = 14) -> int:
    """A routine visit for every active kitchen whose next inspection falls due within ``within_days``
    and that has no open visit or planned inspection yet. Running it twice creates nothing new."""
    from dolbom.inspections.selectors import facility_list

    today = today or timezone.localdate()
    busy = set(FacilityVisit.objects.filter(status=FacilityVisitStatus.OPEN).values_list("facility_id", flat=True))
    busy |= set(Inspection.objects.filter(status=InspectionStatus.PLANNED).values_list("facility_id", flat=True))
    created = 0
    for row in facility_list(viewer=actor, due_within_days=within_days, today=today):
        if row.facility.pk in busy:
            continue
        visit = FacilityVisit.objects.create(facility=row.facility, kind=FacilityVisitKind.ROUTINE,
                                             due_on=max(row.next_due_on, today), created_by=actor)
        events.visit_planned(visit=visit, actor=actor)
        created += 1
    return created
