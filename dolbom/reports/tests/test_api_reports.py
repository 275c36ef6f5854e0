"""The report endpoints: the same published figures as the pages, the same refusals."""

from __future__ import annotations

import pytest

from dolbom.testing.api import api_as

pytestmark = pytest.mark.django_db


def test_the_catalogue_lists_every_registered_indicator_with_its_definition(city):
    from dolbom.lib.metrics import indicators

    answer = api_as(city).get("/api/reports/indicators")
    assert answer.status_code == 200
    keys = {i["key"] for i in answer.json()}
    assert keys == {i.key for i in indicators()}
    opened = next(i for i in answer.json() if i["key"] == "cases.opened")
    assert opened["kind"] == "count" and "age_band" in opened["dimensions"] and opened["app"] == "cases"


def test_a_series_comes_month_by_month_with_hidden_months_as_null(city, test_indicator, publish):
    ind, rows = test_indicator("test.api")
    for m, n in (("2025-04", 30), ("2025-05", 3), ("2025-06", 30)):
        for name in ("서신동", "효자1동", "중앙동", "풍남동", "노송동"):
            rows.add(m, name, n)
    publish(ind.key)
    answer = api_as(city).get("/api/reports/series", {"indicator": ind.key, "last": "2025-06", "months": 3})
    figures = answer.json()
    assert [f["period"] for f in figures] == ["2025-04", "2025-05", "2025-06"]
    assert figures[1]["value"] == 15 and not figures[1]["hidden"], "the city's 15 is no small count"
    dong = api_as(city).get("/api/reports/series", {"indicator": ind.key, "last": "2025-06", "months": 3,
                                                    "dong_id": rows.rows[0]["dong_id"]}).json()
    assert dong[1]["hidden"] and dong[1]["value"] is None


def test_roles_without_reports_are_refused_with_a_stable_code(partner, auditor):
    for user in (partner, auditor):
        answer = api_as(user).get("/api/reports/indicators")
        assert answer.status_code == 403 and answer.json()["code"] == "not_allowed"


def test_an_unknown_indicator_answers_not_found(city):
    answer = api_as(city).get("/api/reports/figures", {"indicator": "nope.nothing", "period": "2025"})
    assert answer.status_code == 404 and answer.json()["code"] == "indicator_unknown"
