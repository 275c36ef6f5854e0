"""`dolbom visits solve-vrptw FILE --time-limit S --routes OUT`."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from dolbom.visits.solver.checker import check_solution
from dolbom.visits.solver.generator import generate
from dolbom.visits.solver.solomon import parse_routes, write_solomon


def test_it_prints_vehicles_and_distance_last_and_writes_checkable_routes(tmp_path):
    instance = generate(layout="mixed", windows="narrow", n=30, seed=11)
    src = tmp_path / "m1.txt"
    write_solomon(instance, src)
    routes_file = tmp_path / "routes.txt"
    out = io.StringIO()
    call_command("visits", "solve-vrptw", str(src), "--time-limit", "1", "--routes", str(routes_file), stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    m = re.fullmatch(r"vehicles=(\d+) distance=([0-9.]+)", last)
    assert m, last
    routes = parse_routes(routes_file.read_text())
    check = check_solution(instance, routes)
    assert check.feasible, check.errors
    assert int(m.group(1)) == check.vehicles == len(routes)
    assert abs(float(m.group(2)) - check.distance) < 1e-4


def test_it_refuses_a_file_that_is_not_solomon(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("hello\n")
    with pytest.raises(CommandError):
        call_command("visits", "solve-vrptw", str(bad), "--time-limit", "1")
