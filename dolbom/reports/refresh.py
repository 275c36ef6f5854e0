"""Computing every registered indicator and publishing its figures: the only writer of Fact and Cell.

1. Facts. Each indicator's ``compute(start, end)`` (lib/metrics.py) returns monthly rows; they are put into
   one Polars frame, an ended dong's rows carried to the dong valid at the month's end
   (reports/geography.py), and summed by month × dong × dimensions: the reports table.
2. Figures. For each indicator and year the facts are summed into every published cell at once (months,
   quarters, the year; each dong, the city, a merged dong's comparable series; the total and each cut by
   one dimension) with a join on a small mapping table, never a loop over rows; stocks (open cases) take
   their quarter's and year's last month instead of a sum.
3. Suppression. The cells and the lines they add up along go to reports/suppression.py, which decides what
   is hidden; a hidden cell is stored without its numbers.
4. One transaction replaces what the run covered, so a page reads either the old figures or the new ones.

``refresh(full=False)`` recomputes the current and the previous month (a late record, a step recorded
after the month ended) and republishes the years they fall in; the registered job runs it every few
minutes, so a dashboard is never more than ``DOLBOM_REPORTS_REFRESH_MINUTES`` plus one run behind the
data. A year of an indicator whose facts (and everything else its cells depend on: the months, the limit,
the dongs, the running month) are those it was last published from is left as it is (``Publication``
keeps a digest of them): building and suppressing a year's cells is most of a run, and between two runs
most indicators do not change. ``refresh(full=True)`` recomputes the ``DOLBOM_REPORTS_MONTHS`` last months (from the January of the first,
so that every year is whole) and replaces everything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import traceback
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

import numpy as np
import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from dolbom.lib.metrics import DIMENSIONS, Indicator, indicators, month_add
from dolbom.reports.bulk import insert
from dolbom.reports.geography import Geography
from dolbom.reports.models import Cell, Fact, Publication, Refresh
from dolbom.reports.periods import Period, current_month, month_of, quarter_of, year_of
from dolbom.reports.suppression import Line, Quantity, suppress

CUT_DIMENSIONS = tuple(d for d in DIMENSIONS if d not in ("dong", "month"))
NONE = -1  # the dong key of figures not in a dong, in frames and dictionaries
# One advisory lock for every refresh on PostgreSQL: a job and a command started together queue.
_LOCK = 0x5EB0_2017
FACT_FIELDS = ("indicator", "month", "dong", "age_band", "sex", "target_group", "numerator", "denominator")
CELL_FIELDS = ("indicator", "period", "kind", "start", "area", "dong", "dim", "value", "hidden", "numerator",
               "denominator")
_FACT_SCHEMA = {"month": pl.Date, "dong": pl.Int64, "age_band": pl.Utf8, "sex": pl.Utf8, "target_group": pl.Utf8,
                "num": pl.Float64, "den": pl.Float64}


def min_cell() -> int:
    return int(getattr(settings, "DOLBOM_REPORTS_MIN_CELL", 5))


def months_kept() -> int:
    return int(getattr(settings, "DOLBOM_REPORTS_MONTHS", 36))


# 1. Facts --------------------------------------------------------------------------------------

def _empty_facts() -> pl.DataFrame:
    return pl.DataFrame(schema=_FACT_SCHEMA)


def facts_for(indicator: Indicator, start: dt.date, end: dt.date, geo: Geography) -> pl.DataFrame:
    """The indicator's rows for ``[start, end)``, normalised and summed (see the module's docstring)."""
    rows = list(indicator.compute(start, end))
    if not rows:
        return _empty_facts()
    cuts = [d for d in CUT_DIMENSIONS if d in indicator.dimensions]
    by_dong = "dong" in indicator.dimensions
    df = pl.DataFrame({
        "month": [r["month"] for r in rows],
        "dong": [r.get("dong_id") if by_dong else None for r in rows],
        **{d: [str(r.get(d) or "") if d in cuts else "" for r in rows] for d in CUT_DIMENSIONS},
        "num": [float(r.get("numerator") or 0) for r in rows],
        "den": [float(r.get("denominator") or 0) if indicator.is_rate else None for r in rows],
    }, schema={**_FACT_SCHEMA})
    df = df.with_columns(month=pl.col("month").dt.truncate("1mo")).filter(
        (pl.col("month") >= start) & (pl.col("month") < end))
    pairs = df.select("month", "dong").unique()
    mapping = pl.DataFrame({
        "month": pairs["month"].to_list(), "dong": pairs["dong"].to_list(),
        "norm": [geo.resolve(d, month_of(m).last_day) for m, d in pairs.iter_rows()],
    }, schema={"month": pl.Date, "dong": pl.Int64, "norm": pl.Int64})
    df = (df.with_columns(dong=pl.col("dong").fill_null(NONE))
          .join(mapping.with_columns(dong=pl.col("dong").fill_null(NONE)), on=["month", "dong"], how="left")
          .with_columns(dong=pl.col("norm")).drop("norm"))
    return (df.group_by("month", "dong", *CUT_DIMENSIONS)
            .agg(pl.col("num").sum(), pl.col("den").sum() if indicator.is_rate else pl.lit(None, pl.Float64).alias("den"))
            .select(list(_FACT_SCHEMA)))


def stored_facts(indicator: str, start: dt.date, end: dt.date) -> pl.DataFrame:
    rows = Fact.objects.filter(indicator=indicator, month__gte=start, month__lt=end).values_list(
        "month", "dong_id", "age_band", "sex", "target_group", "numerator", "denominator")
    return pl.DataFrame(list(rows), schema=_FACT_SCHEMA, orient="row")


# 2. Figures and their lines -----------------------------------------------------------------------

@dataclass
class Cube:
    keys: list[tuple[str, str, int, str, str]]  # (period, area, dong or NONE, dim, value)
    kinds: list[str]
    starts: list[dt.date]
    num: np.ndarray
    den: np.ndarray
    lines: list[Line]
    cost: np.ndarray | None = None


def _mapping(periods: list[Period], geo: Geography, flow: bool) -> pl.DataFrame:
    """(month, dong) of a fact -> every cell it adds to: its month's dong (or "not in a dong"), the
    city, the comparable series it is part of, and for a flow its quarter's and year's dong. The same for
    every indicator of a year: kept on the Geography of the run."""
    key = (tuple(p.code for p in periods), flow)
    cache = geo.__dict__.setdefault("_mappings", {})
    if key not in cache:
        cache[key] = _build_mapping(periods, geo, flow)
    return cache[key]


def _build_mapping(periods: list[Period], geo: Geography, flow: bool) -> pl.DataFrame:
    out: dict[str, list[Any]] = defaultdict(list)

    def add(month: Period, dong: int, target: Period, area: str, area_dong: int) -> None:
        out["month"].append(month.start)
        out["dong"].append(dong)
        out["period"].append(target.code)
        out["kind"].append(target.kind)
        out["start"].append(target.start)
        out["area"].append(area)
        out["area_dong"].append(area_dong)

    for m in periods:
        last = m.last_day
        series = geo.series(last)
        for dong in [*geo.base(last), NONE]:
            targets = [m] + ([quarter_of(m.start), year_of(m.start)] if flow else [])
            for target in targets:
                if dong == NONE:
                    add(m, dong, target, "none", NONE)
                else:
                    resolved = geo.resolve(dong, target.last_day)
                    add(m, dong, target, "dong" if resolved is not None else "none",
                        resolved if resolved is not None else NONE)
                add(m, dong, target, "city", NONE)
            for successor, preds in series.items():
                if dong in preds:
                    add(m, dong, m, "series", successor)
    return pl.DataFrame(out, schema={"month": pl.Date, "dong": pl.Int64, "period": pl.Utf8, "kind": pl.Utf8,
                                     "start": pl.Date, "area": pl.Utf8, "area_dong": pl.Int64})


def build_cube(indicator: Indicator, facts: pl.DataFrame, periods: list[Period], geo: Geography) -> Cube:
    flow = not indicator.stock
    cuts = [d for d in CUT_DIMENSIONS if d in indicator.dimensions]
    joined = facts.with_columns(dong=pl.col("dong").fill_null(NONE)).join(
        _mapping(periods, geo, flow), on=["month", "dong"], how="inner")
    parts = [joined.with_columns(dim=pl.lit(""), value=pl.lit(""))]
    parts += [joined.with_columns(dim=pl.lit(d), value=pl.col(d)) for d in cuts]
    keys = ["period", "kind", "start", "area", "area_dong", "dim", "value"]
    cells = (pl.concat(parts).group_by(keys).agg(pl.col("num").sum(), pl.col("den").sum().fill_null(0.0))
             .sort(keys))
    key_list = list(zip(cells["period"].to_list(), cells["area"].to_list(), cells["area_dong"].to_list(),
                        cells["dim"].to_list(), cells["value"].to_list(), strict=True))
    cube = Cube(keys=key_list, kinds=cells["kind"].to_list(), starts=cells["start"].to_list(),
                num=cells["num"].to_numpy().astype(float), den=cells["den"].to_numpy().astype(float), lines=[])
    cube.lines = _lines(cube, cuts, periods, geo, flow)
    cube.cost = _costs(cube, current_month())
    return cube


# What hiding a cell costs a reader, as a weight on its value (reports/suppression.py picks the cheapest
# complement): the city's figure is read first; a cut less than the total it splits; the quarter or year
# still running (a part of a period) least, so that a small figure of this month takes the running quarter
# with it rather than last month's whole figure.
AREA_WEIGHT = {"city": 3.0, "dong": 1.0, "series": 0.8, "none": 1.0}
CUT_WEIGHT = 0.7
RUNNING_WEIGHT = 0.25


def _costs(cube: Cube, current: Period) -> np.ndarray:
    cost = np.ones(len(cube.keys))
    for i, (_period, area, _dong, dim, _value) in enumerate(cube.keys):
        w = AREA_WEIGHT.get(area, 1.0) * (CUT_WEIGHT if dim else 1.0)
        kind = cube.kinds[i]
        if kind != "M":
            start = cube.starts[i]
            end = month_add(start, 3 if kind == "Q" else 12)
            if start <= current.start < end:
                w *= RUNNING_WEIGHT
        cost[i] = w
    return cost


def _lines(cube: Cube, cuts: list[str], periods: list[Period], geo: Geography, flow: bool) -> list[Line]:
    index = {k: i for i, k in enumerate(cube.keys)}
    by_code = {p.code: p for p in periods}
    for p in periods:
        by_code.setdefault(quarter_of(p.start).code, quarter_of(p.start))
        by_code.setdefault(year_of(p.start).code, year_of(p.start))
    lines: list[Line] = []

    def line(parent: tuple, children: Iterable[int]) -> None:
        kids = np.fromiter(children, dtype=np.int64)
        if parent in index and len(kids):
            lines.append(Line(index[parent], kids))

    # Dongs (and what is not in a dong) add up to the city.
    area_children: dict[tuple, list[int]] = defaultdict(list)
    # A dimension's values add up to their total.
    cut_children: dict[tuple, list[int]] = defaultdict(list)
    # Months add up to quarters, quarters to the year (flows).
    time_children: dict[tuple, list[int]] = defaultdict(list)
    for i, (period, area, dong, dim, value) in enumerate(cube.keys):
        if area in ("dong", "none"):
            area_children[(period, "city", NONE, dim, value)].append(i)
        if dim:
            cut_children[(period, area, dong, "", "")].append(i)
        if flow and area != "series":
            p = by_code[period]
            if p.kind == "M":
                up = quarter_of(p.start)
            elif p.kind == "Q":
                up = year_of(p.start)
            else:
                continue
            if area == "dong":
                target = geo.resolve(dong, up.last_day)
                parent = (up.code, "dong", target, dim, value) if target is not None else (up.code, "none", NONE,
                                                                                           dim, value)
            else:
                parent = (up.code, area, NONE, dim, value)
            time_children[parent].append(i)
    for parent, kids in area_children.items():
        line(parent, kids)
    for parent, kids in cut_children.items():
        for d in cuts:
            line(parent, (k for k in kids if cube.keys[k][3] == d))
    for parent, kids in time_children.items():
        line(parent, kids)
    # 금암1동 and 금암2동 add up to 금암동's comparable series in the months before the merger.
    for i, (period, area, dong, dim, value) in enumerate(cube.keys):
        if area == "series":
            preds = geo.series(by_code[period].last_day).get(dong, [])
            line(cube.keys[i], (index[k] for k in ((period, "dong", p, dim, value) for p in preds) if k in index))
    return lines


def quantities(indicator: Indicator, num: np.ndarray, den: np.ndarray) -> list[Quantity]:
    kind = indicator.kind
    if kind == "share":
        return [Quantity(num, True), Quantity(den, True), Quantity(np.maximum(den - num, 0.0), True)]
    if kind == "mean":
        return [Quantity(den, True), Quantity(num, False)]
    if kind == "amount":
        return [Quantity(num, False)] + ([Quantity(den, False)] if indicator.is_rate else [])
    return [Quantity(num, True)]


def publish(indicator: Indicator, facts: pl.DataFrame, periods: list[Period], geo: Geography,
            k: int) -> list[tuple]:
    """The cells of one indicator for the given months (one year's, up to the current month)."""
    if facts.is_empty() or not periods:
        return []
    cube = build_cube(indicator, facts, periods, geo)
    if indicator.suppress and indicator.kind != "amount":
        hidden = suppress(quantities(indicator, cube.num, cube.den), cube.lines, k, cost=cube.cost)
    else:
        hidden = np.zeros(len(cube.keys), dtype=bool)
    rate = indicator.is_rate
    cells = [_cell(indicator.key, key, kind, start, bool(h), n, d, rate)
             for key, kind, start, h, n, d in zip(cube.keys, cube.kinds, cube.starts, hidden, cube.num, cube.den,
                                                  strict=True)]
    if indicator.stock:
        cells += _stock_copies(cells, periods)
    return cells


def _cell(indicator: str, key: tuple, kind: str, start: dt.date, hidden: bool, num: float, den: float,
          rate: bool) -> tuple:
    """A published cell in the order of CELL_FIELDS; a hidden one keeps no numbers."""
    period, area, dong, dim, value = key
    return (indicator, period, kind, start, area, None if dong == NONE else dong, dim, value, hidden,
            None if hidden else float(num), None if hidden or not rate else float(den))


def _stock_copies(cells: list[tuple], periods: list[Period]) -> list[tuple]:
    """A stock's quarter and year are its last published month (the state at the period's end)."""
    by_month: dict[str, list[tuple]] = defaultdict(list)
    for c in cells:
        by_month[c[1]].append(c)
    out = []
    last = periods[-1]
    for target in sorted({quarter_of(p.start) for p in periods} | {year_of(p.start) for p in periods}):
        month = min(target.months[-1], last)
        for c in by_month.get(month.code, []):
            if c[4] != "series":
                out.append((c[0], target.code, target.kind, target.start, *c[4:]))
    return out


# 3. The run -------------------------------------------------------------------------------------

# Bump when the way cells are built or suppressed changes: every year is then published again.
PUBLISH_VERSION = 1


def _digest(indicator: Indicator, facts: pl.DataFrame, periods: list[Period], geo: Geography, k: int,
            current: Period) -> str:
    """What a year's cells of ``indicator`` depend on, as one hash (see the module's docstring)."""
    h = hashlib.sha256()
    dongs = sorted((d.id, d.valid_from, d.valid_to, d.successor_id) for d in geo.dongs.values())
    h.update(repr((PUBLISH_VERSION, indicator.kind, indicator.stock, indicator.suppress, indicator.is_rate,
                   indicator.dimensions, k, current.code, [p.code for p in periods], dongs)).encode())
    h.update(facts.sort(list(_FACT_SCHEMA), nulls_last=True).write_csv().encode())
    return h.hexdigest()


def _year_periods(year: int, upto: Period, first: Period) -> list[Period]:
    return [p for p in Period("Y", year, 0).months if first <= p <= upto]


def refresh(*, full: bool = False, out: TextIO | None = None, only: Iterable[str] | None = None) -> Refresh:
    """Recompute and republish (see the module's docstring). ``only``: indicator keys (tests, benchmarks)."""
    started = time.perf_counter()
    now = timezone.now()
    current = current_month()
    # Whole years: a year's figure from a window that starts in its March would be a part passed as the whole.
    oldest = Period("Y", month_add(current.start, -(months_kept() - 1)).year, 0).months[0]
    first = oldest if full else month_of(month_add(current.start, -1))
    run = Refresh.objects.create(started_at=now, full=full, first_month=first.start, last_month=current.start)
    chosen = [i for i in indicators() if only is None or i.key in set(only)]
    geo = Geography.load()
    k = min_cell()
    try:
        new_facts: dict[str, pl.DataFrame] = {}
        for ind in chosen:
            t = time.perf_counter()
            new_facts[ind.key] = facts_for(ind, first.start, current.end, geo)
            if out is not None:
                out.write(f"  {ind.key:<40} {len(new_facts[ind.key]):>7,} facts  {time.perf_counter() - t:5.2f}s\n")
        years = list(range(first.year, current.year + 1))
        keys = [i.key for i in chosen]
        known = {} if full else {(i, y): d for i, y, d in Publication.objects.filter(
            indicator__in=keys, year__in=years).values_list("indicator", "year", "digest")}
        cells: list[tuple] = []
        published: dict[tuple[str, int], str] = {}
        for ind in chosen:
            for year in years:
                periods = _year_periods(year, current, oldest)
                if not periods:
                    continue
                facts = new_facts[ind.key].filter(pl.col("month").dt.year() == year)
                earlier = [p for p in periods if p < first]
                if earlier and not full:
                    facts = pl.concat([stored_facts(ind.key, earlier[0].start, first.start), facts])
                digest = _digest(ind, facts, periods, geo, k, current)
                if known.get((ind.key, year)) == digest:
                    continue  # published from these very facts: its cells stand
                published[(ind.key, year)] = digest
                cells += publish(ind, facts, periods, geo, k)
        changed = sorted({key for key, _year in published})
        if out is not None:
            out.write(f"  republished {len(published)} of {len(chosen) * len(years)} indicator-years "
                      f"({len(changed)} indicators)\n")
        fact_rows = [(key, *row) for key in changed for row in new_facts[key].iter_rows()]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
            if full:
                # Months older than the kept window leave with the full refresh.
                scope = {} if only is None else {"indicator__in": keys}
                Fact.objects.filter(**scope).delete()
                Cell.objects.filter(**scope).delete()
                Publication.objects.filter(**scope).delete()
            else:
                Fact.objects.filter(month__gte=first.start, month__lt=current.end, indicator__in=changed).delete()
                for year in years:
                    again = [key for key, y in published if y == year]
                    Cell.objects.filter(start__year=year, indicator__in=again).delete()
                    Publication.objects.filter(year=year, indicator__in=again).delete()
            insert(Fact, FACT_FIELDS, fact_rows)
            insert(Cell, CELL_FIELDS, cells)
            Publication.objects.bulk_create(Publication(indicator=key, year=year, digest=digest)
                                            for (key, year), digest in published.items())
        run.indicators, run.facts, run.cells = len(chosen), len(fact_rows), len(cells)
    except Exception:
        run.error = traceback.format_exc()[-4000:]
        raise
    finally:
        run.finished_at = timezone.now()
        run.seconds = time.perf_counter() - started
        run.save()
    return run


def refresh_job() -> str:
    run = refresh(full=False)
    return f"{run.indicators} indicators, {run.cells} cells in {run.seconds:.1f}s"


def last_refresh() -> Refresh | None:
    return Refresh.objects.filter(finished_at__isnull=False, error="").order_by("-finished_at").first()
