"""A rule set compiled once: each CEL expression parsed, type-checked, bound to cel-python (the reference)
and to a Polars expression (the column-wise path). Both evaluators live here, next to each other, so that
what "eligible", "amount" and "score" mean is written once for both.

The meaning, for one application:
- eligible: every requirement whose ``when`` holds is met;
- amount: the first tier whose ``when`` holds, plus the top-ups whose ``when`` holds, at most ``cap``, never
  below zero, rounded down to ``round_down_to`` won; 0 when not eligible;
- score: the points of every score rule whose ``when`` holds;
- priority groups: those whose ``when`` holds (selection reserves places for them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import celpy
import lark
import polars as pl
from django.utils.translation import gettext as _

from dolbom.subsidies.rules import columnar
from dolbom.subsidies.rules.columnar import BOOL, INT, RuleError, Typed
from dolbom.subsidies.rules.facts import STANDARD_FACTS
from dolbom.subsidies.rules.schema import TIE_FIELDS, Definition

_ENV = celpy.Environment()


@dataclass(frozen=True)
class Expression:
    source: str
    tree: lark.Tree
    typed: Typed
    program: Any  # celpy Runner

    def reference(self, activation: Mapping[str, Any]) -> Any:
        return _from_cel(self.program.evaluate(activation))


@dataclass
class Step:
    """One line of a decision's trace."""

    kind: str  # eligibility | tier | top_up | cap | score | priority | document
    key: str
    label: str
    expression: str
    applies: bool  # the rule's ``when`` held
    passed: bool | None = None  # eligibility: met; tier/top_up/score/priority/document: chosen or counted
    value: int | None = None  # amounts and points
    text: str = ""  # the plain-Korean sentence the letter uses

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Outcome:
    eligible: bool
    amount: int
    score: int
    tier: str
    priority_groups: list[str]
    documents: list[str]
    trace: list[Step] = field(default_factory=list)
    explanation: str = ""

    def summary(self) -> dict[str, Any]:
        """What both evaluators must agree on (the bench and the tests compare this)."""
        return {"eligible": self.eligible, "amount": self.amount, "score": self.score, "tier": self.tier,
                "priority_groups": sorted(self.priority_groups),
                "failed": sorted(s.key for s in self.trace if s.kind == "eligibility" and s.passed is False)}


class MissingFacts(ValueError):
    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(", ".join(missing))


def _to_cel(value: Any) -> Any:
    if isinstance(value, bool):
        return celpy.celtypes.BoolType(value)
    if isinstance(value, int):
        return celpy.celtypes.IntType(value)
    if isinstance(value, float):
        return celpy.celtypes.DoubleType(value)
    if isinstance(value, str):
        return celpy.celtypes.StringType(value)
    if isinstance(value, list | tuple):
        return celpy.celtypes.ListType([_to_cel(v) for v in value])
    raise TypeError(f"a fact cannot hold {type(value).__name__}")


def _from_cel(value: Any) -> Any:
    if isinstance(value, celpy.celtypes.BoolType):
        return bool(value)
    if isinstance(value, celpy.celtypes.IntType):
        return int(value)
    if isinstance(value, celpy.celtypes.DoubleType):
        return float(value)
    if isinstance(value, celpy.celtypes.StringType):
        return str(value)
    if isinstance(value, Exception):
        raise value
    return value


