"""The activity history the demo and the benchmark run on (reports/synthetic.py): consistent with itself and
with what the services would have written, and all in the past."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.cases.models import Case, CaseEvent
from dolbom.checkins.models import Call
from dolbom.referrals.models import Referral
from dolbom.registry.synthetic import generate
from dolbom.registry.synthetic.writer import write_city
from dolbom.reports.models import Cell
from dolbom.reports.refresh import refresh
from dolbom.reports.synthetic import add_recent_events, generate_activity
from dolbom.visits.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(db):
    write_city(generate(households=400, seed=3))
    return generate_activity(months=12, seed=3, rate=6.0)


def test_each_case_is_where_its_timeline_says_and_nothing_lies_in_the_future(history):
    now = timezone.now()
    today = timezone.localdate()
    cases = list(Case.objects.filter(number__contains="-H"))
    assert len(cases) > 20
    steps = ("application_recorded", "survey_recorded", "decision_recorded", "plan_created", "follow_up_recorded",
             "closed")
    for case in cases:
        last = CaseEvent.objects.filter(case=case, type__in=steps).order_by("at", "pk").last()
        if last is not None:
            assert last.new["status"] == case.status, case.number
        assert case.opened_at < now
        if case.status == "in_service" and case.next_follow_up_due and case.next_follow_up_due < today:
            # What the demo-data check asks of every overdue case: due after opening, 90 days at least.
            assert case.opened_at.date() < case.next_follow_up_due
            assert (case.next_follow_up_due - case.opened_at.date()).days >= 90
    assert not CaseEvent.objects.filter(at__gt=now).exists()
    assert not Visit.objects.filter(due_on__gte=today).exists(), "no visit lands in today's plan"
    assert not Call.objects.filter(due_at__gt=now).exists()
    for r in Referral.objects.exclude(responded_at=None):
        assert r.responded_at > r.created_at


def test_the_published_open_cases_of_this_month_are_the_open_cases_now(history):
    refresh(full=True, only=["cases.open", "visits.done"])
    this = timezone.localdate().replace(day=1)
    city = Cell.objects.get(indicator="cases.open", period=f"{this:%Y-%m}", area="city", dim="")
    assert city.hidden or city.numerator == Case.objects.exclude(status="closed").count()


def test_a_thousand_new_records_land_in_this_month(history):
    written = add_recent_events(count=1000, seed=1)
    assert sum(written.values()) >= 900
    start = timezone.localdate().replace(day=1)
    assert Call.objects.filter(due_at__date__gte=start - dt.timedelta(days=1)).exists()
