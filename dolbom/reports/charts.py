"""Charts drawn on the server as SVG: no chart library from a CDN (city networks often cannot reach one), no
script, and the same picture in the page, in print and in the PDF (WeasyPrint draws inline SVG).

A hidden figure (small-cell suppression) is a gap in a line and a hatched stub in a bar chart, never a
zero: a reader must not take "not shown" for "none".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # None: hidden or not defined (a gap)
    css: str = "s1"  # s1 (the figure), s2 (the comparison), s3
    hidden: Sequence[bool] = ()  # which gaps are hidden figures (drawn as a hatched mark)


def nice_max(value: float) -> float:
    """The top of a y axis: 1, 2, 2.5 or 5 times a power of ten, at or above the largest value."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.0f}%"
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.1f}"


def line_chart(series: Sequence[Series], labels: Sequence[str], *, unit: str = "", width: int = 640,
               height: int = 220, title: str = "", testid: str = "trend-chart") -> SafeString:
    left, right, top, bottom = 48, 12, 14, 30
    w, h = width - left - right, height - top - bottom
    shown = [v for s in series for v in s.values if v is not None]
    top_value = nice_max(max(shown) if shown else 0.0)
    if unit == "%" and top_value > 100 and max(shown, default=0) <= 100:
        top_value = 100.0
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return left + (w * i / (n - 1) if n > 1 else w / 2)

    def y(v: float) -> float:
        return top + h - h * (v / top_value if top_value else 0)

    parts = [f'<svg class="chart line-chart" data-testid="{escape(testid)}" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for k in range(5):
        v = top_value * k / 4
        parts.append(f'<line class="grid" x1="{left}" x2="{left + w}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
                     f'<text class="axis" x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{escape(_fmt(v, unit))}</text>')
    step = max(1, math.ceil(n / 8))
    for i, label in enumerate(labels):
        if i % step == 0 or i == n - 1:
            parts.append(f'<text class="axis" x="{x(i):.1f}" y="{height - 10}" text-anchor="middle">{escape(label)}</text>')
    for s in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(s.values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append((x(i), y(v)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{a:.1f},{b:.1f}" for a, b in run)
                parts.append(f'<polyline class="series {escape(s.css)}" points="{points}"/>')
        for i, v in enumerate(s.values):
            if v is not None:
                parts.append(f'<circle class="dot {escape(s.css)}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.6">'
                             f'<title>{escape(labels[i] if i < len(labels) else "")} {escape(s.label)}: '
                             f'{escape(_fmt(v, unit))}{escape(unit if unit != "%" else "")}</title></circle>')
            elif i < len(s.hidden) and s.hidden[i]:
                parts.append(f'<rect class="hidden-mark" x="{x(i) - 3:.1f}" y="{top + h - 6}" width="6" height="6">'
                             f'<title>{escape(labels[i])} {escape(s.label)}: {escape(_("hidden"))}</title></rect>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece of text above is escaped


def bar_chart(rows: Sequence[tuple[str, float | None, bool]], *, unit: str = "", average: float | None = None,
              width: int = 520, bar: int = 13, testid: str = "dong-bars", highlight: str = "") -> SafeString:
    """Horizontal bars, one per row (label, value or None, hidden?), with the city average as a line."""
    left, right, top = 78, 64, 6
    height = top * 2 + bar * len(rows) + 18
    w = width - left - right
    top_value = nice_max(max([v for _, v, _ in rows if v is not None] + [average or 0, 0]))
    parts = [f'<svg class="chart bar-chart" data-testid="{escape(testid)}" viewBox="0 0 {width} {height}" role="img">']
    for i, (label, value, hidden) in enumerate(rows):
        yy = top + i * bar
        css = "bar" + (" highlight" if label == highlight else "")
        parts.append(f'<text class="axis" x="{left - 6}" y="{yy + bar - 3}" text-anchor="end">{escape(label)}</text>')
        if hidden:
            parts.append(f'<rect class="bar hidden" x="{left}" y="{yy + 1}" width="18" height="{bar - 3}"/>'
                         f'<text class="value" x="{left + 22}" y="{yy + bar - 3}">{escape(_("hidden"))}</text>')
        elif value is not None:
            length = w * value / top_value if top_value else 0
            parts.append(f'<rect class="{css}" x="{left}" y="{yy + 1}" width="{length:.1f}" height="{bar - 3}"/>'
                         f'<text class="value" x="{left + length + 4:.1f}" y="{yy + bar - 3}">'
                         f'{escape(_fmt(value, unit))}</text>')
    if average is not None:
        ax = left + w * average / top_value if top_value else left
        parts.append(f'<line class="average" x1="{ax:.1f}" x2="{ax:.1f}" y1="{top}" y2="{top + bar * len(rows)}"/>'
                     f'<text class="axis" x="{ax:.1f}" y="{height - 4}" text-anchor="middle">'
                     f'{escape(_("City average"))} {escape(_fmt(average, unit))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece of text above is escaped


def sparkline(values: Sequence[float | None], *, width: int = 120, height: int = 30) -> SafeString:
    shown = [v for v in values if v is not None]
    if len(shown) < 2:
        return mark_safe(f'<svg class="sparkline" viewBox="0 0 {width} {height}"></svg>')
    lo, hi = min(shown), max(shown)
    span = hi - lo or 1.0
    n = len(values)
    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(f"{2 + (width - 4) * i / (n - 1):.1f},{height - 3 - (height - 6) * (v - lo) / span:.1f}")
    lines = "".join(f'<polyline points="{" ".join(r)}"/>' for r in runs if len(r) > 1)
    return mark_safe(f'<svg class="sparkline" viewBox="0 0 {width} {height}" aria-hidden="true">{lines}</svg>')
