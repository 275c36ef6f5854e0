"""Small-cell suppression as an attacker meets it: through the published figures (selectors, the API, the
files), trying the differencing attacks of the issue: the city minus the other dongs, a filter with and
without a dimension, two overlapping periods, and a merged dong's series minus its other half."""

from __future__ import annotations

import numpy as np
import pytest

from dolbom.reports import refresh as refresh_module
from dolbom.reports.geography import Geography
from dolbom.reports.models import Cell, Fact
from dolbom.reports.periods import parse
from dolbom.reports.selectors import figure_table, series
from dolbom.reports.suppression import determined
from dolbom.testing.api import api_as

pytestmark = pytest.mark.django_db

BIG = ["서신동", "효자1동", "중앙동", "풍남동", "노송동", "완산동", "동서학동", "서서학동", "중화산1동", "중화산2동"]


def _published(key: str, period: str, area: str = "dong", dong: str | None = None, dim: str = "", value: str = ""):
    qs = Cell.objects.filter(indicator=key, period=period, area=area, dim=dim, value=value)
    if dong is not None:
        qs = qs.filter(dong__name=dong)
    return qs.order_by("-dong__valid_from").first()


def test_the_city_minus_the_other_dongs_does_not_give_a_small_dongs_count(test_indicator, publish, city):
    ind, rows = test_indicator("test.alerts")
    rows.add("2025-06", "완산동", 3)
    for i, name in enumerate(BIG[:-1]):
        if name != "완산동":
            rows.add("2025-06", name, 20 + i)
    publish(ind.key)
    table = figure_table(viewer=city, key=ind.key, period=parse("2025-06"))
    assert table.city.value == 3 + sum(20 + i for i, n in enumerate(BIG[:-1]) if n != "완산동")
    by_name = {d.name: f for d, f in table.rows}
    assert by_name["완산동"].hidden and by_name["완산동"].numerator is None
    # The attacker's subtraction: the city minus every dong shown.
    shown = sum(f.value for f in by_name.values() if f.value is not None)
    residual = table.city.value - shown
    hidden = [n for n, f in by_name.items() if f.hidden]
    assert len(hidden) >= 2, "a second dong is hidden with it"
    assert residual >= 5 and residual != 3, "what is left over is no small count, and not 완산동's"


def test_a_filter_with_and_without_a_dimension_does_not_give_a_small_group(test_indicator, publish, city):
    ind, rows = test_indicator("test.cases", dimensions=("dong", "month", "age_band"))
    bands = {"0-64": 30, "65-74": 25, "75-84": 12, "85+": 2}
    for band, n in bands.items():
        rows.add("2025-06", "서신동", n, age_band=band)
    for name in BIG[1:6]:
        for band, n in bands.items():
            rows.add("2025-06", name, n + 6, age_band=band)
    publish(ind.key)
    table = figure_table(viewer=city, key=ind.key, period=parse("2025-06"), dong_id=_dong_id("서신동"))
    total = next(f for d, f in table.rows if d.name == "서신동")
    assert total.value == 69
    cut = dict(table.cuts["age_band"])
    assert cut["85+"].hidden
    shown = sum(f.value for f in cut.values() if f.value is not None)
    assert sum(f.hidden for f in cut.values()) >= 2
    assert total.value - shown >= 5 and total.value - shown != 2


def test_two_overlapping_periods_do_not_give_a_small_month(test_indicator, publish, city):
    ind, rows = test_indicator("test.visits")
    for name in BIG:
        rows.add("2025-01", name, 30)
        rows.add("2025-02", name, 40)
        rows.add("2025-03", name, 2 if name == "서신동" else 35)
    publish(ind.key)
    dong_id = _dong_id("서신동")
    months = {p: _figure(city, ind.key, p, dong_id) for p in ("2025-01", "2025-02", "2025-03")}
    quarter = _figure(city, ind.key, "2025-Q1", dong_id)
    assert months["2025-03"].hidden
    # The quarter (January to March) minus January and February would give March: one of them is hidden.
    assert quarter.hidden or months["2025-01"].hidden or months["2025-02"].hidden
    if not quarter.hidden:
        shown = sum(f.value for f in months.values() if f.value is not None)
        assert quarter.value - shown >= 5
    # The same holds one level up: the year minus the quarters.
    year = _figure(city, ind.key, "2025", dong_id)
    quarters = [_figure(city, ind.key, f"2025-Q{q}", dong_id) for q in (1, 2, 3, 4)]
    assert year.hidden or sum(q.hidden for q in quarters) != 1


