"""The Solomon solver, checked by the independent checker on generated instances."""

from __future__ import annotations

import pytest

from dolbom.visits.solver.baseline import nearest_neighbour
from dolbom.visits.solver.checker import check_solution
from dolbom.visits.solver.generator import LAYOUTS, WINDOWS, generate
from dolbom.visits.solver.vrptw import MaxTime, Stall, solve_vrptw


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("windows", WINDOWS)
def test_it_solves_generated_instances_feasibly_with_no_more_vehicles_than_the_baseline(layout, windows):
    instance = generate(layout=layout, windows=windows, n=40, seed=3)
    result = solve_vrptw(instance, time_limit=1.0)
    check = check_solution(instance, result.routes)
    assert check.feasible, check.errors
    assert abs(check.distance - result.distance) < 1e-6
    baseline = check_solution(instance, nearest_neighbour(instance), max_vehicles=40)
    assert baseline.feasible, baseline.errors
    assert check.vehicles <= baseline.vehicles
    assert check.distance <= baseline.distance


def test_it_keeps_to_the_time_limit():
    instance = generate(layout="random", windows="narrow", n=60, seed=5)
    result = solve_vrptw(instance, time_limit=1.5)
    assert result.seconds < 1.5 + 1.0


def test_the_fleet_phase_removes_routes_when_the_given_fleet_is_generous():
    instance = generate(layout="clustered", windows="wide", n=50, seed=2)
    result = solve_vrptw(instance, time_limit=1.0)
    assert result.vehicles < instance.vehicles
    assert [n for n, _at in result.fleet_log] == sorted((n for n, _at in result.fleet_log), reverse=True)


def test_it_measures_the_limit_on_the_clock_it_is_given():
    # A clock that advances a millisecond per reading: the limit is reached after a number of readings,
    # whatever the machine's load, which is what the CPU-time budget relies on.
    readings = 0

    def clock() -> float:
        nonlocal readings
        readings += 1
        return readings / 1000

    instance = generate(layout="random", windows="narrow", n=30, seed=4)
    result = solve_vrptw(instance, time_limit=2.0, clock=clock)
    assert check_solution(instance, result.routes).feasible
    assert 2000 <= readings < 2000 + 100


def test_max_time_stops_once_its_clock_has_advanced_the_limit():
    now = [10.0]
    stop = MaxTime(1.5, lambda: now[0])
    assert not stop(0)  # the first call starts it
    now[0] = 11.4
    assert not stop(0)
    now[0] = 11.6
    assert stop(0)


class _Candidate:
    def __init__(self, time_warp: int, excess_load: int = 0) -> None:
        self._tw, self._load = time_warp, excess_load

    def time_warp(self) -> int:
        return self._tw

    def excess_load(self) -> list[int]:
        return [self._load]


def test_stall_gives_up_only_when_the_least_violation_has_not_shrunk_for_its_seconds():
    now = [0.0]
    stall = Stall(2.0, lambda: now[0])
    stall.observe(_Candidate(50, 5))
    now[0] = 1.5
    stall.observe(_Candidate(40))  # shrank: the wait starts again
    now[0] = 3.0
    stall.observe(_Candidate(45))  # worse than the least: no new start
    assert not stall(0)
    now[0] = 3.6
    assert stall(0)


def test_a_hopeless_smaller_fleet_is_abandoned_early_and_the_fleet_kept(monkeypatch):
    # Two customers with the same narrow window on opposite sides of the depot need two vehicles: the try
    # at one can never succeed and must not run to its cap.
    from dolbom.visits.solver import vrptw
    from dolbom.visits.solver.instance import Instance

    monkeypatch.setattr(vrptw, "STALL_SHARE", 0.02)
    monkeypatch.setattr(vrptw, "ATTEMPT_SHARE", 0.9)
    instance = Instance(name="two", vehicles=2, capacity=100, x=(50.0, 10.0, 90.0), y=(50.0, 50.0, 50.0),
                        demand=(0, 1, 1), ready=(0.0, 40.0, 40.0), due=(200.0, 45.0, 45.0), service=(0.0, 5.0, 5.0))
    readings = 0

    def clock() -> float:  # a millisecond per reading, so the test does not depend on the machine's speed
        nonlocal readings
        readings += 1
        return readings / 1000

    spent: dict[int, int] = {}
    solve = vrptw.solve

    def counted(data, **kwargs):  # noqa: ANN001, ANN202
        before = readings
        res = solve(data, **kwargs)
        spent[data.vehicle_type(0).num_available] = readings - before
        return res

    monkeypatch.setattr(vrptw, "solve", counted)
    result = solve_vrptw(instance, time_limit=5.0, clock=clock)
    assert result.vehicles == 2
    assert check_solution(instance, result.routes).feasible
    # The cap alone would let the try at one vehicle run 0.7 x 5 s (3,500 readings); the stall ends it after 0.1 s.
    assert spent[1] < 500
