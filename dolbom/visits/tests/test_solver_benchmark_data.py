"""The bundled VRPTW benchmark sets: every instance parses, has its published best-known solution, and the
independent checker refuses solutions that break its windows, capacity or coverage."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from dolbom.visits.solver.baseline import nearest_neighbour
from dolbom.visits.solver.checker import check_solution
from dolbom.visits.solver.solomon import read_solomon

DATA = Path(__file__).resolve().parents[3] / "bench" / "data"
SETS = {"solomon": 100, "homberger200": 200}


def _instances(folder: str) -> list[Path]:
    return sorted((DATA / folder).glob("*.txt"))


@pytest.mark.parametrize("folder,customers", SETS.items())
def test_every_bundled_instance_parses_and_has_a_best_known_solution_with_its_source(folder, customers):
    bks = json.loads((DATA / folder / "bks.json").read_text(encoding="utf-8"))
    files = _instances(folder)
    assert files
    for f in files:
        inst = read_solomon(f)
        assert inst.name == f.stem
        assert inst.n_customers == customers
        b = bks[inst.name.upper()]
        # No fleet can carry the demand with fewer vehicles than this, so a best-known count below it is a typo.
        assert b["vehicles"] >= math.ceil(sum(inst.demand) / inst.capacity)
        assert b["vehicles"] <= inst.vehicles
        assert b["distance"] > 0
        assert b["source"]


def test_the_suites_hold_the_long_horizon_solomon_classes_and_all_sixty_200_customer_instances():
    solomon = {f.stem for f in _instances("solomon")}
    long_horizon = {n for n in solomon if n.startswith(("C2", "R2", "RC2"))}
    assert len(long_horizon) == 8 + 11 + 8
    gh = {f.stem for f in _instances("homberger200")}
    assert len(gh) == 60
    assert {n.rsplit("_", 1)[0] for n in gh} == {"C1_2", "C2_2", "R1_2", "R2_2", "RC1_2", "RC2_2"}


def test_a_bundled_instance_reads_with_its_published_best_known_values():
    inst = read_solomon(DATA / "homberger200" / "RC2_2_1.txt")
    assert (inst.capacity, inst.due[0], inst.service[1]) == (1000, 2535, 10)
    bks = json.loads((DATA / "homberger200" / "bks.json").read_text(encoding="utf-8"))
    assert (bks["RC2_2_1"]["vehicles"], bks["RC2_2_1"]["distance"]) == (6, 3099.53)


def test_the_checker_accepts_a_baseline_solution_and_refuses_each_way_of_breaking_it():
    inst = read_solomon(DATA / "solomon" / "R201.txt")
    routes = nearest_neighbour(inst)
    assert check_solution(inst, routes).feasible

    # Visiting a route backwards reaches its first (earliest) customers long after their windows close.
    longest = max(range(len(routes)), key=lambda k: len(routes[k]))
    backwards = [list(reversed(r)) if k == longest else r for k, r in enumerate(routes)]
    late = check_solution(inst, backwards)
    assert not late.feasible and any("due time" in e for e in late.errors)

    dropped = [r[1:] if k == 0 else r for k, r in enumerate(routes)]
    assert any("not visited" in e for e in check_solution(inst, dropped).errors)

    # R2 vehicles carry 1000; every customer on one route carries the whole demand (1458).
    merged = [[c for r in routes for c in r]]
    assert any("capacity" in e for e in check_solution(inst, merged).errors)
