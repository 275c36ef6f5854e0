"""Indicators of referrals to partner institutions (lib/metrics.py): referrals made, waiting for an answer
(and past their answer date), how long answers take, how many are accepted.

One query of the referrals made before the last cutoff; the waiting ones are counted at every month's end
at once in Polars (lib/metrics.py alive_at_month_ends). A referral counts in its case's dong.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.lib.metrics import (
    Indicator,
    Rows,
    alive_at_month_ends,
    count_rows,
    frame,
    local_month,
    metric_register,
    month_start,
)

UTC = pl.Datetime("us", "UTC")


def _referrals(before: dt.datetime, **flt) -> pl.DataFrame:
    from dolbom.referrals.models import Referral

    rows = Referral.objects.filter(created_at__lt=before, **flt).values_list(
        "case__dong_id", "created_at", "respond_by", "responded_at", "ended_at", "status", "decline_reason")
    return frame(rows, {"dong_id": pl.Int64, "created_at": UTC, "respond_by": pl.Date, "responded_at": UTC,
                        "ended_at": UTC, "status": pl.Utf8, "decline_reason": pl.Utf8})


def created(start: dt.date, end: dt.date) -> Rows:
    df = _referrals(month_start(end), created_at__gte=month_start(start))
    return count_rows(df.with_columns(month=local_month("created_at")), ["month", "dong_id"])


def _waiting(start: dt.date, end: dt.date) -> pl.DataFrame:
    df = _referrals(month_start(end)).with_columns(
        # Neither answered nor ended (cancelled, consent withdrawn, case closed) by the cutoff.
        done_at=pl.min_horizontal("responded_at", "ended_at"))
    return alive_at_month_ends(df, start, end, since="created_at", until="done_at")


def pending(start: dt.date, end: dt.date) -> Rows:
    return count_rows(_waiting(start, end), ["month", "dong_id"])


def pending_overdue(start: dt.date, end: dt.date) -> Rows:
    df = _waiting(start, end)
    # The answer date passed: the last day of the month (today for the month still running) is after it.
    day = pl.min_horizontal(pl.col("month").dt.month_end(), pl.lit(timezone.localdate()))
    return count_rows(df.filter(pl.col("respond_by") < day), ["month", "dong_id"])


def _answered(start: dt.date, end: dt.date) -> pl.DataFrame:
    df = _referrals(month_start(end)).filter(pl.col("responded_at").is_not_null()
                                              & (pl.col("responded_at") >= month_start(start))
                                              & (pl.col("responded_at") < month_start(end)))
    return df.with_columns(month=local_month("responded_at"),
                           hours=(pl.col("responded_at") - pl.col("created_at")).dt.total_seconds() / 3600.0,
                           declined=(pl.col("status") == "declined") | (pl.col("decline_reason") != ""))


def answer_hours(start: dt.date, end: dt.date) -> Rows:
    return count_rows(_answered(start, end), ["month", "dong_id"], numerator=pl.col("hours").sum(),
                      denominator=pl.len())


def accept_rate(start: dt.date, end: dt.date) -> Rows:
    return count_rows(_answered(start, end), ["month", "dong_id"], numerator=(~pl.col("declined")).sum(),
                      denominator=pl.len())


def register() -> None:
    metric_register(Indicator(
        key="referrals.created", label=_("Referrals made"), unit="건", higher_is_better=None,
        definition=_("Referrals to partner institutions made in the month, in the case's dong."),
        compute=created, numerator=_("referrals"), tags=("annual_plan",)))
    metric_register(Indicator(
        key="referrals.pending", label=_("Referrals waiting for an answer"), unit="건", stock=True,
        higher_is_better=False,
        definition=_("Referrals neither accepted nor declined, and not ended, at the month's end."),
        compute=pending, numerator=_("referrals waiting")))
    metric_register(Indicator(
        key="referrals.pending_overdue", label=_("Referrals past their answer date"), unit="건", stock=True,
        higher_is_better=False,
        definition=_("Referrals still waiting for an answer at the month's end whose answer date had passed."),
        compute=pending_overdue, numerator=_("referrals overdue"), tags=("headline",)))
    metric_register(Indicator(
        key="referrals.answer_hours", label=_("Hours to answer a referral"), unit="시간", higher_is_better=False,
        definition=_("Average hours from a referral to the institution's answer (accept or decline), for the "
                     "answers given in the month."),
        compute=answer_hours, numerator=_("hours to answer"), denominator=_("answers")))
    metric_register(Indicator(
        key="referrals.accept_rate", label=_("Referrals accepted"), unit="%", higher_is_better=True,
        definition=_("Answers given in the month that accepted the referral, out of all answers."),
        compute=accept_rate, numerator=_("accepted"), denominator=_("answers"), tags=("annual_plan",)))
