"""Travel times between places, pluggable: straight line with a road factor by default, or a matrix file
exported from a routing engine (OSRM, Valhalla, a city GIS) when one is available."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class Place:
    key: str  # stable name of the place, used to look it up in a matrix file
    lon: float
    lat: float


class TravelTimes(Protocol):
    def matrix(self, places: list[Place]) -> np.ndarray:
        """Seconds from every place to every place, as int64."""
        ...


def haversine_m(places: list[Place]) -> np.ndarray:
    lon = np.radians([p.lon for p in places])
    lat = np.radians([p.lat for p in places])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


@dataclass(frozen=True)
class StraightLine:
    """Great-circle distance × road factor ÷ speed. 1.35 and 25 km/h are typical of a Korean city
    driven by car with parking; walking workers would use ~4 km/h."""

    road_factor: float = 1.35
    speed_kmh: float = 25.0
    stop_overhead_s: int = 120  # parking and finding the door

    def matrix(self, places: list[Place]) -> np.ndarray:
        m = haversine_m(places) * self.road_factor / (self.speed_kmh / 3.6)
        out = np.ceil(m).astype(np.int64) + self.stop_overhead_s
        same = haversine_m(places) < 1.0
        out[same] = 0
        return out


@dataclass
class MatrixFile:
    """A CSV of `from,to,seconds` rows keyed by place key; pairs missing from it fall back to `fallback`."""

    path: Path
    fallback: TravelTimes = field(default_factory=StraightLine)

    def matrix(self, places: list[Place]) -> np.ndarray:
        out = self.fallback.matrix(places)
        index: dict[str, list[int]] = {}
        for i, p in enumerate(places):
            index.setdefault(p.key, []).append(i)
        with open(self.path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for i in index.get(row["from"], ()):
                    for j in index.get(row["to"], ()):
                        out[i, j] = int(math.ceil(float(row["seconds"])))
        return out
