"""ATP readings: pass / caution / fail by the instrument's limits, the baseline, re-tests that resolve a fail."""

from __future__ import annotations

import math
import statistics

import pytest

from dolbom.inspections.atp import Limits, baseline, classify, unresolved_failures

COMMON = Limits(pass_max=10, caution_max=30)


@pytest.mark.parametrize(("rlu", "result"), [(0, "pass"), (10, "pass"), (11, "caution"), (30, "caution"),
                                             (31, "fail"), (5000, "fail")])
def test_a_common_instruments_defaults_pass_up_to_10_and_fail_above_30(rlu, result):
    assert classify(rlu, COMMON) == result


def test_per_surface_limits_judge_the_same_rlu_differently():
    hands, board = Limits(1500, 3000), Limits(500, 1000)
    assert (classify(1200, hands), classify(1200, board)) == ("pass", "fail")


def test_a_negative_reading_is_refused():
    with pytest.raises(ValueError):
        classify(-1, COMMON)


def test_the_baseline_is_mean_plus_three_sample_standard_deviations():
    readings = [4, 6, 5, 7, 3, 5, 6, 4, 8, 2]
    b = baseline(readings)
    assert b is not None and b.n == 10
    assert b.mean == 5.0
    assert b.sd == round(statistics.stdev(readings), 1)
    assert b.limit == math.ceil(5.0 + 3 * statistics.stdev(readings))


def test_too_few_clean_readings_give_no_baseline():
    assert baseline([5] * 9) is None
    assert baseline([5, 7, 6], minimum=3) is not None


def test_a_failed_swab_is_resolved_only_by_a_re_test_and_a_failed_re_test_needs_another():
    readings = [("a", "fail", None), ("b", "pass", None), ("c", "fail", None), ("c2", "fail", "c")]
    assert unresolved_failures(readings) == ["a", "c2"]
    readings += [("a2", "caution", "a"), ("c3", "pass", "c2")]
    assert unresolved_failures(readings) == []
