"""ATP swab readings: the pass / caution / fail rule and the baseline calculator, as pure functions.

An RLU (relative light unit) is a luminometer's own scale: 10 RLU on one instrument is not 10 on another,
so a reading is judged against the limits of its instrument and surface (models.AtpThreshold).

The baseline: where a facility has swabbed its own surfaces right after cleaning often enough, mean + 3
standard deviations of those clean readings is the usual upper limit of "clean" for that surface and
instrument (about 99.9 % of clean readings fall below it if they are roughly normal). Fewer than
``BASELINE_MIN_READINGS`` readings say too little about the spread to set a limit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

BASELINE_MIN_READINGS = 10


@dataclass(frozen=True)
class Limits:
    pass_max: int
    caution_max: int


def classify(rlu: int, limits: Limits) -> str:
    """pass when rlu ≤ pass_max, caution up to caution_max, fail above."""
    if rlu < 0:
        raise ValueError("an RLU reading cannot be negative")
    if rlu <= limits.pass_max:
        return "pass"
    if rlu <= limits.caution_max:
        return "caution"
    return "fail"


@dataclass(frozen=True)
class Baseline:
    n: int
    mean: float
    sd: float  # sample standard deviation (n − 1)
    limit: int  # ceil(mean + 3 sd), in RLU


def baseline(readings: Sequence[int], *, minimum: int = BASELINE_MIN_READINGS) -> Baseline | None:
    """Mean + 3 SD of a facility's clean readings of one surface on one instrument; None below ``minimum``."""
    n = len(readings)
    if n < max(2, minimum):
        return None
    mean = math.fsum(readings) / n
    sd = math.sqrt(math.fsum((r - mean) ** 2 for r in readings) / (n - 1))
    return Baseline(n=n, mean=round(mean, 1), sd=round(sd, 1), limit=math.ceil(mean + 3 * sd - 1e-9))


def unresolved_failures(readings: Sequence[tuple[str, str, str | None]]) -> list[str]:
    """Failed readings still waiting for their re-clean and re-test: ``readings`` are (key, result,
    retest_of key). A failed swab is resolved by a re-test taken after re-cleaning; if that re-test fails
    too, it needs its own."""
    retested = {parent for _key, _result, parent in readings if parent}
    return [key for key, result, _parent in readings if result == "fail" and key not in retested]
