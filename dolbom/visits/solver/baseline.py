"""The baseline: Solomon's nearest-neighbour heuristic, extending one route at a time with the closest
customer that can still be reached inside its window, capacity and the depot's closing time."""

from __future__ import annotations

from dolbom.visits.solver.instance import Instance


def nearest_neighbour(instance: Instance) -> list[list[int]]:
    n = len(instance.x) - 1
    left = set(range(1, n + 1))
    routes: list[list[int]] = []
    while left:
        route: list[int] = []
        prev, t, load = 0, instance.ready[0], 0
        while True:
            best, best_key = None, None
            for c in left:
                if load + instance.demand[c] > instance.capacity:
                    continue
                arrive = t + instance.dist(prev, c)
                if arrive > instance.due[c]:
                    continue
                start = max(arrive, instance.ready[c])
                if start + instance.service[c] + instance.dist(c, 0) > instance.due[0]:
                    continue
                # Solomon (1987): closeness mixes distance, waiting and urgency.
                key = instance.dist(prev, c) + (start - arrive) + 0.5 * (instance.due[c] - arrive)
                if best_key is None or key < best_key:
                    best, best_key = c, key
            if best is None:
                break
            start = max(t + instance.dist(prev, best), instance.ready[best])
            t = start + instance.service[best]
            load += instance.demand[best]
            route.append(best)
            left.discard(best)
            prev = best
        if not route:  # a customer nobody can reach: give it its own route and let the checker say so
            route = [left.pop()]
        routes.append(route)
    return routes
