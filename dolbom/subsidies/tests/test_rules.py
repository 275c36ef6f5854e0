"""Rules as data: what a rule may say, and the two evaluators giving the same answer."""

from __future__ import annotations

import random

import polars as pl
import pytest
from django.utils import translation

from dolbom.subsidies import programmes
from dolbom.subsidies.rules.columnar import RuleError, compile_expression
from dolbom.subsidies.rules.compiled import MissingFacts, compile_rules

TYPES = {"age": "int", "income_tier": "string", "price": "int", "ratio": "double", "ok": "bool", "tags": "list"}


@pytest.mark.parametrize(("source", "why"), [
    ("__import__('os').system('rm -rf /')", "cannot"),  # not CEL at all: the parser refuses it
    ("age >= 65.0", "Cannot compare"),                   # int and double do not mix in CEL
    ("size(tags) > 1 && unknown_fact", "Unknown fact"),
    ("price / age > 10", "Divide only"),                 # a variable divisor could be zero
    ("matches(income_tier, 'a.*')", "function"),
    ("{'a': 1}['a'] == 1", "Rules cannot use"),
    ("income_tier > \"basic\"", "only be compared"),
    ("age in [1, \"two\"]", "one type"),
])
def test_a_rule_outside_the_accepted_cel_is_refused_when_saved(source, why):
    with translation.override("en"), pytest.raises(RuleError, match=why):
        compile_expression(source, TYPES, want="bool")


def test_the_refusal_is_explained_in_korean():
    with pytest.raises(RuleError, match="알 수 없는 사실 'unknown'"):
        compile_expression("unknown > 1", TYPES, want="bool")


def test_a_rule_must_give_the_type_its_place_needs():
    with translation.override("en"), pytest.raises(RuleError, match="needed"):
        compile_expression("age + 1", TYPES, want="bool")
    assert compile_expression("ok ? price : 0", TYPES, want="int").type == "int"


def test_a_standard_fact_cannot_be_redefined_by_a_programme():
    d = programmes.load(programmes.HERE / "slate-2026.json")["rules"]["definition"]
    d["facts"].append({"key": "age", "type": "string", "label": "나이"})
    with translation.override("en"), pytest.raises(RuleError, match="standard fact"):
        compile_rules(d)


def test_the_reference_refuses_to_decide_on_missing_facts():
    rules = compile_rules(programmes.load(programmes.HERE / "slate-2026.json")["rules"]["definition"])
    with pytest.raises(MissingFacts) as missing:
        rules.evaluate({"category": "house", "in_city": True})
    assert "removal_cost" in missing.value.missing


def _random_facts(rules, rng: random.Random) -> dict:
    facts = {}
    for key, dtype in rules.frame_schema().items():
        fact = next((f for f in rules.definition.facts if f.key == key), None)
        if dtype == pl.Boolean:
            facts[key] = rng.random() < 0.5
        elif dtype == pl.Int64:
            hi = int(fact.max) if fact and fact.max is not None else 300
            facts[key] = rng.choice([0, 1, rng.randint(-5, hi), rng.randint(0, hi), hi])
        elif dtype == pl.Float64:
            facts[key] = rng.choice([0.5, 3.0, 3.0000001, rng.uniform(0, 40)])
        elif fact is not None and fact.choices:
            facts[key] = rng.choice(list(fact.choices))
        elif key == "income_tier":
            facts[key] = rng.choice(["basic", "near_poor", "general"])
        elif key == "category":
            facts[key] = rng.choice(["house", "apartment", "passenger", "freight"])
        else:
            facts[key] = rng.choice(["a", "아이오닉 5", ""])
    return facts


@pytest.mark.parametrize("path", programmes.shipped(), ids=lambda p: p.stem)
def test_the_column_wise_path_gives_exactly_what_the_reference_gives_on_random_facts(path):
    rules = compile_rules(programmes.load(path)["rules"]["definition"])
    rng = random.Random(path.stem)
    rows = [_random_facts(rules, rng) for _ in range(300)]
    fast = rules.evaluate_frame(pl.DataFrame(rows, schema=rules.frame_schema())).select(
        "eligible", "amount", "score", "tier", "priority_groups", "failed").to_dicts()
    for row, facts in zip(fast, rows, strict=True):
        assert row == rules.evaluate(facts).summary(), facts


def test_integer_division_and_remainder_truncate_toward_zero_in_both_paths():
    d = {"eligibility": [{"key": "x", "label": "x", "rule": "true"}],
         "facts": [{"key": "n", "type": "int", "label": "n"}],
         "amount": {"tiers": [{"key": "t", "label": "t", "value": "n / 4 * 10 + n % 4"}]}}
    rules = compile_rules(d)
    values = [-9, -7, -1, 0, 1, 7, 9]
    fast = rules.evaluate_frame(pl.DataFrame({"n": values, "category": ["x"] * 7})).get_column("amount").to_list()
    slow = [rules.evaluate({"n": v, "category": "x"}).amount for v in values]
    assert fast == slow == [0, 0, 0, 0, 1, 13, 21]  # negatives floor at zero: an amount is never negative
