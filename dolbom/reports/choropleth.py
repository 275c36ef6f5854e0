"""The choropleth map of Jeonju's dongs, coloured by any indicator (areas/map.py draws the shapes).

The dongs are those valid on the period's last day (35 before 2025-03-10, 34 after), each coloured by its
published figure in five classes of equal counts of dongs (quantiles read better than equal intervals when
one dong dwarfs the others); a hidden figure is hatched, never coloured as if it were a small one. A map
shows dongs, never a point: no person's home is ever on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from dolbom.areas.map import DongShape, dong_shapes, projection
from dolbom.lib.metrics import Indicator
from dolbom.reports.periods import Period
from dolbom.reports.selectors import Figure, format_value

# ColorBrewer "Blues" (5 classes): readable in grey print and by colour-blind readers.
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
CLASSES = len(PALETTE)


@dataclass(frozen=True)
class MapDong:
    shape: DongShape
    figure: Figure
    fill: str  # a colour, or "" for hidden (hatched) and undefined (grey) dongs
    css: str  # "hidden", "none" or ""
    text: str
    url: str
    light_label: bool  # white label on the two darkest classes


@dataclass(frozen=True)
class Legend:
    colour: str
    text: str


def breaks(values: list[float]) -> list[float]:
    """Upper bounds of the classes (the last one open), from the shown values."""
    values = sorted(values)
    if not values:
        return []
    out = []
    for k in range(1, CLASSES):
        out.append(values[min(len(values) - 1, round(k * len(values) / CLASSES) - 1)])
    return out


def _class(value: float, bounds: list[float]) -> int:
    for i, b in enumerate(bounds):
        if value <= b:
            return i
    return len(bounds)


def choropleth(indicator: Indicator, period: Period, figures: dict[int, Figure]) -> dict:
    shapes = dong_shapes(period.last_day)
    shown = [f.value for f in figures.values() if f.value is not None and not f.hidden]
    bounds = breaks(shown)
    # Fewer distinct values than classes: one class per value, no empty classes in the legend.
    bounds = sorted(set(bounds))
    dongs = []
    for shape in shapes:
        fig = figures.get(shape.dong_id)
        if fig is None:
            continue
        url = reverse("reports:dong", args=[shape.dong_id]) + f"?period={period.code if period.kind == 'M' else ''}"
        if fig.hidden:
            dongs.append(MapDong(shape, fig, "", "hidden", fig.text, url, False))
        elif fig.value is None:
            dongs.append(MapDong(shape, fig, "", "none", fig.text, url, False))
        else:
            k = _class(fig.value, bounds)
            dongs.append(MapDong(shape, fig, PALETTE[k], "", fig.text, url, k >= CLASSES - 2))
    return _finish(indicator, period, dongs, _legend(indicator, shown, bounds))


def _legend(indicator: Indicator, shown: list[float], bounds: list[float]) -> list[Legend]:
    """One entry per class that has a dong, labelled with the lowest and highest figure shown in it (one
    figure when they are the same): exact ranges that do not overlap, and the 1-4 a count never shows is
    no class's edge."""
    members: dict[int, list[float]] = {}
    for v in shown:
        members.setdefault(_class(v, bounds), []).append(v)
    out = []
    for k in sorted(members):
        lo, hi = min(members[k]), max(members[k])
        lo_text, hi_text = format_value(indicator, lo), format_value(indicator, hi)
        out.append(Legend(PALETTE[k], lo_text if lo_text == hi_text else f"{lo_text} ~ {hi_text}"))
    return out


def _finish(indicator: Indicator, period: Period, dongs: list[MapDong], legend: list[Legend]) -> dict:
    proj = projection()
    return {"dongs": dongs, "legend": legend, "width": 900, "height": proj.height, "indicator": indicator,
            "period": period, "count": len(dongs)}
