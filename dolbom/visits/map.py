"""An SVG map of Jeonju drawn from the shipped dong boundaries alone: the city network has no
internet, so there are no tiles, and the map must still work."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from dolbom.areas.geo import boundaries

WIDTH = 900.0


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


def _rings(geom: dict) -> list[list[list[float]]]:
    if geom["type"] == "Polygon":
        return list(geom["coordinates"])
    return [ring for poly in geom["coordinates"] for ring in poly]


@lru_cache(maxsize=1)
def jeonju_map() -> tuple[Projection, tuple[DongShape, ...]]:
    data = boundaries()
    lons = [p[0] for f in data["features"] for r in _rings(f["geometry"]) for p in r]
    lats = [p[1] for f in data["features"] for r in _rings(f["geometry"]) for p in r]
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    scale = WIDTH / (max(lons) - min(lons))
    proj = Projection(lon0=min(lons), lat0=max(lats), scale=scale, kx=kx,
                      height=round((max(lats) - min(lats)) * scale / kx, 1))
    shapes = []
    for f in data["features"]:
        parts = []
        xs, ys = [], []
        for ring in _rings(f["geometry"]):
            pts = [proj.xy(lon, lat) for lon, lat in ring[::2] or ring]
            xs += [p[0] for p in pts]
            ys += [p[1] for p in pts]
            parts.append("M" + "L".join(f"{x},{y}" for x, y in pts) + "Z")
        name = f["properties"].get("adm_nm", "").split()[-1]
        shapes.append(DongShape(name=name, path="".join(parts), label_x=round(sum(xs) / len(xs), 1),
                                label_y=round(sum(ys) / len(ys), 1)))
    return proj, tuple(shapes)
