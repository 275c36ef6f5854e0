"""SVG maps of Jeonju drawn from the shipped 2021-04 dong boundaries alone.

The city network has no internet, so there are no tiles, and the map must still work. Two pages draw it:
the visit routes (visits) and the choropleth maps of the reports app; both use this one projection.

Dongs change over time while the boundary file does not: a boundary area is drawn as the dong that
administers it on the map's day (areas/selectors.py ``dong_for_area``). From 2025-03-10 금암1동 and 금암2동
are one 금암동, drawn as one shape whose inner border is dissolved, so a map before that day has 35 dongs
and one after it 34.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from dolbom.areas.geo import boundaries

WIDTH = 900.0
# Points closer than this (SVG units, about 25 m) to the last one kept are dropped: the boundary file is
# drawn at a few hundred pixels and the page should not carry every surveyed vertex.
MIN_STEP = 1.2

Point = tuple[float, float]
Ring = list[Point]


@dataclass(frozen=True)
class Projection:
    lon0: float
    lat0: float
    scale: float  # SVG units per degree of longitude
    kx: float  # cos(latitude): a degree of longitude is shorter than one of latitude
    height: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (round((lon - self.lon0) * self.scale, 1), round((self.lat0 - lat) * self.scale / self.kx, 1))


@dataclass(frozen=True)
class DongShape:
    name: str
    path: str
    label_x: float
    label_y: float
    dong_id: int | None = None  # the areas.Dong drawn (None for the bare 2021 areas of jeonju_map)
    key: str = ""  # Dong.key, stable across renames
    area_codes: tuple[str, ...] = ()  # KOSTAT codes of the boundary areas it covers


def _rings(geom: dict) -> list[Ring]:
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    return [[(float(x), float(y)) for x, y in ring] for poly in polys for ring in poly]


@lru_cache(maxsize=1)
def _areas() -> dict[str, tuple[str, list[Ring]]]:
    """KOSTAT code -> (the 2021 name, rings in lon/lat)."""
    return {f["properties"]["adm_cd"]: (f["properties"].get("adm_nm", "").split()[-1], _rings(f["geometry"]))
            for f in boundaries()["features"]}


@lru_cache(maxsize=1)
def projection() -> Projection:
    points = [p for _, rings in _areas().values() for ring in rings for p in ring]
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    scale = WIDTH / (max(lons) - min(lons))
    return Projection(lon0=min(lons), lat0=max(lats), scale=scale, kx=kx,
                      height=round((max(lats) - min(lats)) * scale / kx, 1))


def dissolve(rings: list[Ring]) -> list[Ring]:
    """The outline of several adjoining polygons: edges they share (the same two vertices, in either
    direction) are dropped and the rest chained into rings. The boundary file is topologically clean
    (neighbours share their vertices exactly), which is what makes this enough without a GIS library;
    where the chaining does not close, the rings are returned unchanged (an inner line is drawn, nothing
    is lost)."""
    count: dict[frozenset[Point], int] = defaultdict(int)
    for ring in rings:
        for a, b in zip(ring, ring[1:], strict=False):
            if a != b:
                count[frozenset((a, b))] += 1
    nxt: dict[Point, list[Point]] = defaultdict(list)
    for ring in rings:
        for a, b in zip(ring, ring[1:], strict=False):
            if a != b and count[frozenset((a, b))] == 1:
                nxt[a].append(b)
    out: list[Ring] = []
    while nxt:
        start = next(iter(nxt))
        ring = [start]
        here = start
        while True:
            targets = nxt.get(here)
            if not targets:
                return rings
            there = targets.pop()
            if not targets:
                del nxt[here]
            ring.append(there)
            here = there
            if here == start:
                break
        out.append(ring)
    return out


def _path(rings: list[Ring], proj: Projection) -> tuple[str, list[Point]]:
    parts = []
    kept_all: list[Point] = []
    for ring in rings:
        pts = [proj.xy(lon, lat) for lon, lat in ring]
        kept = [pts[0]]
        for p in pts[1:-1]:
            if abs(p[0] - kept[-1][0]) + abs(p[1] - kept[-1][1]) >= MIN_STEP:
                kept.append(p)
        if len(kept) < 3:
            kept = pts[:-1] if len(pts) > 3 else pts
        parts.append("M" + "L".join(f"{x},{y}" for x, y in kept) + "Z")
        kept_all += kept
    return "".join(parts), kept_all


@lru_cache(maxsize=1)
def jeonju_map() -> tuple[Projection, tuple[DongShape, ...]]:
    """The 35 boundary areas as drawn in 2021, labelled with their 2021 names (no database needed)."""
    proj = projection()
    shapes = []
    for code, (name, rings) in _areas().items():
        path, pts = _path(rings, proj)
        shapes.append(DongShape(name=name, path=path, label_x=round(sum(p[0] for p in pts) / len(pts), 1),
                                label_y=round(sum(p[1] for p in pts) / len(pts), 1), area_codes=(code,)))
    return proj, tuple(shapes)


def dong_shapes(day: dt.date) -> tuple[DongShape, ...]:
    """The dongs valid on ``day``, one shape each (merged areas dissolved), ordered by district and name."""
    from dolbom.areas.models import BoundaryArea
    from dolbom.areas.selectors import dong_for_area

    areas = list(BoundaryArea.objects.select_related("original_dong__successor"))
    by_dong: dict[int, tuple[object, list[str]]] = {}
    for area in areas:
        dong = dong_for_area(area=area, day=day)
        by_dong.setdefault(dong.pk, (dong, []))[1].append(area.kostat_code)
    return _shapes_for(tuple(sorted(
        ((d.pk, d.key, d.name, d.gu, d.centroid_lon, d.centroid_lat, tuple(sorted(codes)))
         for d, codes in by_dong.values()), key=lambda t: (t[3], t[2]))))


@lru_cache(maxsize=8)
def _shapes_for(dongs: tuple[tuple[int, str, str, str, float, float, tuple[str, ...]], ...]) -> tuple[DongShape, ...]:
    proj = projection()
    geometry = _areas()
    shapes = []
    for pk, key, name, _gu, lon, lat, codes in dongs:
        rings = [ring for code in codes if code in geometry for ring in geometry[code][1]]
        if not rings:
            continue
        path, _ = _path(dissolve(rings) if len(codes) > 1 else rings, proj)
        x, y = proj.xy(lon, lat)
        shapes.append(DongShape(name=name, path=path, label_x=x, label_y=y, dong_id=pk, key=key, area_codes=codes))
    return tuple(shapes)