class CompiledRules:
    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.types: dict[str, str] = {k: f.type for k, f in STANDARD_FACTS.items()}
        for fact in definition.facts:
            if fact.key in STANDARD_FACTS:
                raise RuleError(_("'%(key)s' is a standard fact; give the programme's fact another name.")
                                % {"key": fact.key})
            self.types[fact.key] = fact.type
        self.facts_used: set[str] = set()
        d = definition
        self.eligibility = [(r, self._c(r.when, BOOL, r.key), self._c(r.rule, BOOL, r.key)) for r in d.eligibility]
        self.tiers = [(t, self._c(t.when, BOOL, t.key), self._c(t.value, INT, t.key)) for t in d.amount.tiers]
        self.top_ups = [(t, self._c(t.when, BOOL, t.key), self._c(t.value, INT, t.key)) for t in d.amount.top_ups]
        self.cap = self._c(d.amount.cap, INT, "cap") if d.amount.cap else None
        self.score = [(s, self._c(s.when, BOOL, s.key)) for s in d.score]
        self.priority = [(g, self._c(g.when, BOOL, g.key)) for g in d.priority_groups]
        self.documents = [(doc, self._c(doc.required_when, BOOL, doc.key)) for doc in d.documents]
        for tie in d.tie_breaks:
            if tie.by not in TIE_FIELDS and tie.by not in self.types:
                raise RuleError(_("The tie-break '%(by)s' is neither a fact nor one of %(fields)s.")
                                % {"by": tie.by, "fields": ", ".join(TIE_FIELDS)})
            if tie.by in self.types:
                self.facts_used.add(tie.by)

    def _c(self, source: str, want: str, where: str) -> Expression:
        try:
            typed = columnar.compile_expression(source, self.types, want=want)
        except RuleError as exc:
            raise RuleError(f"{where}: {exc}") from exc
        tree = columnar.parse(source)
        self.facts_used |= columnar.identifiers(tree)
        return Expression(source=source, tree=tree, typed=typed, program=_ENV.program(tree))

    # What an application must state ------------------------------------------------------------

    def missing(self, facts: Mapping[str, Any]) -> list[str]:
        return sorted(k for k in self.facts_used if facts.get(k) is None)

    # The reference: one application, through cel-python -----------------------------------------

    def evaluate(self, facts: Mapping[str, Any]) -> Outcome:
        missing = self.missing(facts)
        if missing:
            raise MissingFacts(missing)
        act = {k: _to_cel(v) for k, v in facts.items() if k in self.types and v is not None}
        trace: list[Step] = []
        eligible = True
        for rule, when, cond in self.eligibility:
            applies = when.reference(act)
            passed = cond.reference(act) if applies else True
            eligible = eligible and passed
            text = (rule.pass_text if passed else (rule.fail_text or _("%(label)s: not met") % {"label": rule.label})) \
                if applies else ""
            trace.append(Step("eligibility", rule.key, rule.label, rule.rule, applies, passed, text=text))
        base, tier_key, tier_text = 0, "", ""
        for tier, when, value in self.tiers:
            chosen = not tier_key and when.reference(act)
            v = value.reference(act) if chosen else None
            if chosen:
                base, tier_key, tier_text = v, tier.key, tier.explain
            trace.append(Step("tier", tier.key, tier.label, tier.value, bool(chosen), bool(chosen), v,
                              tier.explain if chosen else ""))
        total = base
        top_texts = []
        for top, when, value in self.top_ups:
            applies = when.reference(act)
            v = value.reference(act) if applies else None
            if applies:
                total += v
                top_texts.append(top.explain)
            trace.append(Step("top_up", top.key, top.label, top.value, applies, applies, v,
                              top.explain if applies else ""))
        if self.cap is not None:
            cap = self.cap.reference(act)
            trace.append(Step("cap", "cap", _("Cap"), self.cap.source, True, total > cap, cap))
            total = min(total, cap)
        amount = _finish_amount(total, self.definition.amount.round_down_to) if eligible else 0
        score = 0
        for rule, when in self.score:
            applies = when.reference(act)
            score += rule.points if applies else 0
            trace.append(Step("score", rule.key, rule.label, rule.when, applies, applies,
                              rule.points if applies else 0, rule.explain if applies else ""))
        groups = []
        for group, when in self.priority:
            applies = when.reference(act)
            if applies:
                groups.append(group.key)
            trace.append(Step("priority", group.key, group.label, group.when, applies, applies))
        documents = []
        for doc, when in self.documents:
            applies = when.reference(act)
            if applies:
                documents.append(doc.key)
            trace.append(Step("document", doc.key, doc.label, doc.required_when, applies, applies))
        texts = [s.text for s in trace if s.kind == "eligibility" and s.text and (eligible or s.passed is False)]
        if eligible:
            texts += [t for t in [tier_text, *top_texts] if t]
        explanation = ", ".join(texts)
        return Outcome(eligible=eligible, amount=amount, score=score, tier=tier_key if eligible else "",
                       priority_groups=groups, documents=documents, trace=trace, explanation=explanation)

    # The column-wise path: a whole frame of applications through Polars --------------------------

    def frame_schema(self) -> dict[str, pl.DataType]:
        return {k: columnar.polars_dtype(t) for k, t in self.types.items() if k in self.facts_used}

    def evaluate_frame(self, frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
        """One row per application with ``eligible``, ``amount``, ``score``, ``tier``, ``priority_groups``
        and ``failed`` (the keys of unmet requirements): the same as ``evaluate(...).summary()``."""
        lazy = frame.lazy()
        checks = [(~when.typed.expr | cond.typed.expr).alias(f"r_{rule.key}") for rule, when, cond in self.eligibility]
        lazy = lazy.with_columns(checks)
        eligible = pl.all_horizontal([pl.col(f"r_{r.key}") for r, _w, _c in self.eligibility])
        base: pl.Expr = pl.lit(0, dtype=pl.Int64)
        tier: pl.Expr = pl.lit("", dtype=pl.String)
        for t, when, value in reversed(self.tiers):  # first match wins: build the chain from the last tier
            base = pl.when(when.typed.expr).then(value.typed.expr).otherwise(base)
            tier = pl.when(when.typed.expr).then(pl.lit(t.key)).otherwise(tier)
        total = base
        for _t, when, value in self.top_ups:
            total = total + pl.when(when.typed.expr).then(value.typed.expr).otherwise(0)
        if self.cap is not None:
            total = pl.min_horizontal(total, self.cap.typed.expr)
        step = self.definition.amount.round_down_to
        total = pl.max_horizontal(total, pl.lit(0, dtype=pl.Int64))
        total = total - total % step
        score: pl.Expr = pl.lit(0, dtype=pl.Int64)
        for rule, when in self.score:
            score = score + pl.when(when.typed.expr).then(rule.points).otherwise(0)
        groups = pl.concat_list([pl.when(when.typed.expr).then(pl.lit(g.key)).otherwise(None)
                                 for g, when in self.priority]).list.drop_nulls() if self.priority \
            else pl.lit([], dtype=pl.List(pl.String))
        failed = pl.concat_list([pl.when(~pl.col(f"r_{r.key}")).then(pl.lit(r.key)).otherwise(None)
                                 for r, _w, _c in self.eligibility]).list.drop_nulls().list.sort()
        lazy = lazy.with_columns(eligible.alias("eligible")).with_columns(
            pl.when(pl.col("eligible")).then(total).otherwise(0).cast(pl.Int64).alias("amount"),
            score.cast(pl.Int64).alias("score"),
            pl.when(pl.col("eligible")).then(tier).otherwise(pl.lit("")).alias("tier"),
            groups.list.sort().alias("priority_groups"),
            failed.alias("failed"),
        )
        return lazy.collect()


def _finish_amount(total: int, step: int) -> int:
    total = max(total, 0)
    return total - total % step


def compile_rules(definition: Definition | Mapping[str, Any]) -> CompiledRules:
    if not isinstance(definition, Definition):
        definition = Definition.model_validate(definition)
    return CompiledRules(definition)
