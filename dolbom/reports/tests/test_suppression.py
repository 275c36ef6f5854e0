"""The suppression engine on its own (reports/suppression.py): primary cells, the lines that protect them,
and an attacker who solves the published lines as a system of equations."""

from __future__ import annotations

import itertools

import numpy as np

from dolbom.reports.suppression import Line, Quantity, determined, suppress

K = 5


def _table(rows: list[list[int]]) -> tuple[np.ndarray, list[Line], dict[tuple[int, int], int]]:
    """A two-way table with its margins: cells (r, c), row totals (r, -1), column totals (-1, c), grand total."""
    n_r, n_c = len(rows), len(rows[0])
    index: dict[tuple[int, int], int] = {}
    values: list[float] = []

    def cell(key: tuple[int, int], value: float) -> None:
        index[key] = len(values)
        values.append(value)

    for r, c in itertools.product(range(n_r), range(n_c)):
        cell((r, c), rows[r][c])
    for r in range(n_r):
        cell((r, -1), sum(rows[r]))
    for c in range(n_c):
        cell((-1, c), sum(rows[r][c] for r in range(n_r)))
    cell((-1, -1), sum(map(sum, rows)))
    lines = [Line(index[(r, -1)], np.array([index[(r, c)] for c in range(n_c)])) for r in range(n_r)]
    lines += [Line(index[(-1, c)], np.array([index[(r, c)] for r in range(n_r)])) for c in range(n_c)]
    lines += [Line(index[(-1, -1)], np.array([index[(r, -1)] for r in range(n_r)]))]
    lines += [Line(index[(-1, -1)], np.array([index[(-1, c)] for c in range(n_c)]))]
    return np.array(values, dtype=float), lines, index


def _recoverable(values: np.ndarray, hidden: np.ndarray, lines: list[Line]) -> set[int]:
    """What an attacker computes: every hidden cell the published cells pin down exactly."""
    return {int(i) for i in determined(hidden, lines)}


def test_a_count_under_five_is_hidden_and_zero_and_five_are_shown():
    values = np.array([0, 1, 4, 5, 12], dtype=float)
    hidden = suppress([Quantity(values, True)], [], K)
    assert hidden.tolist() == [False, True, True, False, False]


def test_the_city_minus_the_other_dongs_does_not_give_the_hidden_dong():
    dongs = np.array([3, 40, 52, 17, 9], dtype=float)
    values = np.append(dongs, dongs.sum())
    line = Line(5, np.arange(5))
    hidden = suppress([Quantity(values, True)], [line], K)
    assert hidden[0] and not hidden[5]
    assert hidden[:5].sum() >= 2
    # The hidden dongs together are no small count either: the city minus the shown dongs is 5 or more.
    assert values[:5][hidden[:5]].sum() >= K
    assert _recoverable(values, hidden, [line]) == set()


def test_two_small_dongs_are_not_left_summing_to_a_small_count():
    dongs = np.array([1, 2, 40, 52], dtype=float)
    values = np.append(dongs, dongs.sum())
    hidden = suppress([Quantity(values, True)], [Line(4, np.arange(4))], K)
    # 1 + 2 = 3 would be the city minus the shown dongs: a third cell is hidden with them.
    assert hidden[:4].sum() >= 3
    assert values[:4][hidden[:4]].sum() >= K


def test_a_two_way_table_with_margins_leaves_nothing_recoverable():
    rng = np.random.default_rng(7)
    for _ in range(40):
        rows = rng.choice([0, 1, 2, 3, 6, 9, 15, 30], size=(6, 4)).tolist()
        values, lines, _ = _table(rows)
        hidden = suppress([Quantity(values, True)], lines, K)
        small = (values > 0) & (values < K)
        assert hidden[small].all()
        assert _recoverable(values, hidden, lines) & set(np.flatnonzero(small).tolist()) == set(), rows


def test_a_cell_that_only_a_combination_of_lines_recovers_is_caught_by_the_audit():
    # Found by the random search above: every line of this table holds after the line-by-line heuristic,
    # yet the rows and columns solved together give cell (1, 1) = 1 exactly.
    rows = [[9, 40, 9, 9, 2], [9, 1, 9, 0, 9], [6, 6, 6, 6, 0], [9, 6, 0, 40, 0], [0, 1, 0, 1, 0]]
    values, lines, index = _table(rows)
    heuristic = suppress([Quantity(values, True)], lines, K, audit=False)
    assert index[(1, 1)] in _recoverable(values, heuristic, lines)
    audited = suppress([Quantity(values, True)], lines, K)
    small = set(np.flatnonzero((values > 0) & (values < K)).tolist())
    assert _recoverable(values, audited, lines) & small == set()


def test_a_share_hides_a_small_complement_too():
    # 197 answered out of 200: the 3 who did not answer are a small count.
    num = np.array([197, 50, 60, 307], dtype=float)
    den = np.array([200, 80, 90, 370], dtype=float)
    line = Line(3, np.arange(3))
    qs = [Quantity(num, True), Quantity(den, True), Quantity(den - num, True)]
    hidden = suppress(qs, [line], K)
    assert hidden[0] and hidden[:3].sum() >= 2


def test_a_mean_over_fewer_than_five_values_is_hidden_and_its_total_cannot_be_subtracted():
    total_days = np.array([12.0, 200.0, 150.0, 362.0])
    counted = np.array([1, 20, 15, 36], dtype=float)
    line = Line(3, np.arange(3))
    hidden = suppress([Quantity(counted, True), Quantity(total_days, False)], [line], K)
    assert hidden[0] and hidden[:3].sum() >= 2


def _rank_recoverable(hidden: np.ndarray, lines: list[Line]) -> set[int]:
    """The slow, obvious attacker: a hidden cell is recovered when adding its unit vector to the equations
    does not raise their rank."""
    idx = np.flatnonzero(hidden)
    pos = {int(c): i for i, c in enumerate(idx)}
    rows = []
    for line in lines:
        r = np.zeros(len(idx))
        for c, sign in [(int(line.parent), 1.0)] + [(int(c), -1.0) for c in line.children]:
            if c in pos:
                r[pos[c]] += sign
        if r.any():
            rows.append(r)
    if not rows:
        return set()
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    found = set()
    for i, c in enumerate(idx):
        e = np.zeros(len(idx))
        e[i] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            found.add(int(c))
    return found


def test_the_audits_fast_solver_finds_exactly_what_a_rank_test_finds():
    rng = np.random.default_rng(3)
    for _ in range(80):
        rows = rng.choice([0, 1, 2, 6, 9, 40], size=(int(rng.integers(2, 7)), int(rng.integers(2, 6)))).tolist()
        values, lines, _ = _table(rows)
        hidden = rng.random(len(values)) < rng.uniform(0.1, 0.7)
        assert set(determined(hidden, lines).tolist()) == _rank_recoverable(hidden, lines), rows


def test_the_sparse_solver_of_large_groups_finds_exactly_what_a_rank_test_finds(monkeypatch):
    from dolbom.reports import suppression

    monkeypatch.setattr(suppression, "DENSE_LIMIT", 0)  # every group through the random null vectors
    rng = np.random.default_rng(11)
    for _ in range(60):
        rows = rng.choice([0, 1, 2, 6, 9, 40], size=(int(rng.integers(2, 9)), int(rng.integers(2, 8)))).tolist()
        values, lines, _ = _table(rows)
        hidden = rng.random(len(values)) < rng.uniform(0.1, 0.8)
        assert set(determined(hidden, lines).tolist()) == _rank_recoverable(hidden, lines), rows
