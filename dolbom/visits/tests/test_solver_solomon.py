"""Solomon's text format: the reader reads what the generator writes, and real benchmark files."""

from __future__ import annotations

from pathlib import Path

import pytest

from dolbom.visits.solver.generator import LAYOUTS, WINDOWS, generate
from dolbom.visits.solver.solomon import (
    SolomonFormatError,
    format_routes,
    format_solomon,
    parse_routes,
    parse_solomon,
    read_solomon,
)

BENCH = Path(__file__).resolve().parents[3] / "bench" / "data" / "solomon"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("windows", WINDOWS)
def test_the_reader_round_trips_the_generator(layout, windows):
    instance = generate(layout=layout, windows=windows, n=25, seed=7)
    assert parse_solomon(format_solomon(instance)) == instance


def test_it_reads_the_shipped_benchmark_file():
    inst = read_solomon(BENCH / "R101.txt")
    assert inst.n_customers == 100
    assert (inst.vehicles, inst.capacity) == (25, 200)
    assert (inst.x[0], inst.y[0], inst.due[0]) == (35, 35, 230)
    assert inst.service[1] == 10


def test_it_refuses_a_file_without_sections():
    with pytest.raises(SolomonFormatError):
        parse_solomon("C101\n\nnothing here\n")


def test_routes_round_trip():
    routes = [[3, 1, 2], [5, 4]]
    text = format_routes(routes)
    assert text.splitlines()[0] == "Route 1: 3 1 2"
    assert parse_routes(text) == routes
