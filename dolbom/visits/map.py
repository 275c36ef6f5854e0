"""The visit map of one day: the dongs valid on the plan's date (areas/map.py), each worker's route, and a
labelled marker per address, zoomed to where the day's visits are.

A team leader reads it at a glance in the morning, so:
- it opens on the day's visits, not on the whole city (19 visits of one dong were a 40-pixel blob);
- two visits at one address in one route are one marker, labelled with both stop numbers ("1·2");
- each marker says its number and time, and the client's name for a viewer who may see it (a visit-list
  household has no client yet: it says what kind of visit it is);
- the page's script (visits/static/visits/map.js) pans and zooms on the SVG's viewBox, with the mouse or
  the keyboard; without it the map is still drawn at the day's zoom.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from dolbom.accounts.scope import can_see_personal_data
from dolbom.areas.map import WIDTH, Projection, dong_shapes, projection
from dolbom.visits.selectors import PlanDetail, PlannedStop

# The smallest view, in SVG units (900 = the whole city's width): about 3 km across, so that a day in one
# neighbourhood still shows the streets' dong borders around it.
MIN_VIEW = 110.0
PAD = 0.18  # of the visits' extent, on every side


@dataclass
class Marker:
    x: float
    y: float
    orders: list[int]
    times: list[str]
    names: list[str]
    kinds: list[str]
    colour: str

    @property
    def number(self) -> str:
        return "·".join(str(o) for o in self.orders)

    @property
    def label(self) -> str:
        who = ", ".join(dict.fromkeys(self.names)) if self.names else ", ".join(dict.fromkeys(self.kinds))
        return f"{self.times[0]} {who}".strip()

    @property
    def width(self) -> float:
        return 12.0 + 5.5 * max(0, len(self.number) - 1)

    @property
    def half_width(self) -> float:
        return -self.width / 2

    @property
    def label_x(self) -> float:
        return self.width / 2 + 3


@dataclass
class RouteLine:
    colour: str
    worker: str
    points: str
    office_x: float
    office_y: float
    markers: list[Marker] = field(default_factory=list)


@dataclass(frozen=True)
class ViewBox:
    x: float
    y: float
    w: float
    h: float

    def __str__(self) -> str:
        return f"{self.x:.1f} {self.y:.1f} {self.w:.1f} {self.h:.1f}"

    @property
    def scale(self) -> float:
        return round(self.w / WIDTH, 4)


def _place(proj: Projection, stop: PlannedStop) -> tuple[float, float]:
    hh = stop.visit.household
    lon, lat = (hh.lon, hh.lat) if hh.lon is not None and hh.lat is not None else (
        hh.dong.centroid_lon, hh.dong.centroid_lat)
    return proj.xy(lon, lat)


def _markers(proj: Projection, stops: list[PlannedStop], colour: str, names: bool) -> list[Marker]:
    by_address: dict[int, Marker] = {}
    for s in stops:
        x, y = _place(proj, s)
        v = s.visit
        marker = by_address.get(v.household_id)
        if marker is None:
            marker = by_address[v.household_id] = Marker(x=x, y=y, orders=[], times=[], names=[], kinds=[],
                                                         colour=colour)
        marker.orders.append(s.order)
        marker.times.append(f"{s.start:%H:%M}" if s.start else "")
        marker.kinds.append(str(v.get_visit_type_display()))
        if names and v.case_id:
            marker.names.append(v.case.resident.name)
    return list(by_address.values())


def view_box(points: list[tuple[float, float]], full: ViewBox) -> ViewBox:
    """The part of the city around ``points``, with the city's own proportions, never smaller than
    MIN_VIEW; the whole city when there is nothing to show."""
    if not points:
        return full
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    w = max(max(xs) - min(xs), MIN_VIEW / (1 + 2 * PAD))
    h = max(max(ys) - min(ys), w * full.h / full.w)
    w = max(w, h * full.w / full.h) * (1 + 2 * PAD)
    h = w * full.h / full.w
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    if w >= full.w:
        return full
    x = min(max(cx - w / 2, full.x), full.x + full.w - w)
    y = min(max(cy - h / 2, full.y), full.y + full.h - h)
    return ViewBox(round(x, 1), round(y, 1), round(w, 1), round(h, 1))


def day_map(*, day: dt.date, detail: PlanDetail | None, viewer: Any) -> dict[str, Any]:
    """What visits/_map.html draws for ``day``: shapes, routes with their markers, the view boxes."""
    proj = projection()
    full = ViewBox(0.0, 0.0, WIDTH, proj.height)
    names = can_see_personal_data(viewer)
    lines: list[RouteLine] = []
    focus: list[tuple[float, float]] = []
    for r in detail.routes if detail is not None else []:
        if not r.stops:
            continue
        office = proj.xy(r.worker.base_dong.centroid_lon, r.worker.base_dong.centroid_lat)
        markers = _markers(proj, r.stops, r.colour, names)
        path = [office] + [_place(proj, s) for s in r.stops] + [office]
        lines.append(RouteLine(colour=r.colour, worker=str(r.worker), points=" ".join(f"{x},{y}" for x, y in path),
                               office_x=office[0], office_y=office[1], markers=markers))
        focus += [(m.x, m.y) for m in markers] + [office]
    home = view_box(focus, full)
    return {"shapes": dong_shapes(day), "lines": lines, "full": full, "home": home, "day": day}