def test_a_merged_dongs_series_minus_one_half_does_not_give_the_other(test_indicator, publish, city):
    ind, rows = test_indicator("test.merger")
    rows.add("2025-01", "금암1동", 40)
    rows.add("2025-01", "금암2동", 3)
    for name in BIG:
        rows.add("2025-01", name, 25)
    publish(ind.key)
    geumam = _dong_id("금암동")
    series_cell = Cell.objects.get(indicator=ind.key, period="2025-01", area="series", dong_id=geumam, dim="")
    one = _published(ind.key, "2025-01", dong="금암1동")
    two = _published(ind.key, "2025-01", dong="금암2동")
    assert two.hidden
    assert series_cell.hidden or one.hidden, "금암동's series minus 금암1동 would be 금암2동"


def test_no_small_count_is_determined_by_the_published_lines_of_a_whole_year(test_indicator, publish):
    """The strongest attacker: every line of a year's figures (dongs, cuts, months, quarters, the year, the
    merged series) solved together as a system of equations in the hidden cells."""
    ind, rows = test_indicator("test.dense", dimensions=("dong", "month", "sex"))
    rng = np.random.default_rng(5)
    for m in range(1, 13):
        for name in BIG + ["금암1동", "금암2동", "금암동"]:
            for sex in ("M", "F"):
                rows.add(f"2025-{m:02d}", name, int(rng.choice([0, 1, 2, 3, 6, 8, 12, 30])), sex=sex)
    publish(ind.key)
    geo = Geography.load()
    facts = refresh_module.stored_facts(ind.key, parse("2025").start, parse("2025").end)
    cube = refresh_module.build_cube(ind, facts, parse("2025").months, geo)
    stored = {(c.period, c.area, c.dong_id if c.dong_id else refresh_module.NONE, c.dim, c.value): c
              for c in Cell.objects.filter(indicator=ind.key, start__year=2025)}
    hidden = np.array([stored[k].hidden for k in cube.keys])
    small = (cube.num > 0) & (cube.num < 5)
    assert small.any() and hidden[small].all()
    assert [cube.keys[i] for i in determined(hidden, cube.lines) if small[i]] == []


def test_a_hidden_figure_has_no_number_anywhere_it_is_published(test_indicator, publish, city, tmp_path):
    ind, rows = test_indicator("test.files")
    rows.add("2025-06", "완산동", 2)
    for name in BIG:
        if name != "완산동":
            rows.add("2025-06", name, 50)
    publish(ind.key)
    hidden = Cell.objects.filter(indicator=ind.key, hidden=True)
    assert hidden.exists() and not hidden.exclude(numerator=None).exists()
    assert Fact.objects.filter(indicator=ind.key, numerator=2).exists(), "the raw fact stays, unpublished"
    answer = api_as(city).get("/api/reports/figures", {"indicator": ind.key, "period": "2025-06"}).json()
    wansan = next(d for d in answer["dongs"] if d["dong"] == "완산동")
    assert wansan["hidden"] is True and wansan["value"] is None and wansan["numerator"] is None
    assert 2 not in [d["value"] for d in answer["dongs"]]


def test_a_free_date_range_is_refused_so_that_periods_cannot_overlap(city):
    client = api_as(city)
    for period in ("2025-01-15", "2025-01:2025-02", "2025-13", "last-90-days"):
        answer = client.get("/api/reports/figures", {"indicator": "visits.done", "period": period})
        assert answer.status_code == 400 and answer.json()["code"] == "period_invalid", period


def _dong_id(name: str) -> int:
    from dolbom.areas.models import Dong

    return Dong.objects.filter(name=name).order_by("-valid_from").first().pk


def _figure(viewer, key: str, period: str, dong_id: int):
    table = figure_table(viewer=viewer, key=key, period=parse(period))
    return next(f for d, f in table.rows if d.pk == dong_id)


def test_a_trend_shows_each_month_exactly_as_the_tables_do(test_indicator, publish, city):
    ind, rows = test_indicator("test.series")
    for m in ("2025-04", "2025-05", "2025-06"):
        for name in BIG:
            rows.add(m, name, 3 if (name, m) == ("서신동", "2025-05") else 30)
    publish(ind.key)
    dong_id = _dong_id("서신동")
    trend = series(viewer=city, key=ind.key, last=parse("2025-06"), months=3, dong_id=dong_id)
    assert [f.period for f in trend] == ["2025-04", "2025-05", "2025-06"]
    assert trend[1].hidden and trend[1].value is None
    for f in trend:
        same = _figure(city, ind.key, f.period, dong_id)
        assert (f.hidden, f.value) == (same.hidden, same.value)
