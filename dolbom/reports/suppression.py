"""Small-cell suppression: the one place that decides which figures reports may never show.

Every table, chart, map, API answer, export and the annual report reads figures the refresh stored with
this decision already taken (reports/refresh.py), so no page can show a hidden figure by forgetting a
check, and a figure is hidden or shown the same way whichever page asks for it: a cell hidden on the map
is hidden in the Excel file too, which is what makes differencing between two views useless.

Primary suppression: a count from 1 to ``k - 1`` (``DOLBOM_REPORTS_MIN_CELL``, 5 by default) is hidden.
A zero is shown: it says that nothing happened, not who it happened to, and hiding every zero would leave
a small dong's page blank.

Secondary suppression: the published figures add up (dongs to the city, a cut by age band to the dong's
total, months to a quarter and quarters to a year, 금암1동 and 금암2동 to 금암동's comparable series), and each
such sum is a *line*: a parent and its children. Differencing a line recovers a hidden cell whenever it is
the only hidden cell of the line (the city minus the other dongs), and recovers the sum of the hidden
cells whenever the parent is shown (which must then not be a small count either). So, line by line until
nothing changes: a line with exactly one hidden cell hides one more, and a line whose shown parent leaves
a hidden total from 1 to ``k - 1`` hides one more; the cell chosen is the shown child with the smallest
positive value in the quantity at fault (least information lost), or the parent when no child will do.
This is the classic heuristic of statistical offices (the "hypercube" family, without its optimisation).
A cell determined by combining several lines at once is caught afterwards by ``audit``: the hidden cells
are the unknowns of the lines' equations, and a cell is recoverable exactly when a null-space basis of
that system is zero on it; such a cell gets its lines' next candidate hidden too, until none is left.

A figure is up to three quantities (reports/refresh.py): a count (the number), a share (its numerator,
its denominator and the complement: 3 people not reached out of 200 is a small count too), or a mean (the
number of values averaged, which is the small count, and their total, which one subtraction would turn
into one person's value). They share one hidden set: a cell is hidden or shown whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits


@dataclass(frozen=True)
class Quantity:
    values: np.ndarray  # one value per cell
    small: bool  # a count of people or events: 1 … k-1 is hidden, and no line may reveal such a total


@dataclass(frozen=True)
class Line:
    parent: int
    children: np.ndarray  # cell indices whose values add up to the parent's


def _padded(lines: Sequence[Line]) -> tuple[np.ndarray, np.ndarray]:
    """Lines as one index matrix (parent first, -1 padding) and its mask, for vectorised checks."""
    width = 1 + max((len(line.children) for line in lines), default=0)
    index = np.full((len(lines), width), -1, dtype=np.int64)
    for i, line in enumerate(lines):
        index[i, 0] = line.parent
        index[i, 1:1 + len(line.children)] = line.children
    return index, index >= 0


def _violations(hidden: np.ndarray, quantities: Sequence[Quantity], index: np.ndarray, mask: np.ndarray,
                k: int) -> np.ndarray:
    safe = np.where(mask, index, 0)
    h = hidden[safe] & mask
    bad = h.sum(axis=1) == 1
    parent_shown = ~h[:, 0]
    for q in quantities:
        if q.small:
            hidden_sum = np.where(h[:, 1:], q.values[safe[:, 1:]], 0.0).sum(axis=1)
            bad |= parent_shown & (hidden_sum > 0.5) & (hidden_sum < k - 0.5)
    return np.flatnonzero(bad)


def _fix(line: Line, hidden: np.ndarray, quantities: Sequence[Quantity], k: int) -> bool:
    """Hide one more cell of a violating line; False when it no longer violates."""
    cells = np.concatenate(([line.parent], line.children))
    h = hidden[cells]
    at_fault = None
    if h.sum() == 1:
        at_fault = next((q for q in quantities if q.small), quantities[0])
    elif not h[0]:
        for q in quantities:
            if q.small:
                total = q.values[line.children][hidden[line.children]].sum()
                if 0.5 < total < k - 0.5:
                    at_fault = q
                    break
    if at_fault is None:
        return False
    shown = line.children[~hidden[line.children]]
    values = at_fault.values[shown]
    positive = shown[values > 0.5]
    if len(positive):
        choice = positive[np.argmin(at_fault.values[positive])]
    elif not hidden[line.parent]:
        choice = line.parent
    elif len(shown):
        choice = shown[0]
    else:
        return False
    hidden[choice] = True
    return True


def primary(quantities: Sequence[Quantity], k: int) -> np.ndarray:
    n = len(quantities[0].values)
    hidden = np.zeros(n, dtype=bool)
    for q in quantities:
        if q.small:
            hidden |= (q.values > 0.5) & (q.values < k - 0.5)
    return hidden


def determined(hidden: np.ndarray, lines: Sequence[Line], tol: float = 1e-9) -> np.ndarray:
    """The hidden cells whose value follows exactly from the shown ones through the lines' equations.

    The hidden cells are the unknowns; each line through one is an equation. The system falls apart into
    independent groups (cells that share no line never constrain each other), solved one by one: a cell
    is pinned down exactly when every vector of its group's null space is zero on it. The null space comes
    from the symmetric eigenproblem of AᵀA, which is fast at the sizes met here (a few hundred unknowns)
    and exact enough for a matrix of ±1."""
    hidden_idx = np.flatnonzero(hidden)
    if not len(hidden_idx):
        return hidden_idx
    position = {int(c): i for i, c in enumerate(hidden_idx)}
    parent = list(range(len(hidden_idx)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    equations: list[dict[int, float]] = []
    for line in lines:
        row: dict[int, float] = {}
        for c, sign in [(int(line.parent), 1.0)] + [(int(c), -1.0) for c in line.children]:
            j = position.get(c)
            if j is not None:
                row[j] = row.get(j, 0.0) + sign
        row = {j: v for j, v in row.items() if v}
        if not row:
            continue
        equations.append(row)
        first = next(iter(row))
        for j in row:
            a, b = find(first), find(j)
            if a != b:
                parent[a] = b
    groups: dict[int, list[int]] = {}
    for j in range(len(hidden_idx)):
        groups.setdefault(find(j), []).append(j)
    by_group: dict[int, list[dict[int, float]]] = {}
    for row in equations:
        by_group.setdefault(find(next(iter(row))), []).append(row)
    out: list[int] = []
    for root, members in groups.items():
        rows = by_group.get(root, [])
        if not rows:
            continue
        local = {j: i for i, j in enumerate(members)}
        a = np.zeros((len(rows), len(members)))
        for i, row in enumerate(rows):
            for j, v in row.items():
                a[i, local[j]] = v
        values, vectors = np.linalg.eigh(a.T @ a)
        null = vectors[:, values < tol * max(1.0, float(values.max(initial=0.0)))]
        free = np.abs(null).max(axis=1) > 1e-7 if null.shape[1] else np.zeros(len(members), dtype=bool)
        out += [int(hidden_idx[members[i]]) for i in np.flatnonzero(~free)]
    return np.array(sorted(out), dtype=np.int64)


def suppress(quantities: Sequence[Quantity], lines: Sequence[Line], k: int, *, audit: bool = True,
             max_rounds: int = 10_000) -> np.ndarray:
    """The hidden cells: primary, then secondary until every line holds (see the module's docstring)."""
    # Many small eigenproblems: OpenBLAS's threads cost far more than they give at these sizes (a hundredfold
    # on a busy two-core server), so the audit runs on one.
    with threadpool_limits(limits=1, user_api="blas"):
        return _suppress(quantities, lines, k, audit=audit, max_rounds=max_rounds)


def _suppress(quantities: Sequence[Quantity], lines: Sequence[Line], k: int, *, audit: bool,
              max_rounds: int) -> np.ndarray:
    hidden = primary(quantities, k)
    if not hidden.any():
        return hidden
    index, mask = _padded(lines)
    small_rows = primary(quantities, k)
    for _ in range(max_rounds):
        changed = False
        for i in _violations(hidden, quantities, index, mask, k):
            changed |= _fix(lines[i], hidden, quantities, k)
        if changed:
            continue
        if not audit:
            break
        # Only the figures that are themselves small need an exact guard; a hidden complement that can be
        # recovered reveals nothing small (its lines already keep every small total from 1 to k-1 away).
        exposed = [c for c in determined(hidden, _touching(lines, hidden)) if small_rows[c]]
        if not exposed:
            break
        for c in exposed:
            changed |= _widen(c, lines, hidden, quantities)
        if not changed:
            break
    return hidden


def _touching(lines: Sequence[Line], hidden: np.ndarray) -> list[Line]:
    return [line for line in lines if hidden[line.parent] or hidden[line.children].any()]


def _widen(cell: int, lines: Sequence[Line], hidden: np.ndarray, quantities: Sequence[Quantity]) -> bool:
    """Hide one more cell in a line through ``cell``: the shown child with the smallest positive value."""
    q = next((q for q in quantities if q.small), quantities[0])
    best: tuple[float, int] | None = None
    for line in lines:
        cells = np.concatenate(([line.parent], line.children))
        if cell not in cells:
            continue
        shown = line.children[~hidden[line.children]]
        positive = shown[q.values[shown] > 0.5]
        for c in positive:
            if best is None or q.values[c] < best[0]:
                best = (float(q.values[c]), int(c))
        if best is None and not hidden[line.parent]:
            best = (float("inf"), int(line.parent))
    if best is None:
        return False
    hidden[best[1]] = True
    return True
