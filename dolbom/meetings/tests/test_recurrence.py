from __future__ import annotations

import datetime as dt

import pytest

from dolbom.lib import recurrence


def test_the_second_tuesday_of_each_month():
    days = recurrence.upcoming("FREQ=MONTHLY;BYDAY=2TU", dt.date(2026, 1, 1), after=dt.date(2026, 3, 1), count=3)
    assert days == [dt.date(2026, 3, 10), dt.date(2026, 4, 14), dt.date(2026, 5, 12)]
    assert all(d.weekday() == 1 and 8 <= d.day <= 14 for d in days)


def test_the_last_friday_of_every_third_month_keeps_in_step_with_the_first_sitting():
    days = recurrence.upcoming("FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR", dt.date(2026, 1, 1), after=dt.date(2026, 2, 1),
                               count=3)
    assert days == [dt.date(2026, 4, 24), dt.date(2026, 7, 31), dt.date(2026, 10, 30)]


def test_every_other_monday_counts_from_the_first_session():
    days = recurrence.upcoming("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", dt.date(2026, 1, 5), after=dt.date(2026, 1, 6),
                               count=3)
    assert days == [dt.date(2026, 1, 19), dt.date(2026, 2, 2), dt.date(2026, 2, 16)]


def test_a_month_day_past_the_months_end_falls_on_its_last_day():
    days = recurrence.upcoming("FREQ=MONTHLY;BYMONTHDAY=31", dt.date(2026, 1, 1), after=dt.date(2026, 2, 1), count=2)
    assert days == [dt.date(2026, 2, 28), dt.date(2026, 3, 31)]


def test_a_fifth_weekday_is_skipped_in_months_without_one():
    days = recurrence.upcoming("FREQ=MONTHLY;BYDAY=5FR", dt.date(2026, 1, 1), after=dt.date(2026, 1, 1), count=2)
    assert days == [dt.date(2026, 1, 30), dt.date(2026, 5, 29)]


@pytest.mark.parametrize("rule", ["", "FREQ=DAILY", "FREQ=MONTHLY", "FREQ=MONTHLY;BYDAY=TU", "FREQ=WEEKLY",
                                  "FREQ=WEEKLY;BYDAY=2MO", "FREQ=MONTHLY;BYDAY=2XX", "FREQ=MONTHLY;BYMONTHDAY=40",
                                  "FREQ=MONTHLY;INTERVAL=0;BYDAY=1MO", "FREQ=MONTHLY;BYDAY=1MO;COUNT=3"])
def test_it_refuses_rules_it_cannot_schedule(rule):
    with pytest.raises(recurrence.RuleError):
        recurrence.parse(rule)


@pytest.mark.parametrize("rule,text", [
    ("FREQ=MONTHLY;BYDAY=2TU", "매월 둘째 화요일"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "2주마다 월요일"),
    ("FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR", "3개월마다 마지막 금요일"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "매월 15일"),
])
def test_a_rule_reads_in_korean(rule, text):
    from django.utils import translation

    with translation.override("ko"):
        assert recurrence.describe(rule) == text
