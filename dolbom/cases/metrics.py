"""Indicators of the case workflow (lib/metrics.py): cases opened and closed, cases by step, days in a step,
follow-ups overdue and done.

A case's step at a month's end is read from its timeline, not from its status now: every step change
writes a CaseEvent whose ``new`` holds the status reached, so the history is one query and an as-of join
in Polars (each case's last change before each month's cutoff), never a query per case or per month.
Cases count in the dong they were opened in (Case.dong is kept through later merges).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.utils.translation import gettext_lazy as _

from dolbom.cases.models import CaseEventType
from dolbom.lib.metrics import (
    Indicator,
    Rows,
    age_band_expr,
    count_rows,
    frame,
    local_month,
    metric_register,
    month_cutoff,
    month_start,
    months_between,
    shared_read,
    target_group_expr,
)

UTC = pl.Datetime("us", "UTC")
OPEN_STEPS = ("discovered", "applied", "surveyed", "decided", "in_service", "reassessment")
# The steps whose length is measured: each ends when the next legal step is recorded.
TIMED_STEPS = ("discovered", "applied", "surveyed", "decided")
DIMS = ("dong", "month", "age_band", "sex", "target_group")
# The events that move a case from step to step. Other domains' events carry a "status" too (a referral's,
# a visit's), which is not the case's.
STEP_EVENTS = tuple(str(t) for t in (
    CaseEventType.APPLICATION_RECORDED, CaseEventType.SURVEY_RECORDED, CaseEventType.DECISION_RECORDED,
    CaseEventType.PLAN_CREATED, CaseEventType.FOLLOW_UP_RECORDED, CaseEventType.REASSESSMENT_STARTED,
    CaseEventType.CLOSED, CaseEventType.REOPENED))
DUE_EVENTS = (str(CaseEventType.PLAN_CREATED), str(CaseEventType.FOLLOW_UP_RECORDED))
_RESIDENT = ("resident__birth_date", "resident__sex", "resident__is_older", "resident__has_severe_disability",
             "resident__has_mental_illness", "resident__is_other_target")
_RESIDENT_SCHEMA = {"birth": pl.Date, "sex": pl.Utf8, "older": pl.Boolean, "disability": pl.Boolean,
                    "mental": pl.Boolean, "other": pl.Boolean}


def _dims(df: pl.DataFrame, on: pl.Expr) -> pl.DataFrame:
    return df.with_columns(age_band=age_band_expr(pl.col("birth"), on), sex=pl.col("sex"),
                           target_group=target_group_expr("older", "disability", "mental", "other"))


def _cutoffs(start: dt.date, end: dt.date) -> pl.DataFrame:
    months = months_between(start, end)
    return pl.DataFrame({"month": months, "cutoff": [month_cutoff(m) for m in months]},
                        schema={"month": pl.Date, "cutoff": UTC})


def _stamp() -> tuple:
    """Changes with every case or timeline row written (and each minute, for the running month's cutoff)."""
    from django.db.models import Count, Max
    from django.utils import timezone

    from dolbom.cases.models import Case, CaseEvent

    events = CaseEvent.objects.aggregate(n=Count("pk"), m=Max("pk"))
    cases = Case.objects.aggregate(n=Count("pk"), m=Max("updated_at"))
    return events["n"], events["m"], cases["n"], cases["m"], timezone.now().strftime("%Y%m%d%H%M")


def _cases(before: dt.datetime) -> pl.DataFrame:
    from dolbom.cases.models import Case

    rows = Case.objects.filter(opened_at__lt=before).values_list("id", "dong_id", "opened_at", "status", *_RESIDENT)
    return frame(rows, {"case_id": pl.Int64, "dong_id": pl.Int64, "opened_at": UTC, "status_now": pl.Utf8,
                        **_RESIDENT_SCHEMA})


def _transitions(before: dt.datetime, cases: pl.DataFrame) -> pl.DataFrame:
    """(case_id, at, status): every recorded step, plus the step a case was opened in."""
    from dolbom.cases.models import CaseEvent

    events = frame(CaseEvent.objects.filter(at__lt=before, type__in=STEP_EVENTS)
                   .values_list("case_id", "at", "pk", "new__status", "old__status"),
                   {"case_id": pl.Int64, "at": UTC, "pk": pl.Int64, "status": pl.Utf8, "old": pl.Utf8})
    first = events.sort("at", "pk").group_by("case_id").agg(pl.col("old").first().alias("initial"))
    opened = (cases.join(first, on="case_id", how="left")
              .select("case_id", pl.col("opened_at").alias("at"), pl.lit(0, pl.Int64).alias("pk"),
                      pl.coalesce("initial", "status_now").alias("status")))
    return pl.concat([opened, events.select("case_id", "at", "pk", "status")]).sort("at", "pk")


@shared_read(_stamp)
def _status_at_cutoffs(start: dt.date, end: dt.date) -> pl.DataFrame:
    """One row per case open at each month's cutoff: month, case_id, dong_id, status, the resident's dims."""
    cut = _cutoffs(start, end)
    if cut.is_empty():
        return pl.DataFrame()
    last = cut["cutoff"].max()
    cases = _cases(last)
    history = _transitions(last, cases).sort("at")
    # An event at the cutoff itself belongs to the next month: join on the instant just before it.
    grid = (cases.join(cut, how="cross").filter(pl.col("opened_at") < pl.col("cutoff"))
            .with_columns(before=pl.col("cutoff") - pl.duration(microseconds=1)).sort("before"))
    at = grid.join_asof(history.select("case_id", "at", "status"), left_on="before", right_on="at",
                        by="case_id", strategy="backward", check_sortedness=False)
    return at.filter(pl.col("status").is_not_null() & (pl.col("status") != "closed"))


def open_cases(start: dt.date, end: dt.date) -> Rows:
    df = _status_at_cutoffs(start, end)
    if df.is_empty():
        return []
    df = _dims(df, pl.col("cutoff").dt.date())
    return count_rows(df, ["month", "dong_id", "age_band", "sex", "target_group"])


def _in_step(step: str):
    def compute(start: dt.date, end: dt.date) -> Rows:
        df = _status_at_cutoffs(start, end)
        if df.is_empty():
            return []
        return count_rows(df.filter(pl.col("status") == step), ["month", "dong_id"])

    compute.__name__ = f"in_step_{step}"
    return compute


def _opened_frame(start: dt.date, end: dt.date, **flt: Any) -> pl.DataFrame:
    from dolbom.cases.models import Case

    lo, hi = month_start(start), month_start(end)
    rows = Case.objects.filter(opened_at__gte=lo, opened_at__lt=hi, **flt).values_list("dong_id", "opened_at",
                                                                                       *_RESIDENT)
    return frame(rows, {"dong_id": pl.Int64, "opened_at": UTC, **_RESIDENT_SCHEMA})


def cases_opened(start: dt.date, end: dt.date) -> Rows:
    df = _opened_frame(start, end)
    if df.is_empty():
        return []
    df = _dims(df.with_columns(month=local_month("opened_at")), pl.col("opened_at").dt.date())
    return count_rows(df, ["month", "dong_id", "age_band", "sex", "target_group"])


def cases_closed(start: dt.date, end: dt.date) -> Rows:
    from dolbom.cases.models import Case

    rows = Case.objects.filter(closed_at__gte=month_start(start), closed_at__lt=month_start(end),
                               status="closed").values_list("dong_id", "closed_at")
    df = frame(rows, {"dong_id": pl.Int64, "closed_at": UTC})
    return count_rows(df.with_columns(month=local_month("closed_at")), ["month", "dong_id"]) if len(df) else []


@shared_read(_stamp)
def _step_lengths(start: dt.date, end: dt.date) -> pl.DataFrame:
    """Each step left in ``[start, end)``: case, dong, step, days spent in it, the month it was left."""
    hi = month_start(end)
    cases = _cases(hi)
    history = (_transitions(hi, cases).sort("case_id", "at", "pk")
               # Repeated statuses (a follow-up that continues the plan) are not a new step.
               .filter(pl.col("status") != pl.col("status").shift(1).over("case_id").fill_null(""))
               .with_columns(left_at=pl.col("at").shift(-1).over("case_id")))
    done = history.filter(pl.col("left_at").is_not_null() & (pl.col("left_at") >= month_start(start)))
    return (done.join(cases.select("case_id", "dong_id"), on="case_id")
            .with_columns(month=local_month("left_at"),
                          days=(pl.col("left_at") - pl.col("at")).dt.total_seconds() / 86400.0))


def _days_in(step: str):
    def compute(start: dt.date, end: dt.date) -> Rows:
        df = _step_lengths(start, end).filter(pl.col("status") == step)
        return count_rows(df, ["month", "dong_id"], numerator=pl.col("days").sum(), denominator=pl.len())

    compute.__name__ = f"days_in_{step}"
    return compute


def follow_ups_overdue(start: dt.date, end: dt.date) -> Rows:
    """In services and follow-up at the cutoff, with the follow-up then due already past."""
    from dolbom.cases.models import CaseEvent

    df = _status_at_cutoffs(start, end)
    if df.is_empty():
        return []
    last = _cutoffs(start, end)["cutoff"].max()
    dues = frame(CaseEvent.objects.filter(at__lt=last, type__in=DUE_EVENTS)
                 .values_list("case_id", "at", "new__next_follow_up_due"),
                 {"case_id": pl.Int64, "at": UTC, "due": pl.Utf8})
    dues = dues.with_columns(due=pl.col("due").str.to_date(strict=False)).sort("at")
    serving = df.filter(pl.col("status") == "in_service").drop("at").sort("before")
    joined = serving.join_asof(dues, left_on="before", right_on="at", by="case_id", strategy="backward", check_sortedness=False)
    from django.conf import settings

    local_day = pl.col("cutoff").dt.convert_time_zone(settings.TIME_ZONE).dt.date()
    return count_rows(joined.filter(pl.col("due").is_not_null() & (pl.col("due") < local_day)), ["month", "dong_id"])


def _follow_ups(start: dt.date, end: dt.date) -> pl.DataFrame:
    from dolbom.cases.models import FollowUp

    rows = FollowUp.objects.filter(done_on__gte=start, done_on__lt=end).values_list("case__dong_id", "done_on",
                                                                                    "due_on")
    df = frame(rows, {"dong_id": pl.Int64, "done_on": pl.Date, "due_on": pl.Date})
    return df.with_columns(month=pl.col("done_on").dt.truncate("1mo"))


def follow_ups_done(start: dt.date, end: dt.date) -> Rows:
    return count_rows(_follow_ups(start, end), ["month", "dong_id"])


def follow_ups_on_time(start: dt.date, end: dt.date) -> Rows:
    return count_rows(_follow_ups(start, end), ["month", "dong_id"],
                      numerator=(pl.col("done_on") <= pl.col("due_on")).sum(), denominator=pl.len())


# Person-level lists behind a figure (reports offers them to roles that may export people) -------

def overdue_people(*, viewer: Any, context: Any, dong_id: int | None) -> bytes:
    """The cases overdue now, as the case list's own export: scoped, with its reason, and logged with every
    person in the file (cases/selectors.py case_list_export)."""
    from dolbom.cases.export import cases_csv
    from dolbom.cases.selectors import CaseFilters, case_list_export

    return cases_csv(case_list_export(viewer=viewer, context=context,
                                      filters=CaseFilters(dong_id=dong_id, overdue=True)))


STEP_LABELS = {
    "discovered": _("Cases in step: discovered"),
    "applied": _("Cases in step: applied"),
    "surveyed": _("Cases in step: surveyed"),
    "decided": _("Cases in step: eligibility decided"),
    "in_service": _("Cases in step: services and follow-up"),
    "reassessment": _("Cases in step: reassessment"),
}
DAYS_LABELS = {
    "discovered": _("Days from discovery to application"),
    "applied": _("Days from application to needs survey"),
    "surveyed": _("Days from needs survey to eligibility decision"),
    "decided": _("Days from eligibility decision to support plan"),
}


def register() -> None:
    metric_register(Indicator(
        key="cases.opened", label=_("Cases opened"), unit="건", dimensions=DIMS, higher_is_better=None,
        definition=_("Cases opened in the month (an application, or a case found by crisis discovery, a "
                     "community referral or a discharge notice), in the dong the case was opened in."),
        compute=cases_opened, numerator=_("cases opened"), tags=("annual_plan", "headline")))
    metric_register(Indicator(
        key="cases.open", label=_("Open cases"), unit="건", dimensions=DIMS, stock=True, higher_is_better=None,
        definition=_("Cases not closed at the month's end (now, for the month still running), in any step."),
        compute=open_cases, numerator=_("open cases"), tags=("annual_plan", "headline")))
    for step in OPEN_STEPS:
        metric_register(Indicator(
            key=f"cases.in_step.{step}", label=STEP_LABELS[step], unit="건", stock=True, higher_is_better=None,
            definition=_("Open cases whose last recorded step at the month's end was this one, read from the "
                         "case timeline."),
            compute=_in_step(step), numerator=_("cases")))
    for step in TIMED_STEPS:
        metric_register(Indicator(
            key=f"cases.days_in_step.{step}", label=DAYS_LABELS[step], unit="일", higher_is_better=False,
            definition=_("Average days a case spent in the step, for the cases that left it in the month "
                         "(from the timeline: the step's start to the next step recorded)."),
            compute=_days_in(step), numerator=_("days in the step"), denominator=_("cases that left the step")))
    metric_register(Indicator(
        key="cases.closed", label=_("Cases closed"), unit="건", higher_is_better=None,
        definition=_("Cases closed in the month with a legal reason."),
        compute=cases_closed, numerator=_("cases closed")))
    metric_register(Indicator(
        key="cases.follow_ups_overdue", label=_("Follow-ups overdue"), unit="건", stock=True, higher_is_better=False,
        definition=_("Cases in services and follow-up whose next follow-up was due before the month's end and "
                     "not yet recorded then (the Act: within 90 days of the first plan, then the city's interval)."),
        compute=follow_ups_overdue, numerator=_("cases overdue"), tags=("annual_plan", "headline"),
        people=overdue_people))
    metric_register(Indicator(
        key="cases.follow_ups_done", label=_("Follow-ups done"), unit="건", higher_is_better=True,
        definition=_("Follow-ups recorded in the month."), compute=follow_ups_done, numerator=_("follow-ups")))
    metric_register(Indicator(
        key="cases.follow_ups_on_time", label=_("Follow-ups on time"), unit="%", higher_is_better=True,
        definition=_("Follow-ups recorded in the month on or before their due date, out of all recorded."),
        compute=follow_ups_on_time, numerator=_("follow-ups on time"), denominator=_("follow-ups"),
        tags=("annual_plan",)))
