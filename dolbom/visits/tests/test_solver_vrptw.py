"""The Solomon solver, checked by the independent checker on generated instances."""

from __future__ import annotations

import pytest

from dolbom.visits.solver.baseline import nearest_neighbour
from dolbom.visits.solver.checker import check_solution
from dolbom.visits.solver.generator import LAYOUTS, WINDOWS, generate
from dolbom.visits.solver.vrptw import solve_vrptw


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
