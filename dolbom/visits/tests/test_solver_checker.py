"""The independent checker refuses every kind of infeasible solution."""

from __future__ import annotations

import math

from dolbom.visits.solver.checker import check_solution
from dolbom.visits.solver.instance import Instance


def tiny(**over) -> Instance:
    base = dict(name="T", vehicles=2, capacity=10, x=(0.0, 3.0, 0.0, -3.0), y=(0.0, 4.0, 5.0, -4.0),
                demand=(0, 4, 4, 4), ready=(0.0, 0.0, 0.0, 0.0), due=(100.0, 50.0, 50.0, 50.0),
                service=(0.0, 1.0, 1.0, 1.0))
    base.update(over)
    return Instance(**base)


def test_it_accepts_a_feasible_solution_and_measures_unrounded_distance():
    r = check_solution(tiny(), [[1, 2], [3]])
    assert r.feasible, r.errors
    assert math.isclose(r.distance, 5 + math.hypot(3, 1) + 5 + 10)
    assert r.vehicles == 2


def test_it_catches_a_late_arrival():
    r = check_solution(tiny(due=(100.0, 50.0, 5.0, 50.0)), [[1, 2], [3]])
    assert not r.feasible
    assert any("customer 2" in e and "due time" in e for e in r.errors)


def test_waiting_for_a_window_to_open_counts():
    # Customer 1 opens at 20; waiting there pushes customer 2 past its due time of 24.
    r = check_solution(tiny(ready=(0.0, 20.0, 0.0, 0.0), due=(100.0, 50.0, 24.0, 50.0)), [[1, 2], [3]])
    assert not r.feasible


def test_it_catches_service_time_making_the_next_stop_late():
    r = check_solution(tiny(service=(0.0, 30.0, 1.0, 1.0), due=(100.0, 50.0, 30.0, 50.0)), [[1, 2], [3]])
    assert not r.feasible


def test_it_catches_an_overloaded_vehicle():
    r = check_solution(tiny(), [[1, 2, 3]])
    assert any("capacity" in e for e in r.errors)


def test_it_catches_a_late_return_to_the_depot():
    r = check_solution(tiny(due=(12.0, 50.0, 50.0, 50.0)), [[1, 2], [3]])
    assert any("depot" in e for e in r.errors)


def test_it_catches_missing_and_repeated_customers():
    assert any("not visited" in e for e in check_solution(tiny(), [[1, 2]]).errors)
    assert any("already visited" in e for e in check_solution(tiny(), [[1, 2], [3, 1]]).errors)
    assert any("does not exist" in e for e in check_solution(tiny(), [[1, 2], [3, 9]]).errors)


def test_it_catches_too_many_routes():
    assert any("routes for" in e for e in check_solution(tiny(), [[1], [2], [3]]).errors)
