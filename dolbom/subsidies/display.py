"""Facts as people read them, for the application page and the notice letter alike: the label, the
value in words (choices by their Korean label, money with thousands separators) and how it was checked."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dolbom.subsidies.rules.compiled import CompiledRules
from dolbom.subsidies.rules.facts import INCOME_TIER_EXPLAINED, STANDARD_FACTS

HIDDEN = ("birth_date",)


def _label(compiled: CompiledRules, key: str) -> str:
    fact = next((f for f in compiled.definition.facts if f.key == key), None)
    if fact is not None:
        return fact.label
    if key in STANDARD_FACTS:
        return str(STANDARD_FACTS[key].label)
    return {"resident_since": "전입일(주민등록초본)", "delivered_on": "출고·등록일"}.get(key, key)


def fact_value(compiled: CompiledRules, key: str, value: Any, category_name: str = "") -> str:
    fact = next((f for f in compiled.definition.facts if f.key == key), None)
    if key == "income_tier":
        return INCOME_TIER_EXPLAINED.get(value, str(value))
    if key == "category" and category_name:
        return category_name
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if fact is not None and fact.choices and isinstance(value, str):
        return fact.choices.get(value, value)
    unit = fact.unit if fact is not None else getattr(STANDARD_FACTS.get(key), "unit", "")
    if isinstance(value, int | float) and unit:
        return f"{value:,}{unit}" if unit == "원" else f"{value:g}{unit}"
    return str(value)


def checked_how(source: str, verified: str) -> str:
    if verified == "registry":
        return _("registry record")
    if verified.startswith("survey"):
        return _("needs survey")
    if verified == "history":
        return _("subsidy history")
    if verified.startswith("document"):
        return _("accepted document")
    if source == "application":
        return _("the application")
    if source == "default":
        return _("the notice's default (not stated)")
    return _("declared, not yet proven")


def fact_rows(compiled: CompiledRules, facts: dict[str, Any], sources: dict[str, str], verified: dict[str, str],
              category_name: str = "", used_only: bool = False) -> list[dict[str, Any]]:
    rows = []
    for key in sorted(facts, key=lambda k: (k not in compiled.facts_used, _label(compiled, k))):
        if key in HIDDEN or (used_only and key not in compiled.facts_used):
            continue
        rows.append({"key": key, "label": _label(compiled, key),
                     "value": fact_value(compiled, key, facts[key], category_name),
                     "source": sources.get(key, ""), "verified": verified.get(key, ""),
                     "check": checked_how(sources.get(key, ""), verified.get(key, "")),
                     "used": key in compiled.facts_used})
    return rows
