"""The small registries in lib (jobs, indicators) and the rate limit."""

from __future__ import annotations

import datetime as dt

import pytest

from dolbom.lib import jobs, metrics, ratelimit


def test_a_job_registers_once_and_a_second_function_under_its_key_is_refused(monkeypatch):
    monkeypatch.setattr(jobs, "_JOBS", {})

    def run() -> str:
        return "ok"

    job = jobs.Job(key="test.job", every=dt.timedelta(minutes=1), run=run)
    jobs.job_register(job)
    jobs.job_register(job)
    assert [j.key for j in jobs.jobs()] == ["test.job"]
    with pytest.raises(ValueError):
        jobs.job_register(jobs.Job(key="test.job", every=dt.timedelta(minutes=1), run=lambda: "other"))
    with pytest.raises(ValueError):
        jobs.job_register(jobs.Job(key="test.fast", every=dt.timedelta(seconds=1), run=run))


def test_an_indicator_with_an_unknown_dimension_is_refused(monkeypatch):
    monkeypatch.setattr(metrics, "_INDICATORS", {})

    def compute(start, end):
        return []

    with pytest.raises(ValueError):
        metrics.metric_register(metrics.Indicator(key="t.x", label="x", unit="건", definition="x", compute=compute,
                                                  dimensions=("dong", "shoe_size")))
    rate = metrics.Indicator(key="t.rate", label="x", unit="%", definition="x", compute=compute, denominator="y")
    metrics.metric_register(rate)
    assert metrics.indicator_get("t.rate").is_rate
    assert metrics.month_add(dt.date(2025, 12, 1), 3) == dt.date(2026, 3, 1)
    assert [metrics.age_band(a) for a in (64, 65, 84, 85)] == ["0-64", "65-74", "75-84", "85+"]


def test_a_rate_limit_allows_its_budget_then_refuses_until_the_next_window():
    limit = ratelimit.Limit("test.signup", per=3, seconds=60)
    t0 = 1_000_000_020.0
    assert [ratelimit.hit(limit, "010-1234-5678", now=t0) for _ in range(4)] == [True, True, True, False]
    assert ratelimit.hit(limit, "010-9999-0000", now=t0), "another subject has its own budget"
    assert ratelimit.hit(limit, "010-1234-5678", now=t0 + 60), "a new window starts afresh"
