"""The SVG charts: one mark per point, coloured by result, limits drawn, text escaped."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from dolbom.inspections import charts

NS = "{http://www.w3.org/2000/svg}"


def test_the_score_trend_draws_a_point_per_inspection_and_the_grade_lines():
    svg = charts.score_trend([(dt.date(2026, 6, 3), 92.5, "good"), (dt.date(2026, 7, 1), 65.0, "fail"),
                              (dt.date(2026, 8, 1), 81.0, "improve")])
    root = ET.fromstring(svg)
    circles = root.findall(f".//{NS}circle")
    assert [c.get("fill") for c in circles] == [charts.GRADE_COLOURS[g] for g in ("good", "fail", "improve")]
    assert len(root.findall(f".//{NS}polyline")) == 1
    ys = [float(c.get("cy")) for c in circles]
    assert ys[1] > ys[2] > ys[0]  # a lower score sits lower on the chart


def test_the_atp_trend_marks_failed_readings_and_escapes_its_label():
    at = dt.datetime(2026, 7, 1, 10)
    svg = charts.atp_trend("<도마>", [(at, 5, "pass"), (at + dt.timedelta(days=20), 45, "fail")], pass_max=10,
                           caution_max=30)
    root = ET.fromstring(svg)
    assert [c.get("fill") for c in root.findall(f".//{NS}circle")] == [charts.RESULT_COLOURS["pass"],
                                                                      charts.RESULT_COLOURS["fail"]]
    assert "&lt;도마&gt;" in svg and len(root.findall(f".//{NS}line")) == 2


def test_an_empty_history_says_so():
    assert "종결된 점검 없음" in charts.score_trend([])
