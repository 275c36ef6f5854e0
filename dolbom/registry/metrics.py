"""The registry's indicators (lib/metrics.py): the population, the denominators every other figure is read
against (older people living alone per dong, residents by age band, sex and target group).

A stock at each month's end. The registry keeps people, not a history of who lived where: a resident counts
in the 2021 boundary area of their household (carried to the dong valid in the month by reports) from the
month of their birth until the month they died; ``created_at`` is when the record was entered, not when the
person arrived, so it does not bound the count. The database groups the 650,000 residents of a full city by
dong, sex, target group, living alone and birth month (an age at a month's last day depends only on the
birth month); Polars then counts every month from those few groups.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.db.models import Count
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.translation import gettext_lazy as _

from dolbom.lib.metrics import (
    Indicator,
    Rows,
    metric_register,
    months_between,
    shared_read,
    target_group_expr,
)


def _stamp() -> tuple:
    from django.db.models import Max

    from dolbom.registry.models import Resident

    people = Resident.objects.aggregate(n=Count("pk"), m=Max("pk"), d=Count("deceased_on"))
    return people["n"], people["m"], people["d"], dt.date.today().isoformat()


@shared_read(_stamp)
def _groups() -> pl.DataFrame:
    from dolbom.registry.models import Resident

    rows = (Resident.objects.annotate(by=ExtractYear("birth_date"), bm=ExtractMonth("birth_date"),
                                      dy=ExtractYear("deceased_on"), dm=ExtractMonth("deceased_on"))
            .values_list("household__area__original_dong_id", "sex", "is_older", "has_severe_disability",
                         "has_mental_illness", "is_other_target", "lives_alone", "by", "bm", "dy", "dm")
            .annotate(n=Count("pk")).order_by())
    df = pl.DataFrame(list(rows), orient="row", schema={
        "dong_id": pl.Int64, "sex": pl.Utf8, "older": pl.Boolean, "disability": pl.Boolean, "mental": pl.Boolean,
        "other": pl.Boolean, "alone": pl.Boolean, "by": pl.Int32, "bm": pl.Int32, "dy": pl.Int32, "dm": pl.Int32,
        "n": pl.Int64})
    return df.with_columns(target_group=target_group_expr("older", "disability", "mental", "other"))


def _alive(start: dt.date, end: dt.date) -> pl.DataFrame:
    """The groups alive at each month's end, with their age band then."""
    months = months_between(start, end)
    if not months:
        return pl.DataFrame()
    cal = pl.DataFrame({"month": months}, schema={"month": pl.Date}).with_columns(
        my=pl.col("month").dt.year().cast(pl.Int32), mm=pl.col("month").dt.month().cast(pl.Int32))
    df = _groups().join(cal, how="cross")
    born = (pl.col("by") * 12 + pl.col("bm")) <= (pl.col("my") * 12 + pl.col("mm"))
    # Died in a later month (or not at all): still counted at this month's end.
    living = pl.col("dy").is_null() | ((pl.col("dy") * 12 + pl.col("dm")) > (pl.col("my") * 12 + pl.col("mm")))
    age = pl.col("my") - pl.col("by") - (pl.col("bm") > pl.col("mm")).cast(pl.Int32)
    band = (pl.when(age < 65).then(pl.lit("0-64")).when(age < 75).then(pl.lit("65-74"))
            .when(age < 85).then(pl.lit("75-84")).otherwise(pl.lit("85+")))
    return df.filter(born & living).with_columns(age=age, age_band=band)


def _count(df: pl.DataFrame, by: list[str]) -> Rows:
    if df.is_empty():
        return []
    return df.group_by(by).agg(pl.col("n").sum().alias("numerator")).to_dicts()


def residents(start: dt.date, end: dt.date) -> Rows:
    return _count(_alive(start, end), ["month", "dong_id", "age_band", "sex", "target_group"])


def older_people(start: dt.date, end: dt.date) -> Rows:
    df = _alive(start, end)
    return _count(df.filter(pl.col("age") >= 65) if len(df) else df, ["month", "dong_id", "sex"])


def older_living_alone(start: dt.date, end: dt.date) -> Rows:
    df = _alive(start, end)
    return _count(df.filter((pl.col("age") >= 65) & pl.col("alone")) if len(df) else df, ["month", "dong_id", "sex"])


def households(start: dt.date, end: dt.date) -> Rows:
    from dolbom.registry.models import Household

    per_dong = (Household.objects.values_list("area__original_dong_id").annotate(n=Count("pk")).order_by())
    return [{"month": m, "dong_id": dong_id, "numerator": n} for m in months_between(start, end)
            for dong_id, n in per_dong]


def register() -> None:
    metric_register(Indicator(
        key="registry.residents", label=_("Residents"), unit="명", stock=True, higher_is_better=None,
        dimensions=("dong", "month", "age_band", "sex", "target_group"),
        definition=_("People in the registry alive at the month's end, by the dong of their household's "
                     "address; target group: the person's primary group (older, then severe disability, then "
                     "mental illness, then other)."),
        compute=residents, numerator=_("residents"), tags=("annual_plan", "population")))
    metric_register(Indicator(
        key="registry.older", label=_("Older people (65 and over)"), unit="명", stock=True, higher_is_better=None,
        dimensions=("dong", "month", "sex"),
        definition=_("Residents aged 65 or more at the month's end."),
        compute=older_people, numerator=_("older people"), tags=("annual_plan", "population")))
    metric_register(Indicator(
        key="registry.older_alone", label=_("Older people living alone"), unit="명", stock=True,
        higher_is_better=None, dimensions=("dong", "month", "sex"),
        definition=_("Residents aged 65 or more living alone at the month's end: the denominator of most care "
                     "figures per dong."),
        compute=older_living_alone, numerator=_("older people living alone"),
        tags=("annual_plan", "population", "headline")))
    metric_register(Indicator(
        key="registry.households", label=_("Households"), unit="가구", stock=True, higher_is_better=None,
        definition=_("Households in the registry, by the dong of their address."),
        compute=households, numerator=_("households"), tags=("population",)))
