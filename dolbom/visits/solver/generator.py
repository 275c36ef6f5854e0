"""Solomon-format instance generator for tests and benchmarks.

Layouts follow Solomon's three families: clustered (C), random (R) and mixed (RC). Every window is
placed so that a vehicle driving straight from the depot can serve the customer and get back in time,
so every generated instance is feasible with one vehicle per customer.
"""

from __future__ import annotations

import math
import random

from dolbom.visits.solver.instance import Instance

LAYOUTS = ("clustered", "random", "mixed")
WINDOWS = ("narrow", "wide")


def _points(rng: random.Random, layout: str, n: int) -> list[tuple[float, float]]:
    def uniform() -> tuple[float, float]:
        return (round(rng.uniform(0, 100)), round(rng.uniform(0, 100)))

    def clustered(count: int) -> list[tuple[float, float]]:
        centres = [(rng.uniform(15, 85), rng.uniform(15, 85)) for _ in range(max(2, count // 10))]
        pts = []
        for _ in range(count):
            cx, cy = rng.choice(centres)
            pts.append((round(min(100, max(0, rng.gauss(cx, 5)))), round(min(100, max(0, rng.gauss(cy, 5))))))
        return pts

    if layout == "random":
        return [uniform() for _ in range(n)]
    if layout == "clustered":
        return clustered(n)
    if layout == "mixed":
        half = n // 2
        return clustered(half) + [uniform() for _ in range(n - half)]
    raise ValueError(f"unknown layout {layout!r}; choose one of {LAYOUTS}")


def generate(*, layout: str = "random", windows: str = "narrow", n: int = 100, seed: int = 0,
             name: str = "", max_demand: int = 40, untimed: float = 0.0) -> Instance:
    """A random instance; `max_demand` below 40 makes load a looser bound on the fleet (Solomon's R2 and RC2
    need 3-4 long routes though capacity alone would allow 2, which is what makes their fleet search hard).
    `untimed` is the share of customers whose window is the whole day (Solomon varied the share of customers
    with a window: 25, 50, 75 or 100%); such customers make long routes with many orders to choose from."""
    if windows not in WINDOWS:
        raise ValueError(f"unknown windows {windows!r}; choose one of {WINDOWS}")
    rng = random.Random(f"{layout}-{windows}-{n}-{seed}")
    depot = (50.0, 50.0)
    pts = _points(rng, layout, n)
    # Solomon's type-1 sets have a short horizon and small vehicles, type-2 a long horizon and large ones.
    horizon, capacity = (230.0, 200) if windows == "narrow" else (1000.0, 1000)
    service = 10.0
    xs, ys = [depot[0]], [depot[1]]
    demand, ready, due, serv = [0], [0.0], [horizon], [0.0]
    for (x, y) in pts:
        t0 = math.hypot(x - depot[0], y - depot[1])
        latest_start = horizon - t0 - service
        centre = rng.uniform(t0, max(t0, latest_start))
        half = rng.uniform(5, 15) if windows == "narrow" else rng.uniform(60, 240)
        a = max(math.ceil(t0), math.floor(centre - half))
        b = min(math.floor(latest_start), math.ceil(centre + half))
        if b < a:
            a = b = math.ceil(t0)
        if untimed and rng.random() < untimed:
            a, b = math.ceil(t0), max(math.ceil(t0), math.floor(latest_start))
        xs.append(x)
        ys.append(y)
        demand.append(rng.randint(1, max_demand))
        ready.append(float(a))
        due.append(float(b))
        serv.append(service)
    return Instance(
        name=name or f"{layout[:1].upper()}{'1' if windows == 'narrow' else '2'}-{n}-{seed}",
        vehicles=max(25, n // 4), capacity=capacity,
        x=tuple(xs), y=tuple(ys), demand=tuple(demand), ready=tuple(ready), due=tuple(due), service=tuple(serv),
    )
