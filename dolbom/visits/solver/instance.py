"""A VRPTW instance as in Solomon's benchmark: node 0 is the depot, nodes 1..n are customers."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    x: tuple[float, ...]
    y: tuple[float, ...]
    demand: tuple[int, ...]
    ready: tuple[float, ...]
    due: tuple[float, ...]
    service: tuple[float, ...]

    @property
    def n_customers(self) -> int:
        return len(self.x) - 1

    def dist(self, i: int, j: int) -> float:
        # The benchmark is scored on unrounded Euclidean distance; travel time equals distance.
        return math.hypot(self.x[i] - self.x[j], self.y[i] - self.y[j])


def route_distance(instance: Instance, route: list[int]) -> float:
    stops = [0, *route, 0]
    return sum(instance.dist(a, b) for a, b in zip(stops, stops[1:], strict=False))


def total_distance(instance: Instance, routes: list[list[int]]) -> float:
    return sum(route_distance(instance, r) for r in routes if r)
