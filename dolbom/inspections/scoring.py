"""The checklist score: one pure function, so that the same answers give the same score on the tablet's
sync, in a report years later and in a test.

Each applicable item weighs by its severity (critical 5, major 3, minor 1); "not applicable" leaves the
item out of both sides. The score is the compliant share of the applicable weight, in percent, rounded
half-up to one decimal in decimal arithmetic (no binary floating point, so no 89.95 that prints as 90.0
on one machine and 89.9 on another). The grade:

- fail (부적합): a critical item is not met, or the score is below 70;
- needs improvement (개선 필요): the score is below 90;
- good (적합): otherwise.

A measured item is met when its value is within the item's limit (≤ for chilled and frozen storage,
≥ for hot holding); it is then compliant whatever the inspector ticked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

WEIGHTS = {"critical": 5, "major": 3, "minor": 1}
GOOD_FROM = Decimal("90")
FAIL_BELOW = Decimal("70")


@dataclass(frozen=True)
class ItemRule:
    code: str
    severity: str  # critical | major | minor
    answer_kind: str = "yes_no"  # yes_no | measured
    limit_op: str = ""  # le | ge, for measured items
    limit_value: Decimal | None = None
    na_allowed: bool = False


@dataclass(frozen=True)
class AnswerIn:
    answer: str  # yes | no | na | value
    value: Decimal | None = None


@dataclass(frozen=True)
class Score:
    score: Decimal | None  # None until something applicable is answered
    grade: str  # good | improve | fail | "" (incomplete)
    complete: bool
    missing: tuple[str, ...]  # items without a (valid) answer
    failed: tuple[str, ...]  # items answered and not met, in checklist order
    critical_failed: tuple[str, ...]
    earned: int
    applicable: int
    invalid: tuple[str, ...] = field(default=())  # answers that do not fit the item (value on a yes/no item, ...)


def as_decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def compliant(rule: ItemRule, answer: AnswerIn) -> bool | None:
    """True when met, False when not, None when not applicable. Raises ValueError for an answer that does
    not fit the item."""
    if answer.answer == "na":
        if not rule.na_allowed:
            raise ValueError("not applicable is not allowed for this item")
        return None
    if rule.answer_kind == "measured":
        if answer.answer != "value" or answer.value is None or rule.limit_value is None:
            raise ValueError("a measured item needs a value")
        return answer.value <= rule.limit_value if rule.limit_op == "le" else answer.value >= rule.limit_value
    if answer.answer not in ("yes", "no"):
        raise ValueError("a yes/no item needs yes or no")
    return answer.answer == "yes"


def score(rules: Iterable[ItemRule], answers: Mapping[str, AnswerIn]) -> Score:
    """Score the answers (by item code) against the checklist's rules, in checklist order."""
    earned = applicable = 0
    missing: list[str] = []
    failed: list[str] = []
    critical_failed: list[str] = []
    invalid: list[str] = []
    for rule in rules:
        answer = answers.get(rule.code)
        if answer is None:
            missing.append(rule.code)
            continue
        try:
            met = compliant(rule, answer)
        except ValueError:
            invalid.append(rule.code)
            missing.append(rule.code)
            continue
        if met is None:
            continue
        weight = WEIGHTS[rule.severity]
        applicable += weight
        if met:
            earned += weight
        else:
            failed.append(rule.code)
            if rule.severity == "critical":
                critical_failed.append(rule.code)
    value = None
    if applicable:
        value = (Decimal(100) * earned / applicable).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    complete = not missing
    grade = ""
    if complete and value is not None:
        if critical_failed or value < FAIL_BELOW:
            grade = "fail"
        elif value < GOOD_FROM:
            grade = "improve"
        else:
            grade = "good"
    return Score(score=value, grade=grade, complete=complete, missing=tuple(missing), failed=tuple(failed),
                 critical_failed=tuple(critical_failed), earned=earned, applicable=applicable,
                 invalid=tuple(invalid))
