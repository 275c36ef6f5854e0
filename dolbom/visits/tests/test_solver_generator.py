"""The instance generator: windows that a lone vehicle can always keep, and customers with no window."""

from __future__ import annotations

import math

import pytest

from dolbom.visits.solver.checker import check_solution
from dolbom.visits.solver.generator import generate


def _whole_day(instance, i: int) -> bool:  # noqa: ANN001
    t0 = math.hypot(instance.x[i] - instance.x[0], instance.y[i] - instance.y[0])
    latest = instance.due[0] - t0 - instance.service[i]
    return instance.ready[i] == math.ceil(t0) and instance.due[i] == max(math.ceil(t0), math.floor(latest))


@pytest.mark.parametrize("untimed", [0.25, 0.75])
def test_untimed_gives_about_that_share_of_customers_the_whole_day(untimed):
    instance = generate(layout="random", windows="wide", n=200, seed=4, untimed=untimed)
    share = sum(_whole_day(instance, i) for i in range(1, 201)) / 200
    assert abs(share - untimed) < 0.1


def test_without_untimed_the_instances_are_the_ones_generated_before():
    assert generate(layout="mixed", windows="wide", n=50, seed=3) == generate(
        layout="mixed", windows="wide", n=50, seed=3, untimed=0.0)
    assert sum(_whole_day(generate(layout="mixed", windows="wide", n=50, seed=3), i) for i in range(1, 51)) < 5


@pytest.mark.parametrize("untimed", [0.0, 0.5, 1.0])
def test_every_generated_instance_is_feasible_with_one_vehicle_per_customer(untimed):
    instance = generate(layout="mixed", windows="narrow", n=60, seed=9, untimed=untimed, max_demand=29)
    check = check_solution(instance, [[i] for i in range(1, 61)], max_vehicles=60)
    assert check.feasible, check.errors
