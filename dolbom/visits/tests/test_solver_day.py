"""The day planner: skills, shifts, breaks, mandatory visits first, reasons for what is left out."""

from __future__ import annotations

from dolbom.visits.solver.day import (
    REASON_DAY_FULL,
    REASON_NO_SKILL,
    REASON_OUTSIDE_SHIFTS,
    DayVisit,
    DayWorker,
    plan_day,
)
from dolbom.visits.solver.travel import Place, StraightLine

H = 3600
OFFICE = Place("dong:seosin", 127.118, 35.826)


def worker(key: str, skill: str, start: int = 9 * H, end: int = 18 * H, brk: int = 0) -> DayWorker:
    return DayWorker(key=key, skills=frozenset({skill}), start=OFFICE, end=OFFICE, shift_start=start,
                     shift_end=end, break_start=12 * H if brk else None, break_seconds=brk)


def visit(key: str, skill: str, k: int, *, minutes: int = 30, early: int = 9 * H, late: int = 17 * H,
          mandatory: bool = False, value: int = 3600) -> DayVisit:
    place = Place(f"hh:{key}", 127.11 + 0.002 * (k % 7), 35.82 + 0.002 * (k // 7))
    return DayVisit(key=key, place=place, duration=minutes * 60, earliest=early, latest=late - minutes * 60,
                    skill=skill, mandatory=mandatory, value=value)


def _check_route(plan, workers, visits):
    by_key = {v.key: v for v in visits}
    wk = {w.key: w for w in workers}
    for r in plan.routes:
        w = wk[r.worker]
        t = w.shift_start
        for s in r.stops:
            v = by_key[s.visit]
            assert v.skill in w.skills
            assert v.earliest <= s.start <= v.latest
            assert s.start >= t
            t = s.end
        if r.stops:
            assert w.shift_start <= r.depart and r.back <= w.shift_end
            if w.break_seconds:
                assert r.break_at is not None
                starts = [s.start for s in r.stops] + [r.back]
                ends = [r.depart] + [s.end for s in r.stops]
                # the break sits in a gap between two stops, never inside a visit
                assert any(e <= r.break_at and r.break_at + w.break_seconds <= st
                           for e, st in zip(ends, starts, strict=True))


def test_every_visit_goes_to_a_worker_with_its_skill_inside_windows_and_shifts():
    workers = [worker("n1", "nurse", brk=3600), worker("n2", "nurse"), worker("s1", "social_worker", brk=1800)]
    visits = [visit(f"v{k}", "nurse" if k % 3 else "social_worker", k,
                    early=(9 if k % 2 else 13) * H, late=(12 if k % 2 else 17) * H) for k in range(18)]
    plan = plan_day(workers, visits, time_limit=1.0)
    assert plan.feasible
    assert not plan.unassigned
    _check_route(plan, workers, visits)
    assert sum(len(r.stops) for r in plan.routes) == 18


def test_a_visit_without_a_skilled_worker_or_outside_every_shift_is_listed_with_its_reason():
    workers = [worker("n1", "nurse", start=9 * H, end=13 * H)]
    visits = [visit("doc", "case_manager", 1), visit("evening", "nurse", 2, early=15 * H, late=17 * H),
              visit("ok", "nurse", 3)]
    plan = plan_day(workers, visits, time_limit=0.5)
    assert plan.unassigned == {"doc": REASON_NO_SKILL, "evening": REASON_OUTSIDE_SHIFTS}
    assert [s.visit for s in plan.routes[0].stops] == ["ok"]


def test_when_the_day_is_full_mandatory_visits_are_planned_and_optional_ones_wait():
    workers = [worker("n1", "nurse", start=9 * H, end=12 * H)]
    # 3 hours of shift, 8 visits of 40 minutes: at most 4 fit.
    visits = [visit(f"v{k}", "nurse", k, minutes=40, mandatory=k in (5, 6, 7), value=600) for k in range(8)]
    plan = plan_day(workers, visits, time_limit=1.0)
    planned = {s.visit for s in plan.routes[0].stops}
    assert {"v5", "v6", "v7"} <= planned
    assert set(plan.unassigned.values()) == {REASON_DAY_FULL}
    assert len(planned) + len(plan.unassigned) == 8


def test_straight_line_travel_grows_with_distance_and_is_zero_in_place():
    places = [Place("a", 127.10, 35.82), Place("b", 127.11, 35.82), Place("c", 127.15, 35.82)]
    m = StraightLine().matrix(places)
    assert m[0, 0] == 0
    assert 0 < m[0, 1] < m[0, 2]
    assert m[0, 1] == m[1, 0]


def test_more_mandatory_visits_than_fit_still_gives_a_valid_plan_and_lists_the_rest():
    workers = [worker("n1", "nurse", start=9 * H, end=12 * H)]
    visits = [visit(f"v{k}", "nurse", k, minutes=40, mandatory=True) for k in range(8)]
    plan = plan_day(workers, visits, time_limit=1.0)
    assert plan.feasible
    _check_route(plan, workers, visits)
    planned = {s.visit for s in plan.routes[0].stops}
    assert 3 <= len(planned) <= 4
    assert set(plan.unassigned) == {v.key for v in visits} - planned
