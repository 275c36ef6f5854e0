"""A province day planned area by area: each city's or county's staff visit only its own residents."""

from __future__ import annotations

from dolbom.visits.solver.day import REASON_NO_WORKER_IN_AREA, DayVisit, DayWorker, plan_day_by_area
from dolbom.visits.solver.travel import Place

H = 3600
OFFICES = {"gunsan": Place("office:gunsan", 126.74, 35.97), "iksan": Place("office:iksan", 126.96, 35.95)}


def worker(key: str, area: str) -> DayWorker:
    return DayWorker(key=f"{area}-{key}", skills=frozenset({"nurse"}), start=OFFICES[area], end=OFFICES[area],
                     shift_start=9 * H, shift_end=18 * H)


def visit(key: str, area: str, k: int) -> DayVisit:
    base = OFFICES.get(area, Place("", 127.14, 35.82))
    place = Place(f"{area}-hh:{key}", base.lon + 0.003 * k, base.lat + 0.002 * k)
    return DayVisit(key=f"{area}-{key}", place=place, duration=30 * 60, earliest=9 * H, latest=16 * H, skill="nurse")


def area(key: str) -> str:
    return key.split("-", 1)[0]


def test_each_area_is_served_by_its_own_workers_and_an_area_without_staff_is_named_as_the_reason():
    workers = [worker("a", "gunsan"), worker("b", "iksan")]
    visits = [visit(str(k), "gunsan", k) for k in range(4)] + [visit(str(k), "iksan", k) for k in range(3)]
    visits += [visit("x", "jinan", 1)]
    plan = plan_day_by_area(workers, visits, worker_area=lambda w: area(w.key), visit_area=lambda v: area(v.key),
                            time_limit=1)
    assert plan.feasible
    assert [r.worker for r in plan.routes] == ["gunsan-a", "iksan-b"]
    for r in plan.routes:
        assert r.stops and {area(s.visit) for s in r.stops} == {area(r.worker)}
    assert plan.unassigned == {"jinan-x": REASON_NO_WORKER_IN_AREA}
