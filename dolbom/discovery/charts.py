"""The quality report as a page: inline SVG charts drawn here on the server (no script, no CDN).

Every text that reaches an SVG passes through ``html.escape``; numbers are formatted here.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe

MODEL_COLOUR = "#1f5fa8"
BASELINE_COLOUR = "#a0a8b5"
GROUP_LABELS = {"dong": "동", "age_group": "가구주 연령대", "sex": "가구주 성별", "household_type": "가구 유형"}
VALUE_LABELS = {
    "M": "남", "F": "여", "older_alone": "홀로 사는 어르신", "adult_alone": "1인 가구", "older_couple": "어르신 부부",
    "older_with_child": "어르신과 성인 자녀", "couple": "부부", "single_parent": "한부모", "family": "가족",
    "family_grand": "조부모 포함 가족",
}


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) else None


def _pct(v: Any) -> str:
    n = _num(v)
    return "-" if n is None else f"{n * 100:.1f}%"


def calibration_svg(bins: list[dict[str, Any]], size: int = 260) -> SafeString:
    """Predicted probability (x) against the observed rate (y); the dashed diagonal is perfect calibration."""
    pad = 34
    inner = size - pad - 8

    def x(v: float) -> float:
        return pad + v * inner

    def y(v: float) -> float:
        return 8 + (1 - v) * inner

    pts = [(b["mean_probability"], b["observed_rate"], b.get("households", 0)) for b in bins
           if _num(b.get("mean_probability")) is not None and _num(b.get("observed_rate")) is not None]
    ticks = "".join(
        f'<line x1="{x(t):.1f}" y1="{y(0):.1f}" x2="{x(t):.1f}" y2="{y(0) + 4:.1f}" stroke="#666"/>'
        f'<text x="{x(t):.1f}" y="{y(0) + 15:.1f}" font-size="10" text-anchor="middle">{t:.1f}</text>'
        f'<text x="{pad - 5}" y="{y(t) + 3:.1f}" font-size="10" text-anchor="end">{t:.1f}</text>'
        for t in (0.0, 0.25, 0.5, 0.75, 1.0))
    line = " ".join(f"{x(p):.1f},{y(o):.1f}" for p, o, _ in pts)
    dots = "".join(f'<circle cx="{x(p):.1f}" cy="{y(o):.1f}" r="3.5" fill="{MODEL_COLOUR}">'
                   f"<title>예측 {p * 100:.1f}% · 실제 {o * 100:.1f}% · {int(n):,}가구</title></circle>"
                   for p, o, n in pts)
    return mark_safe(  # noqa: S308 - every value above is a formatted number
        f'<svg viewBox="0 0 {size} {size + 14}" width="{size}" height="{size + 14}" role="img" '
        f'aria-label="보정 곡선" data-testid="calibration-chart">'
        f'<rect x="{pad}" y="8" width="{inner}" height="{inner}" fill="#fff" stroke="#ccc"/>'
        f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}" stroke="#bbb" stroke-dasharray="4"/>{ticks}'
        f'<polyline points="{line}" fill="none" stroke="{MODEL_COLOUR}" stroke-width="2"/>{dots}'
        f'<text x="{x(0.5):.1f}" y="{size + 12}" font-size="11" text-anchor="middle">예측 확률</text></svg>')


def bars_svg(rows: list[dict[str, Any]], model_key: str, baseline_key: str, width: int = 560) -> SafeString:
    """Model against the baseline rule, one pair of horizontal bars per group, values 0..1."""
    label_w, bar_h, gap = 150, 9, 8
    plot = width - label_w - 60
    height = len(rows) * (2 * bar_h + gap) + 6
    parts = []
    for i, r in enumerate(rows):
        top = 3 + i * (2 * bar_h + gap)
        label = html.escape(VALUE_LABELS.get(str(r.get("group")), str(r.get("group"))))
        parts.append(f'<text x="{label_w - 6}" y="{top + bar_h + 3}" font-size="11" text-anchor="end">{label}</text>')
        for j, (key, colour) in enumerate(((model_key, MODEL_COLOUR), (baseline_key, BASELINE_COLOUR))):
            v = _num(r.get(key))
            w = 0.0 if v is None else max(0.0, min(1.0, v)) * plot
            yy = top + j * bar_h
            parts.append(f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="{bar_h - 1}" fill="{colour}"/>'
                         f'<text x="{label_w + w + 4:.1f}" y="{yy + bar_h - 1}" font-size="9">{_pct(v)}</text>')
    return mark_safe(  # noqa: S308 - labels escaped above, the rest are formatted numbers
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">{"".join(parts)}</svg>')


@dataclass(frozen=True)
class GroupSection:
    key: str
    label: str
    rows: list[dict[str, Any]]
    precision_chart: SafeString
    recall_chart: SafeString


def quality_view(report: dict[str, Any]) -> dict[str, Any]:
    """What the quality page shows: the overall comparison, the calibration curve, and per group (fairness)
    the support rate and the recall at each dong's capacity, model beside the baseline rule."""
    report = report or {}
    groups = []
    for key, rows in (report.get("groups") or {}).items():
        rows = [dict(r, label=VALUE_LABELS.get(str(r.get("group")), str(r.get("group")))) for r in rows]
        groups.append(GroupSection(key=key, label=GROUP_LABELS.get(key, key), rows=rows,
                                   precision_chart=bars_svg(rows, "precision_model", "precision_baseline"),
                                   recall_chart=bars_svg(rows, "recall_model", "recall_baseline")))
    overall = report.get("overall") or {}
    return {
        "present": bool(report),
        "overall": overall,
        "calibration": calibration_svg(report.get("calibration") or []),
        "calibration_rows": report.get("calibration") or [],
        "groups": groups,
        "national_rate": report.get("national_support_rate_2024"),
        "baseline_rule": report.get("baseline_rule", ""),
    }
