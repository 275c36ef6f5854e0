"""An independent feasibility check of a VRPTW solution.

Deliberately shares nothing with the solver (no matrices, no scaling, no PyVRP): it walks each route
in floating point from the raw instance, so a bug in the solver's model cannot hide itself here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from dolbom.visits.solver.instance import Instance

EPS = 1e-6


@dataclass
class CheckResult:
    feasible: bool
    vehicles: int
    distance: float
    errors: list[str] = field(default_factory=list)


def check_solution(instance: Instance, routes: list[list[int]], *, max_vehicles: int | None = None) -> CheckResult:
    errors: list[str] = []
    n = len(instance.x) - 1
    seen: dict[int, int] = {}
    distance = 0.0
    used = [r for r in routes if r]
    for k, route in enumerate(used, 1):
        load = 0
        t = instance.ready[0]
        prev = 0
        for c in route:
            if not 1 <= c <= n:
                errors.append(f"route {k}: customer {c} does not exist")
                continue
            if c in seen:
                errors.append(f"route {k}: customer {c} already visited on route {seen[c]}")
            seen[c] = k
            leg = math.hypot(instance.x[prev] - instance.x[c], instance.y[prev] - instance.y[c])
            distance += leg
            t = max(t + leg, instance.ready[c])
            if t > instance.due[c] + EPS:
                errors.append(f"route {k}: customer {c} reached at {t:.3f}, after its due time {instance.due[c]:g}")
            t += instance.service[c]
            load += instance.demand[c]
            prev = c
        back = math.hypot(instance.x[prev] - instance.x[0], instance.y[prev] - instance.y[0])
        distance += back
        t += back
        if t > instance.due[0] + EPS:
            errors.append(f"route {k}: back at the depot at {t:.3f}, after its due time {instance.due[0]:g}")
        if load > instance.capacity:
            errors.append(f"route {k}: load {load} exceeds capacity {instance.capacity}")
    missing = sorted(set(range(1, n + 1)) - set(seen))
    if missing:
        errors.append(f"customers not visited: {missing[:20]}{' …' if len(missing) > 20 else ''}")
    limit = instance.vehicles if max_vehicles is None else max_vehicles
    if limit and len(used) > limit:
        errors.append(f"{len(used)} routes for {limit} vehicles")
    return CheckResult(feasible=not errors, vehicles=len(used), distance=distance, errors=errors)
