"""The checklist score, a pure function: the same answers give the same score and grade every time."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from dolbom.inspections.scoring import AnswerIn, ItemRule, compliant, score

RULES = [
    ItemRule("retained_sample", "critical"),
    ItemRule("fridge", "major", answer_kind="measured", limit_op="le", limit_value=Decimal("10")),
    ItemRule("hot_holding", "major", answer_kind="measured", limit_op="ge", limit_value=Decimal("60"), na_allowed=True),
    ItemRule("utensils", "major"),
    ItemRule("caps", "minor"),
    ItemRule("labels", "minor"),
]
ALL_MET = {"retained_sample": AnswerIn("yes"), "fridge": AnswerIn("value", Decimal("4")),
           "hot_holding": AnswerIn("value", Decimal("65")), "utensils": AnswerIn("yes"), "caps": AnswerIn("yes"),
           "labels": AnswerIn("yes")}


def test_everything_met_scores_100_and_good():
    s = score(RULES, ALL_MET)
    assert (s.score, s.grade, s.complete, s.failed) == (Decimal("100.0"), "good", True, ())
    assert (s.earned, s.applicable) == (5 + 3 + 3 + 3 + 1 + 1, 16)


def test_items_weigh_by_severity_and_the_score_rounds_half_up():
    # One minor failure: 15 of 16 = 93.75 -> 93.8 (half up, not banker's rounding to 93.8/93.7).
    s = score(RULES, {**ALL_MET, "caps": AnswerIn("no")})
    assert s.score == Decimal("93.8") and s.grade == "good" and s.failed == ("caps",)
    # One major failure: 13 of 16 = 81.25 -> 81.3, needs improvement.
    s = score(RULES, {**ALL_MET, "utensils": AnswerIn("no")})
    assert s.score == Decimal("81.3") and s.grade == "improve"


def test_a_failed_critical_item_fails_the_inspection_whatever_the_score():
    s = score(RULES, {**ALL_MET, "retained_sample": AnswerIn("no")})
    assert s.score == Decimal("68.8") and s.grade == "fail" and s.critical_failed == ("retained_sample",)
    many = [ItemRule(f"m{k}", "minor") for k in range(40)] + [ItemRule("critical", "critical")]
    s = score(many, {**{f"m{k}": AnswerIn("yes") for k in range(40)}, "critical": AnswerIn("no")})
    assert s.score == Decimal("88.9") and s.grade == "fail"


def test_a_score_below_70_fails_without_a_critical_failure():
    s = score(RULES, {**ALL_MET, "fridge": AnswerIn("value", Decimal("12")), "utensils": AnswerIn("no"),
                      "hot_holding": AnswerIn("value", Decimal("50"))})
    assert s.score == Decimal("43.8") and s.grade == "fail" and s.critical_failed == ()


def test_not_applicable_counts_on_neither_side():
    s = score(RULES, {**ALL_MET, "hot_holding": AnswerIn("na"), "caps": AnswerIn("no")})
    assert (s.earned, s.applicable, s.score) == (12, 13, Decimal("92.3"))


def test_measured_items_are_judged_by_their_limit_not_by_a_tick():
    fridge = RULES[1]
    assert compliant(fridge, AnswerIn("value", Decimal("10"))) is True
    assert compliant(fridge, AnswerIn("value", Decimal("10.1"))) is False
    hot = RULES[2]
    assert compliant(hot, AnswerIn("value", Decimal("60"))) is True
    assert compliant(hot, AnswerIn("value", Decimal("59.9"))) is False
    with pytest.raises(ValueError):
        compliant(fridge, AnswerIn("yes"))


def test_not_applicable_is_refused_where_the_item_does_not_allow_it():
    with pytest.raises(ValueError):
        compliant(RULES[0], AnswerIn("na"))
    s = score(RULES, {**ALL_MET, "retained_sample": AnswerIn("na")})
    assert not s.complete and s.invalid == ("retained_sample",) and s.grade == ""


def test_an_incomplete_checklist_has_no_grade_and_names_what_is_missing():
    partial = {k: v for k, v in ALL_MET.items() if k not in ("caps", "fridge")}
    s = score(RULES, partial)
    assert not s.complete and s.missing == ("fridge", "caps") and s.grade == ""
    assert s.score == Decimal("100.0")  # of what was answered; the grade waits for the rest


def test_the_same_answers_give_the_same_result_in_any_order():
    answers = {**ALL_MET, "utensils": AnswerIn("no"), "labels": AnswerIn("no")}
    first = score(RULES, answers)
    rng = random.Random(3)
    for _ in range(20):
        keys = list(answers)
        rng.shuffle(keys)
        assert score(RULES, {k: answers[k] for k in keys}) == first
