"""Server-drawn SVG charts for the facility report: the score over time and ATP readings per surface.

Drawn here rather than by a chart library in the browser: the same markup goes into the page, the PDF
(WeasyPrint renders inline SVG) and the printout, nothing is loaded from outside, and it works with
JavaScript off. Pure functions from numbers to markup, so they are tested like any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

GRADE_COLOURS = {"good": "#1e7b4a", "improve": "#a36100", "fail": "#b42318", "": "#5d6576"}
RESULT_COLOURS = {"pass": "#1e7b4a", "caution": "#a36100", "fail": "#b42318"}


@dataclass(frozen=True)
class Frame:
    width: int = 560
    height: int = 200
    left: int = 44
    right: int = 12
    top: int = 14
    bottom: int = 30

    @property
    def plot_w(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> int:
        return self.height - self.top - self.bottom


def _x_positions(days: Sequence[dt.date], frame: Frame) -> list[float]:
    if not days:
        return []
    first, last = min(days), max(days)
    span = (last - first).days
    if span == 0:
        return [frame.left + frame.plot_w / 2 for _ in days]
    return [round(frame.left + frame.plot_w * (d - first).days / span, 1) for d in days]


def _y(value: float, top_value: float, frame: Frame) -> float:
    return round(frame.top + frame.plot_h * (1 - min(max(value, 0), top_value) / top_value), 1)


def _svg(frame: Frame, label: str, body: list[str], testid: str, *, fluid: bool = False) -> SafeString:
    """``fluid``: as wide as its box (the score chart); else its own size, shrinking on a narrow screen."""
    size = 'width="100%"' if fluid else f'width="{frame.width}" height="{frame.height}"'
    # Every text in body was escaped where it was made.
    return mark_safe(
        f'<svg class="chart" data-testid="{testid}" viewBox="0 0 {frame.width} {frame.height}" '
        f'{size} role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="11">' + "".join(body) + "</svg>")


def _axis_dates(days: Sequence[dt.date], xs: Sequence[float], frame: Frame) -> list[str]:
    if not days:
        return []
    y = frame.height - 10
    picks = {0, len(days) - 1} | ({len(days) // 2} if len(days) > 2 else set())
    # The first and last labels are anchored inward so that they stay inside the frame.
    anchor = {0: "start", len(days) - 1: "end"} if len(days) > 1 and xs[0] != xs[-1] else {}
    return [f'<text x="{xs[i]}" y="{y}" text-anchor="{anchor.get(i, "middle")}" fill="#5d6576">{days[i]:%m-%d}</text>'
            for i in sorted(picks)]


def score_trend(points: Sequence[tuple[dt.date, float, str]], *, label: str = "점검 점수 추이") -> SafeString:
    """Scores 0–100 by visit date, coloured by grade, with the 70 (fail) and 90 (good) lines."""
    frame = Frame()
    body = [f'<rect x="{frame.left}" y="{frame.top}" width="{frame.plot_w}" height="{frame.plot_h}" '
            'fill="#fff" stroke="#d9dde5"/>']
    for mark, colour in ((90, "#1e7b4a"), (70, "#b42318")):
        y = _y(mark, 100, frame)
        body.append(f'<line x1="{frame.left}" x2="{frame.left + frame.plot_w}" y1="{y}" y2="{y}" '
                    f'stroke="{colour}" stroke-dasharray="4 3" stroke-width="1"/>')
        body.append(f'<text x="{frame.left - 6}" y="{y + 4}" text-anchor="end" fill="{colour}">{mark}</text>')
    body.append(f'<text x="{frame.left - 6}" y="{frame.top + 4}" text-anchor="end" fill="#5d6576">100</text>')
    ordered = sorted(points, key=lambda p: p[0])
    days = [p[0] for p in ordered]
    xs = _x_positions(days, frame)
    if len(ordered) > 1:
        line = " ".join(f"{x},{_y(float(p[1]), 100, frame)}" for x, p in zip(xs, ordered, strict=True))
        body.append(f'<polyline points="{line}" fill="none" stroke="#1f5fa8" stroke-width="2"/>')
    for x, (day, value, grade) in zip(xs, ordered, strict=True):
        y = _y(float(value), 100, frame)
        body.append(f'<circle class="point" cx="{x}" cy="{y}" r="4" fill="{GRADE_COLOURS.get(grade, "#5d6576")}">'
                    f'<title>{day:%Y-%m-%d}: {escape(str(value))}</title></circle>')
    if not ordered:
        body.append(f'<text x="{frame.width / 2}" y="{frame.height / 2}" text-anchor="middle" fill="#5d6576">'
                    '종결된 점검 없음</text>')
    body += _axis_dates(days, xs, frame)
    return _svg(frame, label, body, "score-trend", fluid=True)


def atp_trend(surface_label: str, points: Sequence[tuple[dt.datetime, int, str]], *, pass_max: int,
              caution_max: int) -> SafeString:
    """One surface's RLU readings by time, coloured by result, with its pass and caution limits."""
    frame = Frame(width=270, height=150, left=46)
    ordered = sorted(points, key=lambda p: p[0])
    peak = max([p[1] for p in ordered] + [0])
    top_value = float(max(caution_max * 1.5, peak * 1.1, pass_max + 1, 1))
    body = [f'<rect x="{frame.left}" y="{frame.top}" width="{frame.plot_w}" height="{frame.plot_h}" '
            'fill="#fff" stroke="#d9dde5"/>',
            f'<text x="{frame.left}" y="{frame.top - 3}" fill="#1d2330" font-weight="600">{escape(surface_label)}'
            '</text>']
    for limit, colour in ((pass_max, "#1e7b4a"), (caution_max, "#b42318")):
        y = _y(limit, top_value, frame)
        body.append(f'<line x1="{frame.left}" x2="{frame.left + frame.plot_w}" y1="{y}" y2="{y}" '
                    f'stroke="{colour}" stroke-dasharray="4 3"/>')
        body.append(f'<text x="{frame.left - 4}" y="{y + 4}" text-anchor="end" fill="{colour}">{limit:,}</text>')
    days = [p[0].date() for p in ordered]
    xs = _x_positions(days, frame)
    if len(ordered) > 1:
        line = " ".join(f"{x},{_y(p[1], top_value, frame)}" for x, p in zip(xs, ordered, strict=True))
        body.append(f'<polyline points="{line}" fill="none" stroke="#9aa3b2" stroke-width="1.5"/>')
    for x, (at, rlu, result) in zip(xs, ordered, strict=True):
        body.append(f'<circle class="point" cx="{x}" cy="{_y(rlu, top_value, frame)}" r="3.5" '
                    f'fill="{RESULT_COLOURS.get(result, "#5d6576")}"><title>{at:%Y-%m-%d}: {rlu:,} RLU</title>'
                    '</circle>')
    body += _axis_dates(days, xs, frame)
    return _svg(frame, f"ATP {surface_label}", body, "atp-trend")
