"""lib/recurrence.py as the programmes use it: several days a rule, a season of months."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from dolbom.lib import recurrence


def test_the_second_and_fourth_saturday_from_may_to_november():
    days = recurrence.between("FREQ=MONTHLY;BYDAY=2SA,4SA;BYMONTH=5,6,7,8,9,10,11", dt.date(2027, 1, 1),
                              until=dt.date(2027, 12, 31))
    assert len(days) == 14 and days[0] == dt.date(2027, 5, 8) and days[1] == dt.date(2027, 5, 22)
    assert days[-1] == dt.date(2027, 11, 27) and all(d.weekday() == 5 for d in days)


def test_the_fourth_monday():
    assert recurrence.upcoming("FREQ=MONTHLY;BYDAY=4MO", dt.date(2026, 12, 1), after=dt.date(2026, 12, 1),
                               count=2) == [dt.date(2026, 12, 28), dt.date(2027, 1, 25)]


def test_several_weekdays_a_week():
    days = recurrence.upcoming("FREQ=WEEKLY;BYDAY=TU,SA", dt.date(2026, 12, 2), after=dt.date(2026, 12, 2), count=3)
    assert days == [dt.date(2026, 12, 5), dt.date(2026, 12, 8), dt.date(2026, 12, 12)]


@pytest.mark.parametrize("rule", ["FREQ=MONTHLY;BYDAY=2SA,2SA", "FREQ=MONTHLY;BYDAY=2SA;BYMONTH=13",
                                  "FREQ=MONTHLY;BYDAY=2SA;BYMONTH=", "FREQ=WEEKLY;BYDAY=MO,2TU"])
def test_it_refuses_rules_it_cannot_schedule(rule):
    with pytest.raises(recurrence.RuleError):
        recurrence.parse(rule)


def test_a_season_rule_reads_in_korean():
    with translation.override("ko"):
        assert recurrence.describe("FREQ=MONTHLY;BYDAY=2SA,4SA;BYMONTH=5,6,7,8,9,10,11") == \
            "매월 둘째·넷째 토요일 (5–11월)"
        assert recurrence.describe("FREQ=MONTHLY;BYDAY=4MO") == "매월 넷째 월요일"
