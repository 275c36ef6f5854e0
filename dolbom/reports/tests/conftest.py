"""Fixtures of the reports tests: an indicator whose rows the test writes, registered for the test only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from dolbom.areas.models import Dong
from dolbom.lib import metrics
from dolbom.lib.metrics import Indicator
from dolbom.reports.refresh import refresh


class Rows:
    """The rows a test indicator's compute returns: ``add(month, dong name, numerator, **dims)``."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, month: str, dong: str | None, numerator: float, denominator: float | None = None,
            **dims: str) -> None:
        day = dt.date.fromisoformat(month + "-01")
        dong_id = None if dong is None else Dong.objects.filter(name=dong).order_by("-valid_from").first().pk
        row = {"month": day, "dong_id": dong_id, "numerator": numerator, **dims}
        if denominator is not None:
            row["denominator"] = denominator
        self.rows.append(row)

    def compute(self, start: dt.date, end: dt.date) -> list[dict]:
        return [r for r in self.rows if start <= r["month"] < end]


@pytest.fixture
def test_indicator(monkeypatch) -> Callable[..., tuple[Indicator, Rows]]:
    """make(key, **indicator fields) -> (the indicator, its Rows), registered until the test ends."""
    monkeypatch.setattr(metrics, "_INDICATORS", dict(metrics._INDICATORS))

    def make(key: str = "test.count", **fields) -> tuple[Indicator, Rows]:
        rows = Rows()
        indicator = Indicator(key=key, label=fields.pop("label", "시험 지표"), unit=fields.pop("unit", "건"),
                              definition="시험용", compute=rows.compute, **fields)
        metrics.metric_register(indicator)
        return indicator, rows

    return make


@pytest.fixture
def publish():
    """publish(*keys) -> the refresh run, for those indicators only."""

    def run(*keys: str):
        return refresh(full=True, only=keys)

    return run
