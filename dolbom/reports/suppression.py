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


def _fix(line: Line, hidden: np.ndarray, quantities: Sequence[Quantity], k: int, cost: np.ndarray) -> bool:
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
    choice = _cheapest(cells, hidden, at_fault, cost)
    if choice is None:
        return False
    hidden[choice] = True
    return True


def _cheapest(cells: np.ndarray, hidden: np.ndarray, q: Quantity, cost: np.ndarray) -> int | None:
    """The shown cell of a line whose hiding loses least: the smallest positive value, weighted by what the
    cell is worth to a reader (the city's figure more than a dong's, a finished period more than the
    quarter still running); a zero protects nothing and is taken only when nothing else is left."""
    shown = cells[~hidden[cells]]
    if not len(shown):
        return None
    positive = shown[q.values[shown] > 0.5]
    pool = positive if len(positive) else shown
    return int(pool[np.argmin(q.values[pool] * cost[pool] if len(positive) else cost[pool])])


def primary(quantities: Sequence[Quantity], k: int) -> np.ndarray:
    n = len(quantities[0].values)
    hidden = np.zeros(n, dtype=bool)
    for q in quantities:
        if q.small:
            hidden |= (q.values > 0.5) & (q.values < k - 0.5)
    return hidden


def determined(hidden: np.ndarray, lines: Sequence[Line], tol: float = 1e-9,
               only: np.ndarray | None = None) -> np.ndarray:
    """The hidden cells whose value follows exactly from the shown ones through the lines' equations.

    The hidden cells are the unknowns and each line through one is an equation; a cell is pinned down
    exactly when every vector of the system's null space is zero on it. Two things keep that cheap at the
    sizes met (thousands of unknowns for a year of a cut indicator): cells that share no line never
    constrain each other, so each connected group is solved alone; and an unknown that appears in one
    equation only is peeled off with it first (that equation can always be met by choosing it, so it says
    nothing about the others), which takes apart the tree-like bulk of nested lines. The remaining core's
    null space comes from the symmetric eigenproblem of AᵀA (exact enough for a matrix of ±1), and is
    carried back through the peeled equations in reverse order. With ``only`` (a mask), groups without
    such a cell are not solved: only those cells are asked about."""
    hidden_idx = np.flatnonzero(hidden)
    if not len(hidden_idx):
        return hidden_idx
    position = {int(c): i for i, c in enumerate(hidden_idx)}
    equations: list[dict[int, float]] = []
    for line in lines:
        row: dict[int, float] = {}
        for c, sign in [(int(line.parent), 1.0)] + [(int(c), -1.0) for c in line.children]:
            j = position.get(c)
            if j is not None:
                row[j] = row.get(j, 0.0) + sign
        row = {j: v for j, v in row.items() if v}
        if row:
            equations.append(row)
    parent = list(range(len(hidden_idx)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in equations:
        first = find(next(iter(row)))
        for j in row:
            root = find(j)
            if root != first:
                parent[root] = first
    members: dict[int, list[int]] = {}
    for j in range(len(hidden_idx)):
        members.setdefault(find(j), []).append(j)
    by_group: dict[int, list[dict[int, float]]] = {}
    for row in equations:
        by_group.setdefault(find(next(iter(row))), []).append(row)
    pinned: list[int] = []
    for root, group in members.items():
        if only is not None and not only[hidden_idx[group]].any():
            continue
        local = {j: i for i, j in enumerate(group)}
        rows = [{local[j]: v for j, v in row.items()} for row in by_group.get(root, [])]
        if len(group) > DENSE_LIMIT:
            fixed = _pinned_sparse(len(group), rows)
            pinned += [int(hidden_idx[group[i]]) for i in np.flatnonzero(fixed)]
            continue
        null = _null_space(len(group), rows, tol)
        pinned += [int(hidden_idx[group[i]]) for i in range(len(group))
                   if not null[i].size or np.abs(null[i]).max() <= 1e-7]
    return np.array(sorted(pinned), dtype=np.int64)


# Above this many unknowns in one group, the dense eigenproblem (cubic: 30 s for the 2,800 hidden cells of a
# year of cases opened cut three ways) gives way to the sparse test below.
DENSE_LIMIT = 400
SAMPLES = 3


def _pinned_sparse(n: int, equations: list[dict[int, float]], samples: int = SAMPLES) -> np.ndarray:
    """The unknowns that every solution of the equations gives the same value, from random null vectors.

    A cell is pinned exactly when every vector of the null space is zero on it. The orthogonal projection of
    a random vector onto the null space, z = r - Aᵀy with y the least-squares solution of Aᵀy = r (LSQR on
    the sparse ±1 matrix: a few hundred products with it, not a factorisation), is such a vector whose
    entries are nonzero wherever some null vector is, with probability one; ``samples`` of them leave no
    practical chance of a miss. A miss could only call a free cell pinned, which hides one more figure: the
    error is on the safe side. A pinned cell's entries are LSQR's error, far below the threshold; the
    projection is checked (Az = 0) and a system LSQR does not solve goes to the dense path."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.linalg import lsqr

    r_idx = [r for r, row in enumerate(equations) for _ in row]
    c_idx = [j for row in equations for j in row]
    vals = [v for row in equations for v in row.values()]
    a = csr_matrix((vals, (r_idx, c_idx)), shape=(len(equations), n))
    at = a.T.tocsr()
    rng = np.random.default_rng(0x5EB0)  # fixed: a refresh of the same figures hides the same cells
    z = np.zeros((n, samples))
    for s in range(samples):
        r = rng.standard_normal(n)
        y = lsqr(at, r, atol=1e-15, btol=1e-15, conlim=1e15, iter_lim=50 * n)[0]
        z[:, s] = r - at @ y
        if np.abs(a @ z[:, s]).max() > 1e-9 * max(1.0, float(np.abs(r).max())):
            null = _null_space(n, equations, 1e-9)
            return np.array([not v.size or np.abs(v).max() <= 1e-7 for v in null])
    return np.abs(z).max(axis=1) <= 1e-7


def _null_space(n: int, equations: list[dict[int, float]], tol: float) -> list[np.ndarray]:
    """A basis of the null space of the equations, as one vector of basis coefficients per unknown."""
    rows_of: list[list[int]] = [[] for _ in range(n)]
    for r, row in enumerate(equations):
        for j in row:
            rows_of[j].append(r)
    alive = [True] * len(equations)
    degree = [len(rs) for rs in rows_of]
    peeled: list[tuple[int, int]] = []
    stack = [j for j in range(n) if degree[j] == 1]
    while stack:
        j = stack.pop()
        if degree[j] != 1:
            continue
        r = next(r for r in rows_of[j] if alive[r])
        alive[r] = False
        peeled.append((j, r))
        for i in equations[r]:
            degree[i] -= 1
            if degree[i] == 1:
                stack.append(i)
    core_rows = [equations[r] for r in range(len(equations)) if alive[r]]
    core_vars = sorted({j for row in core_rows for j in row})
    free_vars = [j for j in range(n) if degree[j] == 0 and j not in {p for p, _ in peeled}]
    basis: dict[int, np.ndarray] = {}
    core_null = np.zeros((len(core_vars), 0))
    if core_vars:
        local = {j: i for i, j in enumerate(core_vars)}
        a = np.zeros((len(core_rows), len(core_vars)))
        for i, row in enumerate(core_rows):
            for j, v in row.items():
                a[i, local[j]] = v
        values, vectors = np.linalg.eigh(a.T @ a)
        core_null = vectors[:, values < tol * max(1.0, float(values.max(initial=0.0)))]
    # The basis: the core's null vectors, then one free direction per unknown in no equation left.
    width = core_null.shape[1] + len(free_vars)
    for i, j in enumerate(core_vars):
        basis[j] = np.concatenate([core_null[i], np.zeros(len(free_vars))])
    for k, j in enumerate(free_vars):
        vec = np.zeros(width)
        vec[core_null.shape[1] + k] = 1.0
        basis[j] = vec
    for j, r in reversed(peeled):
        row = equations[r]
        total = np.zeros(width)
        for i, v in row.items():
            if i != j:
                total += v * basis.get(i, np.zeros(width))
        basis[j] = -total / row[j]
    return [basis.get(j, np.zeros(width)) for j in range(n)]


def suppress(quantities: Sequence[Quantity], lines: Sequence[Line], k: int, *, audit: bool = True,
             cost: np.ndarray | None = None, max_rounds: int = 10_000) -> np.ndarray:
    """The hidden cells: primary, then secondary until every line holds (see the module's docstring)."""
    # Many small eigenproblems: OpenBLAS's threads cost far more than they give at these sizes (a hundredfold
    # on a busy two-core server), so the audit runs on one.
    with threadpool_limits(limits=1, user_api="blas"):
        return _suppress(quantities, lines, k, audit=audit, max_rounds=max_rounds,
                         cost=np.ones(len(quantities[0].values)) if cost is None else cost)


def _suppress(quantities: Sequence[Quantity], lines: Sequence[Line], k: int, *, audit: bool,
              max_rounds: int, cost: np.ndarray) -> np.ndarray:
    hidden = primary(quantities, k)
    if not hidden.any():
        return hidden
    index, mask = _padded(lines)
    small_rows = primary(quantities, k)
    for _ in range(max_rounds):
        changed = False
        for i in _violations(hidden, quantities, index, mask, k):
            changed |= _fix(lines[i], hidden, quantities, k, cost)
        if changed:
            continue
        if not audit:
            break
        # Only the figures that are themselves small need an exact guard; a hidden complement that can be
        # recovered reveals nothing small (its lines already keep every small total from 1 to k-1 away).
        exposed = [c for c in determined(hidden, _touching(lines, hidden), only=small_rows) if small_rows[c]]
        if not exposed:
            break
        for c in exposed:
            changed |= _widen(c, lines, hidden, quantities, cost)
        if not changed:
            break
    return hidden


def _touching(lines: Sequence[Line], hidden: np.ndarray) -> list[Line]:
    return [line for line in lines if hidden[line.parent] or hidden[line.children].any()]


def _widen(cell: int, lines: Sequence[Line], hidden: np.ndarray, quantities: Sequence[Quantity],
           cost: np.ndarray) -> bool:
    """Hide one more cell in a line through ``cell`` (the cheapest shown one of all such lines)."""
    q = next((q for q in quantities if q.small), quantities[0])
    best: tuple[float, int] | None = None
    for line in lines:
        cells = np.concatenate(([line.parent], line.children))
        if cell not in cells:
            continue
        choice = _cheapest(cells, hidden, q, cost)
        if choice is not None:
            price = float(q.values[choice] * cost[choice])
            if best is None or price < best[0]:
                best = (price, choice)
    if best is None:
        return False
    hidden[best[1]] = True
    return True
