"""The programmes shipped with dolbom, as their public notices set them (one JSON file each), with golden
cases written from each notice (``<code>.golden.json``) that the test suite runs through both evaluators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def shipped() -> list[Path]:
    return sorted(p for p in HERE.glob("*.json") if not p.name.endswith(".golden.json"))


def load(path: Path | str) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def golden(code: str) -> dict[str, Any] | None:
    path = HERE / f"{code}.golden.json"
    return load(path) if path.exists() else None


def check_cases(rules: Any, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Golden cases through compiled rules (rules/compiled.py): each case's outcome from the reference
    evaluator, the column-wise row for the same facts, and whether both give what the notice says."""
    import polars as pl

    from dolbom.subsidies.rules.compiled import MissingFacts

    schema = rules.frame_schema()
    usable = [c for c in cases if not rules.missing(c["facts"])]
    frame = pl.DataFrame([{k: c["facts"].get(k) for k in schema} for c in usable], schema=schema)
    fast = iter(rules.evaluate_frame(frame).select("eligible", "amount", "score", "tier", "priority_groups",
                                                   "failed").to_dicts() if usable else [])
    results = []
    for case in cases:
        try:
            outcome = rules.evaluate(case["facts"])
        except MissingFacts as exc:
            results.append({"case": case, "ok": False, "outcome": None, "error": f"missing: {exc}"})
            continue
        got = outcome.summary()
        row = next(fast)
        expect = case["expect"]
        ok = all(got[k] == (sorted(v) if isinstance(v, list) else v) for k, v in expect.items() if k in got)
        ok = ok and outcome.explanation == expect.get("explanation", outcome.explanation)
        results.append({"case": case, "ok": ok and row == got, "agrees": row == got, "outcome": outcome,
                        "error": ""})
    return results
