"""The map's legend: each class labelled with the figures actually shown in it, so that classes never overlap
and no edge falls on a count the map can never show (1 to 4)."""

from __future__ import annotations

from dolbom.lib.metrics import Indicator
from dolbom.reports.choropleth import _class, _legend, breaks

COUNT = Indicator(key="test.legend", label="시험", unit="건", definition="시험용", compute=lambda s, e: [])


def test_each_class_is_labelled_with_the_lowest_and_highest_figure_shown_in_it():
    shown = [0, 0, 0, 5, 5, 6, 6, 7, 9, 12, 15, 40]
    bounds = sorted(set(breaks(shown)))
    legend = _legend(COUNT, shown, bounds)
    expected = []
    for k in sorted({_class(v, bounds) for v in shown}):
        members = [v for v in shown if _class(v, bounds) == k]
        lo, hi = f"{min(members):,.0f}건", f"{max(members):,.0f}건"
        expected.append(lo if lo == hi else f"{lo} ~ {hi}")
    assert [entry.text for entry in legend] == expected
    assert legend[0].text == "0건", "zero is its own class, not '~ 0건' beside '0건 ~ 5건'"
    assert not any(f"{n}건" in entry.text.split(" ~ ") for entry in legend for n in range(1, 5))


def test_no_class_is_listed_for_a_map_with_nothing_shown():
    assert _legend(COUNT, [], []) == []
