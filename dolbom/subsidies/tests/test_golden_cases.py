"""Each shipped programme's golden cases, written from its public notice, through both evaluators."""

from __future__ import annotations

import polars as pl
import pytest

from dolbom.subsidies import programmes
from dolbom.subsidies.rules.compiled import compile_rules

CASES = [(path.stem, case) for path in programmes.shipped()
         for case in (programmes.golden(programmes.load(path)["code"]) or {"cases": []})["cases"]]


def test_every_shipped_programme_has_golden_cases():
    for path in programmes.shipped():
        data = programmes.load(path)
        golden = programmes.golden(data["code"])
        assert golden is not None and len(golden["cases"]) >= 5, path.name
        assert golden["notice"] and all(c["source"] for c in golden["cases"])


@pytest.mark.parametrize(("code", "case"), CASES, ids=[f"{c}:{case['name']}" for c, case in CASES])
def test_the_golden_case_gives_what_the_notice_says(code, case):
    rules = compile_rules(programmes.load(programmes.HERE / f"{code}.json")["rules"]["definition"])
    outcome = rules.evaluate(case["facts"])
    expect = case["expect"]
    got = outcome.summary()
    for key in ("eligible", "amount", "score", "tier", "failed", "priority_groups"):
        if key in expect:
            assert got[key] == (sorted(expect[key]) if isinstance(expect[key], list) else expect[key]), key
    if "explanation" in expect:
        assert outcome.explanation == expect["explanation"]


@pytest.mark.parametrize("path", programmes.shipped(), ids=lambda p: p.stem)
def test_the_column_wise_evaluator_agrees_with_the_reference_on_the_golden_cases(path):
    data = programmes.load(path)
    rules = compile_rules(data["rules"]["definition"])
    cases = programmes.golden(data["code"])["cases"]
    frame = pl.DataFrame([{k: c["facts"].get(k) for k in rules.frame_schema()} for c in cases],
                         schema=rules.frame_schema())
    fast = rules.evaluate_frame(frame).select("eligible", "amount", "score", "tier", "priority_groups", "failed")
    for row, case in zip(fast.to_dicts(), cases, strict=True):
        assert row == rules.evaluate(case["facts"]).summary(), case["name"]


@pytest.mark.parametrize("path", programmes.shipped(), ids=lambda p: p.stem)
def test_the_shared_golden_runner_passes_every_case(path):
    data = programmes.load(path)
    results = programmes.check_cases(compile_rules(data["rules"]["definition"]),
                                     programmes.golden(data["code"])["cases"])
    assert [r["case"]["name"] for r in results if not r["ok"]] == []
