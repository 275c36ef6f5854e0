"""Korean risk-signal extraction for check-in calls.

What an older person says on a check-in call becomes, per kind of risk, a severity and the words that
show it. kiwipiepy analyses the morphology (its model ships in the kiwipiepy_model wheel, nothing is
downloaded); a numpy classifier over morpheme, concept and character features, with negation and
time scoped to the clause, decides. It is trained by ``python -m dolbom.checkins.risk.train`` on
``dolbom/checkins/data/train.tsv`` and the whole calls of ``train_calls.txt``, with thresholds per kind
chosen by cross-validation at the base rate of real calls, and shipped as ``risk/model.npz``
(deterministic; retrained at first use only if the file is missing). A client's turn is read with the
caller's line before it when that is known. It never depends on a language model being up.

Severity: low = mentioned but mild or already over; medium = an ongoing problem the case manager
should know; high = a person must act soon. Self-harm and emergency are always high.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

SIGNALS = ("health", "sleep", "meals", "mood", "self_harm", "emergency", "daily_living")
Severity = Literal["low", "medium", "high"]
_RANK = {None: 0, "low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True)
class Signal:
    kind: str  # one of SIGNALS
    severity: Severity
    evidence: str  # the words that show it (a span of the utterance)


@dataclass(frozen=True)
class Analysis:
    signals: dict[str, Severity | None]  # every kind present as a key
    evidence: dict[str, list[str]]
    needs_followup: bool  # any medium or high
    # Kinds at medium in this turn that a whole call counts only with another follow-up signal in another
    # turn (``combine_turns``): the model is not sure enough of them alone. Empty: every medium counts.
    tentative: frozenset[str] = field(default=frozenset())

    def found(self) -> list[Signal]:
        """Signals present, most severe first."""
        out = [
            Signal(kind=kind, severity=sev, evidence=(self.evidence.get(kind) or [""])[0])
            for kind in SIGNALS
            if (sev := self.signals.get(kind)) is not None
        ]
        return sorted(out, key=lambda s: -_RANK[s.severity])


def _analysis(signals: dict, evidence: dict, tentative: frozenset[str] = frozenset()) -> Analysis:
    return Analysis(
        signals=signals,
        evidence=evidence,
        needs_followup=any(_RANK[s] >= 2 for s in signals.values()),
        tentative=tentative,
    )


def combine_turns(turns: Sequence[Analysis]) -> Analysis:
    """A whole call from its client turns: the worst of each kind, then the whole-call rule.

    The rule: a call needs follow-up on one high, on one medium the model is sure of, or on follow-up
    signals in two different turns. A medium that one turn raises tentatively (``Analysis.tentative``)
    and that no other turn backs with any follow-up signal is reported as low: on real calls most
    single, unsure mediums are a passing ache or a bad night that the person handles. Self-harm and
    emergency are never tentative.
    """
    signals: dict[str, Severity | None] = dict.fromkeys(SIGNALS)
    evidence: dict[str, list[str]] = {k: [] for k in SIGNALS}
    firm: set[str] = set()
    raising = 0  # turns with a medium or high of any kind
    for a in turns:
        serious = [k for k in SIGNALS if _RANK[a.signals.get(k)] >= 2]
        raising += bool(serious)
        firm.update(k for k in serious if k not in a.tentative)
        for kind in SIGNALS:
            if _RANK[a.signals.get(kind)] > _RANK[signals[kind]]:
                signals[kind] = a.signals.get(kind)
            evidence[kind].extend(span for span in a.evidence.get(kind, []) if span not in evidence[kind])
    if raising < 2:
        for kind in SIGNALS:
            if signals[kind] == "medium" and kind not in firm:
                signals[kind] = "low"
    return _analysis(signals, evidence)


def analyse_utterance(text: str, previous_caller_line: str | None = None) -> Analysis:
    """One client turn. ``previous_caller_line``: what the caller said just before, if known; it gives
    a short answer its meaning ("네" to "잠은 잘 주무세요?" is nothing, to "혹시 죽고 싶다는 생각이
    드신 적 있으세요?" it is self-harm)."""
    from .analyser import analyse_many

    signals, evidence, tentative = analyse_many([text], [previous_caller_line or ""])[0]
    return _analysis(signals, evidence, tentative)


def use_model(path: str | Path | None) -> None:
    """Analyse with the model file at ``path`` from now on, in this process (``None``: the shipped one)."""
    from .analyser import use_model as _use

    _use(path)


def analyse_turns(turns: list[dict]) -> Analysis:
    """Only the user's turns count (the caller's questions mention pain too); max severity per kind.
    Each user turn is read with the caller's line before it."""
    return analyse_calls([turns])[0]


def client_turns(turns: list[dict]) -> list[tuple[str, str]]:
    """(client text, the caller's last line before it) for each non-empty user turn."""
    out: list[tuple[str, str]] = []
    last_caller = ""
    for t in turns:
        text = str(t.get("text") or "")
        if t.get("role") == "user":
            if text.strip():
                out.append((text, last_caller))
        else:
            last_caller = text
    return out


def analyse_calls(calls: list[list[dict]]) -> list[Analysis]:
    """``analyse_turns`` for many calls, with every user turn tokenised in one batch (much faster).

    A call's signals are those of ``combine_turns`` over the client's turns, each turn read with the
    caller's line before it: the worst of each kind, a lone tentative medium lowered to low.
    """
    from .analyser import analyse_many

    per_call = [client_turns(turns) for turns in calls]
    flat = analyse_many([text for pairs in per_call for text, _ in pairs], [ctx for pairs in per_call for _, ctx in pairs])
    out: list[Analysis] = []
    pos = 0
    for pairs in per_call:
        out.append(combine_turns([_analysis(*r) for r in flat[pos : pos + len(pairs)]]))
        pos += len(pairs)
    return out


__all__ = [
    "SIGNALS", "Analysis", "Severity", "Signal", "analyse_calls", "combine_turns", "analyse_turns", "analyse_utterance", "client_turns",
    "use_model",
]
