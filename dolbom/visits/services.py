"""Writes of the visits app: workers, visits, recurring visits, the morning plan, visit outcomes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.accounts.models import Role
from dolbom.accounts.scope import profile
from dolbom.areas.models import Dong
from dolbom.audit.services import access_denied_write
from dolbom.cases.models import Case, SupportPlanLine
from dolbom.cases.selectors import case_visible
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.registry.models import Household
from dolbom.registry.selectors import household_visible
from dolbom.visits import events
from dolbom.visits.errors import VisitErrorCode
from dolbom.visits.models import (
    DayPlan,
    DayRoute,
    Priority,
    Skill,
    Visit,
    VisitRecurrence,
    VisitStatus,
    Worker,
)
from dolbom.visits.selectors import can_plan_visits, visits_for_planning, worker_list
from dolbom.visits.solver.day import (
    REASON_DAY_FULL,
    REASON_NO_SKILL,
    REASON_OUTSIDE_SHIFTS,
    DayVisit,
    DayWorker,
    plan_day,
)
from dolbom.visits.solver.travel import Place, TravelTimes

REASON_LABELS = {
    REASON_NO_SKILL: _("No worker with the required skill is on shift"),
    REASON_OUTSIDE_SHIFTS: _("The client's available time lies outside every shift"),
    REASON_DAY_FULL: _("The day is full: visits of higher priority or on the way were planned first"),
}
PLANNING_HORIZON_DAYS = 3


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _time(seconds: int) -> dt.time:
    seconds = max(0, min(seconds, 24 * 3600 - 1))
    return dt.time(seconds // 3600, (seconds % 3600) // 60)


def _require_planner(actor: User) -> None:
    if not can_plan_visits(actor):
        raise Forbidden(VisitErrorCode.NOT_ALLOWED)


def _validate(duration_minutes: int, window_start: dt.time, window_end: dt.time) -> None:
    if not 5 <= duration_minutes <= 240:
        raise DomainError(VisitErrorCode.DURATION_INVALID)
    if _seconds(window_end) - _seconds(window_start) < duration_minutes * 60:
        raise DomainError(VisitErrorCode.WINDOW_INVALID)


# Workers ---------------------------------------------------------------------------------------

@transaction.atomic
def worker_set(*, actor: User, user: User, skill: str, base_dong: Dong, shift_start: dt.time = dt.time(9),
               shift_end: dt.time = dt.time(18), break_start: dt.time | None = dt.time(12),
               break_minutes: int = 60, active: bool = True) -> Worker:
    _require_planner(actor)
    if skill not in Skill.values:
        raise DomainError(VisitErrorCode.NOT_ALLOWED)
    if _seconds(shift_end) <= _seconds(shift_start):
        raise DomainError(VisitErrorCode.WINDOW_INVALID)
    worker, _created = Worker.objects.update_or_create(user=user, defaults={
        "skill": skill, "base_dong": base_dong, "shift_start": shift_start, "shift_end": shift_end,
        "break_start": break_start, "break_minutes": break_minutes, "active": active,
    })
    return worker


# Visits ----------------------------------------------------------------------------------------

def _household_in_scope(actor: User, household: Household) -> bool:
    # A visit-list household may have nobody registered in it yet; its dong decides.
    p = profile(actor)
    if p is None:
        return False
    if p.role == Role.CITY_TEAM or (p.dong_id and p.dong_id == household.dong_id):
        return True
    return household_visible(actor).filter(pk=household.pk).exists()


@transaction.atomic
def visit_create(*, actor: User, household: Household, visit_type: str, skill: str, duration_minutes: int,
                 window_start: dt.time, window_end: dt.time, due_on: dt.date, priority: int = Priority.NORMAL,
                 case: Case | None = None, note: str = "") -> Visit:
    _require_planner(actor)
    if case is not None and not case_visible(actor).filter(pk=case.pk).exists():
        raise NotFound(VisitErrorCode.VISIT_NOT_FOUND)
    # A visit puts its household's address on the plan and opens its people to the nurse it is given
    # (visits/scope.py), so the household must be the case's own or one the writer may see already.
    at_home = case is not None and household.pk == case.resident.household_id
    if not at_home and not _household_in_scope(actor, household):
        access_denied_write(actor=actor, record_type="household", record_id=household.pk,
                            subject_ids=sorted(household.members.values_list("pk", flat=True)))
        raise NotFound(VisitErrorCode.VISIT_NOT_FOUND)
    _validate(duration_minutes, window_start, window_end)
    return Visit.objects.create(
        case=case, household=household, visit_type=visit_type, skill=skill, duration_minutes=duration_minutes,
        window_start=window_start, window_end=window_end, due_on=due_on, priority=priority, note=note[:300],
        created_by=actor,
    )


@transaction.atomic
def visit_recurrence_create(*, actor: User, case: Case, visit_type: str, skill: str, weekdays: list[int],
                            duration_minutes: int, window_start: dt.time, window_end: dt.time,
                            starts_on: dt.date, ends_on: dt.date, priority: int = Priority.NORMAL,
                            plan_line: SupportPlanLine | None = None) -> VisitRecurrence:
    """A support plan line such as "home nursing twice a week" becomes visits on those weekdays."""
    _require_planner(actor)
    if not case_visible(actor).filter(pk=case.pk).exists():
        raise NotFound(VisitErrorCode.VISIT_NOT_FOUND)
    if not weekdays or any(d not in range(7) for d in weekdays):
        raise DomainError(VisitErrorCode.WEEKDAYS_INVALID)
    if ends_on < starts_on:
        raise DomainError(VisitErrorCode.DATES_INVALID)
    _validate(duration_minutes, window_start, window_end)
    if plan_line is not None and plan_line.plan.case_id != case.pk:
        raise DomainError(VisitErrorCode.NOT_ALLOWED)
    return VisitRecurrence.objects.create(
        case=case, plan_line=plan_line, visit_type=visit_type, skill=skill,
        weekdays=",".join(str(d) for d in sorted(set(weekdays))), duration_minutes=duration_minutes,
        window_start=window_start, window_end=window_end, priority=priority, starts_on=starts_on, ends_on=ends_on,
        created_by=actor,
    )


@transaction.atomic
def visits_generate(*, start: dt.date, end: dt.date) -> int:
    """Create the visits of every recurrence for the days start..end; running it twice creates nothing."""
    created = 0
    recurrences = VisitRecurrence.objects.filter(starts_on__lte=end, ends_on__gte=start).select_related(
        "case__resident")
    for rec in recurrences:
        days = rec.weekday_list()
        day = max(start, rec.starts_on)
        while day <= min(end, rec.ends_on):
            if day.weekday() in days:
                _visit, made = Visit.objects.get_or_create(recurrence=rec, due_on=day, defaults={
                    "case": rec.case, "household_id": rec.case.resident.household_id, "visit_type": rec.visit_type,
                    "skill": rec.skill, "duration_minutes": rec.duration_minutes, "window_start": rec.window_start,
                    "window_end": rec.window_end, "priority": rec.priority, "created_by": rec.created_by,
                })
                created += made
            day += dt.timedelta(days=1)
    return created


# The morning plan ------------------------------------------------------------------------------

def _office(dong: Dong) -> Place:
    # The dong office stands in for the dong's centroid: the shipped boundaries carry no office address.
    return Place(key=f"dong:{dong.key}", lon=dong.centroid_lon, lat=dong.centroid_lat)


def _visit_value(visit: Visit, date: dt.date) -> int:
    """What leaving an optional visit out costs, in seconds of travel: priority first, then lateness."""
    base = {Priority.HIGH: 6 * 3600, Priority.NORMAL: 2 * 3600, Priority.LOW: 3600}.get(visit.priority, 3600)
    overdue = max(0, (date - visit.due_on).days)
    early = max(0, (visit.due_on - date).days)
    return int(base * (1 + 0.5 * overdue) / (1 + early))


def visits_plan(*, actor: User, date: dt.date, time_limit: float = 10.0,
                travel: TravelTimes | None = None) -> DayPlan:
    """Plan the day for the actor's workers: an ordered route each, high-priority due visits first.

    The solver runs outside the transaction so the database is not locked for the whole time limit;
    the plan is written in one transaction afterwards.
    """
    _require_planner(actor)
    # The solver holds a server worker for the whole time limit: a request may not ask for more than the city
    # allows (DOLBOM_PLANNER_MAX_SECONDS), or a few planners would tie up every worker.
    if not 1 <= time_limit <= settings.DOLBOM_PLANNER_MAX_SECONDS:
        raise DomainError(VisitErrorCode.TIME_LIMIT_INVALID, max=settings.DOLBOM_PLANNER_MAX_SECONDS)
    visits_generate(start=date, end=date + dt.timedelta(days=PLANNING_HORIZON_DAYS))
    workers = list(worker_list(viewer=actor))
    visits = list(visits_for_planning(viewer=actor, date=date, horizon_days=PLANNING_HORIZON_DAYS))
    day_workers = [
        DayWorker(key=str(w.pk), skills=frozenset({w.skill}), start=_office(w.base_dong), end=_office(w.base_dong),
                  shift_start=_seconds(w.shift_start), shift_end=_seconds(w.shift_end),
                  break_start=_seconds(w.break_start) if w.break_start else None,
                  break_seconds=w.break_minutes * 60)
        for w in workers
    ]
    day_visits = []
    for v in visits:
        hh = v.household
        place = (Place(key=f"household:{hh.number}", lon=hh.lon, lat=hh.lat) if hh.lon is not None and hh.lat is not None
                 else _office(hh.dong))
        day_visits.append(DayVisit(
            key=str(v.pk), place=place, duration=v.duration_minutes * 60, earliest=_seconds(v.window_start),
            latest=_seconds(v.window_end) - v.duration_minutes * 60, skill=v.skill,
            mandatory=v.priority == Priority.HIGH and v.due_on <= date, value=_visit_value(v, date),
        ))
    result = plan_day(day_workers, day_visits, time_limit=time_limit, travel=travel)
    # Visits due later that did not fit are not "left out" today: they simply wait for their day.
    by_id = {v.pk: v for v in visits}
    unassigned = {k: why for k, why in result.unassigned.items() if by_id[int(k)].due_on <= date}
    worker_by_key = {str(w.pk): w for w in workers}
    with transaction.atomic():
        Visit.objects.filter(pk__in=[v.pk for v in visits], planned_on=date).update(
            planned_on=None, assigned_to=None, planned_start=None, planned_order=None)
        plan = DayPlan.objects.create(date=date, planned_by=actor, time_limit=time_limit, seconds=result.seconds,
                                      unassigned=unassigned, travel_seconds=sum(r.travel for r in result.routes))
        changed: list[Visit] = []
        routes = []
        for r in result.routes:
            w = worker_by_key[r.worker]
            routes.append(DayRoute(
                plan=plan, worker=w, depart=_time(r.depart) if r.stops else None,
                back=_time(r.back) if r.stops else None,
                break_at=_time(r.break_at) if r.break_at is not None else None, travel_seconds=r.travel,
                visit_ids=[int(s.visit) for s in r.stops]))
            for order, s in enumerate(r.stops, 1):
                v = by_id[int(s.visit)]
                v.planned_on, v.assigned_to_id, v.planned_start, v.planned_order = date, w.user_id, _time(s.start), order
                changed.append(v)
        DayRoute.objects.bulk_create(routes)
        Visit.objects.bulk_update(changed, ["planned_on", "assigned_to", "planned_start", "planned_order"])
    return plan


# Outcomes --------------------------------------------------------------------------------------

def _follow_on(visit: Visit, due_on: dt.date, actor: User) -> Visit:
    return Visit.objects.create(
        case=visit.case, household=visit.household, visit_type=visit.visit_type, skill=visit.skill,
        duration_minutes=visit.duration_minutes, window_start=visit.window_start, window_end=visit.window_end,
        priority=visit.priority, due_on=due_on, previous=visit, note=visit.note, created_by=actor,
    )


@transaction.atomic
def visit_mark(*, actor: User, visit: Visit, outcome: str, note: str = "",
               reschedule_to: dt.date | None = None) -> Visit:
    """Done, not at home (the visit comes back the next day) or rescheduled to a later date."""
    if visit.assigned_to_id != actor.pk and not can_plan_visits(actor):
        raise Forbidden(VisitErrorCode.NOT_ALLOWED)
    visit = Visit.objects.select_for_update(of=("self",)).select_related("case").get(pk=visit.pk)
    if visit.status != VisitStatus.OPEN:
        raise DomainError(VisitErrorCode.NOT_OPEN)
    today = timezone.localdate()
    if outcome == VisitStatus.RESCHEDULED and (reschedule_to is None or reschedule_to <= today):
        raise DomainError(VisitErrorCode.RESCHEDULE_DATE_REQUIRED)
    if outcome not in (VisitStatus.DONE, VisitStatus.NOT_HOME, VisitStatus.RESCHEDULED):
        raise DomainError(VisitErrorCode.OUTCOME_INVALID)
    visit.status = outcome
    visit.outcome_at = timezone.now()
    visit.outcome_by = actor
    visit.outcome_note = note.strip()
    visit.save(update_fields=["status", "outcome_at", "outcome_by", "outcome_note"])
    if outcome == VisitStatus.DONE:
        events.visit_done(visit=visit, actor=actor)
    elif outcome == VisitStatus.NOT_HOME:
        nxt = _follow_on(visit, max(visit.planned_on or today, today) + dt.timedelta(days=1), actor)
        events.visit_not_home(visit=visit, next_visit=nxt, actor=actor)
    else:
        assert reschedule_to is not None
        nxt = _follow_on(visit, reschedule_to, actor)
        events.visit_rescheduled(visit=visit, next_visit=nxt, actor=actor)
    return visit
