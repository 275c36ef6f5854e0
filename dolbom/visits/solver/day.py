"""One day of home visits as a routing problem: workers with skills, shifts, a break and a start and
end place; visits with a duration, the client's window, a required skill and a priority.

Mandatory visits (high priority and due) are required clients; the rest are optional with a prize, so
the solver drops the cheapest optional visits first when the day is full. Each distinct skill set gets
its own routing profile in which the visits it may not do are unreachable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from pyvrp import Client, Depot, ProblemData, VehicleType, solve
from pyvrp.stop import MaxRuntime

from dolbom.visits.solver.travel import Place, StraightLine, TravelTimes

UNREACHABLE = 10**8  # seconds; large enough that no feasible route uses the edge
REASON_NO_SKILL = "no_skilled_worker"
REASON_OUTSIDE_SHIFTS = "outside_shifts"
REASON_DAY_FULL = "day_full"
REASON_NO_WORKER_IN_AREA = "no_worker_in_area"
MIN_AREA_SECONDS = 0.5
MANDATORY_PRIZE = 10**7


@dataclass(frozen=True)
class DayWorker:
    key: str
    skills: frozenset[str]
    start: Place
    end: Place
    shift_start: int  # seconds after midnight
    shift_end: int
    break_start: int | None = None  # preferred start of the break
    break_seconds: int = 0


@dataclass(frozen=True)
class DayVisit:
    key: str
    place: Place
    duration: int  # seconds
    earliest: int  # the client's window for the start of the visit, seconds after midnight
    latest: int
    skill: str
    mandatory: bool = False
    value: int = 3600  # what leaving the visit out costs, in seconds of travel


@dataclass(frozen=True)
class Stop:
    visit: str
    arrive: int
    start: int
    end: int
    travel: int


@dataclass
class WorkerRoute:
    worker: str
    stops: list[Stop] = field(default_factory=list)
    depart: int = 0
    back: int = 0
    travel: int = 0
    break_at: int | None = None


@dataclass
class DayPlan:
    routes: list[WorkerRoute]
    unassigned: dict[str, str]  # visit key -> reason
    seconds: float
    feasible: bool


def _reason(visit: DayVisit, workers: list[DayWorker], m: np.ndarray, vi: int, wi_start: list[int],
            wi_end: list[int]) -> str:
    skilled = [k for k, w in enumerate(workers) if visit.skill in w.skills]
    if not skilled:
        return REASON_NO_SKILL
    for k in skilled:
        w = workers[k]
        start = max(visit.earliest, w.shift_start + int(m[wi_start[k], vi]))
        if start <= visit.latest and start + visit.duration + int(m[vi, wi_end[k]]) <= w.shift_end - w.break_seconds:
            return REASON_DAY_FULL
    return REASON_OUTSIDE_SHIFTS


def plan_day(workers: list[DayWorker], visits: list[DayVisit], *, time_limit: float = 10.0,
             travel: TravelTimes | None = None, seed: int = 1) -> DayPlan:
    started = time.monotonic()
    travel = travel or StraightLine()
    if not workers or not visits:
        return DayPlan(routes=[WorkerRoute(worker=w.key) for w in workers],
                       unassigned={v.key: REASON_NO_SKILL if not workers else "" for v in visits},
                       seconds=0.0, feasible=True)
    # Locations: one depot per worker start and end, then one per visit (two visits at one household
    # stay two locations, so their skills can differ).
    places: list[Place] = []
    wi_start, wi_end = [], []
    for w in workers:
        wi_start.append(len(places))
        places.append(w.start)
        wi_end.append(len(places))
        places.append(w.end)
    n_depots = len(places)
    places.extend(v.place for v in visits)
    m = travel.matrix(places)

    # A mandatory visit no worker could ever do must not make the whole model infeasible.
    unassigned: dict[str, str] = {}
    modelled: list[int] = []
    for i, v in enumerate(visits):
        reason = _reason(v, workers, m, n_depots + i, wi_start, wi_end)
        if reason != REASON_DAY_FULL:
            unassigned[v.key] = reason
        else:
            modelled.append(i)

    loc_index = list(range(n_depots)) + [n_depots + i for i in modelled]
    sub = m[np.ix_(loc_index, loc_index)]
    skill_sets = sorted({w.skills for w in workers}, key=lambda s: sorted(s))
    matrices = []
    for skills in skill_sets:
        prof = sub.copy()
        for j, i in enumerate(modelled):
            if visits[i].skill not in skills:
                prof[:, n_depots + j] = UNREACHABLE
                prof[n_depots + j, :] = UNREACHABLE
                prof[n_depots + j, n_depots + j] = 0
        matrices.append(prof)

    depots = [Depot(x=places[k].lon, y=places[k].lat) for k in range(n_depots)]
    clients = []
    for i in modelled:
        v = visits[i]
        # Mandatory visits are not hard constraints: when they cannot all fit, a required client would
        # leave no feasible plan at all. A prize no travel saving can outweigh does the same job.
        clients.append(Client(x=v.place.lon, y=v.place.lat, service_duration=v.duration, tw_early=v.earliest,
                              tw_late=v.latest, required=False, prize=MANDATORY_PRIZE if v.mandatory else v.value))
    vehicle_types = [
        VehicleType(num_available=1, start_depot=wi_start[k], end_depot=wi_end[k], tw_early=w.shift_start,
                    tw_late=w.shift_end, shift_duration=max(0, w.shift_end - w.shift_start - w.break_seconds),
                    profile=skill_sets.index(w.skills), unit_distance_cost=1, name=w.key)
        for k, w in enumerate(workers)
    ]
    data = ProblemData(clients=clients, depots=depots, vehicle_types=vehicle_types,
                       distance_matrices=matrices, duration_matrices=matrices)
    res = solve(data, stop=MaxRuntime(max(0.1, time_limit - (time.monotonic() - started))), seed=seed,
                collect_stats=False)
    sol = res.best
    routes = {w.key: WorkerRoute(worker=w.key) for w in workers}
    planned: set[int] = set()
    position = {i: n_depots + j for j, i in enumerate(modelled)}
    for r in sol.routes():
        k = r.vehicle_type()
        w = workers[k]
        prof = matrices[skill_sets.index(w.skills)]
        seq = [modelled[c - n_depots] for c in r.visits()]  # clients are numbered after the depots
        routes[w.key] = _schedule(w, [visits[i] for i in seq], [position[i] for i in seq],
                                  prof, wi_start[k], wi_end[k])
        kept = {st.visit for st in routes[w.key].stops}
        planned.update(i for i in seq if visits[i].key in kept)
    for i in modelled:
        if i not in planned:
            unassigned[visits[i].key] = REASON_DAY_FULL
    return DayPlan(routes=[routes[w.key] for w in workers], unassigned=unassigned,
                   seconds=time.monotonic() - started, feasible=sol.is_feasible())


def plan_day_by_area(workers: list[DayWorker], visits: list[DayVisit], *, worker_area: Callable[[DayWorker], str],
                     visit_area: Callable[[DayVisit], str], time_limit: float = 10.0,
                     travel: TravelTimes | None = None, seed: int = 1) -> DayPlan:
    """One plan per area (a city or county whose staff visit only its own residents), solved one after the
    other with a share of the time limit proportional to the area's visits.

    A province day is many independent days: one model for all of it makes the solver search moves between
    workers who can never swap visits, and its travel matrix grows with the square of the whole province.
    Visits of an area with no worker are left out as REASON_NO_WORKER_IN_AREA.
    """
    started = time.monotonic()
    by_area: dict[str, tuple[list[DayWorker], list[DayVisit]]] = {}
    for w in workers:
        by_area.setdefault(worker_area(w), ([], []))[0].append(w)
    for v in visits:
        by_area.setdefault(visit_area(v), ([], []))[1].append(v)
    routes: dict[str, WorkerRoute] = {}
    unassigned: dict[str, str] = {}
    feasible = True
    total = max(1, len(visits))
    for area in sorted(by_area, key=lambda a: -len(by_area[a][1])):
        ws, vs = by_area[area]
        if not ws:
            unassigned.update({v.key: REASON_NO_WORKER_IN_AREA for v in vs})
            continue
        left = time_limit - (time.monotonic() - started)
        share = max(MIN_AREA_SECONDS, min(left, time_limit * len(vs) / total))
        plan = plan_day(ws, vs, time_limit=share, travel=travel, seed=seed)
        routes.update({r.worker: r for r in plan.routes})
        unassigned.update(plan.unassigned)
        feasible = feasible and plan.feasible
    return DayPlan(routes=[routes[w.key] for w in workers], unassigned=unassigned,
                   seconds=time.monotonic() - started, feasible=feasible)


def _simulate(w: DayWorker, seq: list[DayVisit], locs: list[int], m: np.ndarray, start_loc: int, end_loc: int,
              break_before: int | None) -> WorkerRoute | None:
    """Times of one route with the break before stop `break_before` (len(seq) = at the end), or None
    when a window or the shift end is broken."""
    route = WorkerRoute(worker=w.key)
    t = w.shift_start
    prev = start_loc
    # Leave as late as the first window allows, so nobody waits on a doorstep.
    if seq:
        first_travel = int(m[start_loc, locs[0]])
        t = max(w.shift_start, seq[0].earliest - first_travel)
        if break_before == 0:
            t = max(w.shift_start, seq[0].earliest - first_travel - w.break_seconds)
    route.depart = t
    for pos, (v, loc) in enumerate(zip(seq, locs, strict=True)):
        if break_before == pos and w.break_seconds:
            route.break_at = t
            t += w.break_seconds
        leg = int(m[prev, loc])
        arrive = t + leg
        start = max(arrive, v.earliest)
        if start > v.latest:
            return None
        route.stops.append(Stop(visit=v.key, arrive=arrive, start=start, end=start + v.duration, travel=leg))
        route.travel += leg
        t = start + v.duration
        prev = loc
    if break_before == len(seq) and w.break_seconds:
        route.break_at = t
        t += w.break_seconds
    leg = int(m[prev, end_loc])
    route.travel += leg
    route.back = t + leg
    return route if route.back <= w.shift_end else None


def _schedule(w: DayWorker, seq: list[DayVisit], locs: list[int], m: np.ndarray, start_loc: int,
              end_loc: int) -> WorkerRoute:
    if not w.break_seconds:
        return _simulate(w, seq, locs, m, start_loc, end_loc, None) or WorkerRoute(worker=w.key)
    # The break goes in the gap nearest the preferred time that keeps every window.
    preferred = w.break_start if w.break_start is not None else (w.shift_start + w.shift_end) // 2
    best: WorkerRoute | None = None
    for pos in range(len(seq) + 1):
        r = _simulate(w, seq, locs, m, start_loc, end_loc, pos)
        if r is not None and (best is None or abs((r.break_at or 0) - preferred) < abs((best.break_at or 0)
                                                                                       - preferred)):
            best = r
    return best or _simulate(w, seq, locs, m, start_loc, end_loc, None) or WorkerRoute(worker=w.key)
