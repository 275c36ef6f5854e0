"""Locating a point in the shipped 2021-04 dong boundaries (no GIS dependency needed for 35 polygons)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

Ring = list[tuple[float, float]]


@lru_cache(maxsize=1)
def boundaries() -> dict:
    return json.loads(resources.files("dolbom.areas").joinpath("data/jeonju_dongs.geojson").read_text("utf-8"))


@lru_cache(maxsize=1)
def _polygons() -> list[tuple[str, list[list[Ring]], tuple[float, float, float, float]]]:
    out = []
    for feature in boundaries()["features"]:
        geom = feature["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings = [[[(float(x), float(y)) for x, y in ring] for ring in poly] for poly in polys]
        xs = [x for poly in rings for x, _ in poly[0]]
        ys = [y for poly in rings for _, y in poly[0]]
        out.append((feature["properties"]["adm_cd"], rings, (min(xs), min(ys), max(xs), max(ys))))
    return out


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def locate(lon: float, lat: float) -> str | None:
    """KOSTAT code of the boundary area containing the point, or None outside Jeonju."""
    for code, polys, (x0, y0, x1, y1) in _polygons():
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            continue
        for rings in polys:
            if _in_ring(lon, lat, rings[0]) and not any(_in_ring(lon, lat, hole) for hole in rings[1:]):
                return code
    return None
