"""Indicators of programmes and consultations (lib/metrics.py): one or two aggregate queries each, by the
month the session or consultation took place and the dong of the programme or adviser (None: city-wide)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.lib.metrics import Indicator, metric_register
from dolbom.programmes.models import (
    Attendance,
    BookingStatus,
    ConsultationBooking,
    Session,
    SessionStatus,
    Signup,
    SignupStatus,
    WelfareReferral,
)

Rows = Iterable[Mapping[str, Any]]


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(start, dt.time(), tz), dt.datetime.combine(end, dt.time(), tz)


def _month(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _rows(qs: QuerySet, dong: str, **aggregates: Any) -> list[dict[str, Any]]:
    grouped = qs.values("m", dong).annotate(**aggregates).order_by("m", dong)
    return [{"month": _month(r["m"]), "dong_id": r[dong], **{k: r[k] or 0 for k in aggregates}} for r in grouped]


def _signups(start: dt.date, end: dt.date) -> QuerySet[Signup]:
    lo, hi = _bounds(start, end)
    return Signup.objects.filter(session__starts_at__gte=lo, session__starts_at__lt=hi,
                                 session__status=SessionStatus.SCHEDULED).annotate(m=TruncMonth("session__starts_at"))


def fill_rate(start: dt.date, end: dt.date) -> Rows:
    lo, hi = _bounds(start, end)
    sessions = Session.objects.filter(starts_at__gte=lo, starts_at__lt=hi, status=SessionStatus.SCHEDULED).annotate(
        m=TruncMonth("starts_at"))
    return _rows(sessions, "programme__dong_id", numerator=Sum("taken"), denominator=Sum("capacity"))


def waiting_list(start: dt.date, end: dt.date) -> Rows:
    return _rows(_signups(start, end).filter(was_waiting=True), "programme__dong_id", numerator=Count("pk"))


def no_show_rate(start: dt.date, end: dt.date) -> Rows:
    marked = _signups(start, end).exclude(attendance=Attendance.UNKNOWN)
    return _rows(marked, "programme__dong_id", numerator=Count("pk", filter=Q(attendance=Attendance.NO_SHOW)),
                 denominator=Count("pk"))


def waitlist_conversion(start: dt.date, end: dt.date) -> Rows:
    waited = _signups(start, end).filter(was_waiting=True)
    return _rows(waited, "programme__dong_id", numerator=Count("pk", filter=Q(status=SignupStatus.CONFIRMED)),
                 denominator=Count("pk"))


def consultations_held(start: dt.date, end: dt.date) -> Rows:
    lo, hi = _bounds(start, end)
    done = ConsultationBooking.objects.filter(slot__starts_at__gte=lo, slot__starts_at__lt=hi,
                                              status=BookingStatus.DONE).annotate(m=TruncMonth("slot__starts_at"))
    return _rows(done, "adviser__dong_id", numerator=Count("pk"))


def welfare_referrals(start: dt.date, end: dt.date) -> Rows:
    lo, hi = _bounds(start, end)
    made = WelfareReferral.objects.filter(created_at__gte=lo, created_at__lt=hi).annotate(m=TruncMonth("created_at"))
    return _rows(made, "dong_id", numerator=Count("pk"))


INDICATORS = [
    Indicator(key="programmes.fill_rate", label=_("Programme fill rate"), unit="%",
              definition=_("Places taken at the sessions held in the month, out of the places offered "
                           "(cancelled sessions not counted)."),
              compute=fill_rate, numerator=_("places taken"), denominator=_("places offered"), higher_is_better=True),
    Indicator(key="programmes.waiting_list", label=_("Waiting-list entries"), unit="건",
              definition=_("Sign-ups that joined a waiting list, for sessions held in the month."),
              compute=waiting_list, higher_is_better=None),
    Indicator(key="programmes.no_show_rate", label=_("Programme no-show rate"), unit="%",
              definition=_("Confirmed families who did not come, out of those whose attendance was recorded, "
                           "for sessions held in the month."),
              compute=no_show_rate, numerator=_("no-shows"), denominator=_("attendance recorded"),
              higher_is_better=False),
    Indicator(key="programmes.waitlist_conversion", label=_("Waiting-list conversions"), unit="%",
              definition=_("Waiting-list entries that got a place, out of all waiting-list entries, for sessions "
                           "held in the month."),
              compute=waitlist_conversion, numerator=_("got a place"), denominator=_("waiting-list entries"),
              higher_is_better=True),
    Indicator(key="programmes.consultations_held", label=_("Village tax and legal consultations held"), unit="건",
              definition=_("Consultations that took place in the month (no-shows and cancellations not counted)."),
              compute=consultations_held, higher_is_better=True),
    Indicator(key="programmes.welfare_referrals", label=_("Welfare referrals from consultations"), unit="건",
              definition=_("Welfare needs an adviser passed to a dong office, with the person's consent, in the "
                           "month."),
              compute=welfare_referrals, higher_is_better=None),
]


def register() -> None:
    for indicator in INDICATORS:
        metric_register(indicator)
