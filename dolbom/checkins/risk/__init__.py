"""Korean risk-signal extraction for check-in calls.

What an older person says on a check-in call becomes, per kind of risk, a severity and the words that
show it. kiwipiepy analyses the morphology (its model ships in the kiwipiepy_model wheel, nothing is
downloaded); a numpy classifier over morpheme, concept and character features, with negation and
time scoped to the clause, decides. It is trained by ``python -m dolbom.checkins.risk.train`` on
``dolbom/checkins/data/train.tsv`` and shipped as ``signals/model.npz`` (deterministic; retrained at
first use only if the file is missing). It never depends on a language model being up.

Severity: low = mentioned but mild or already over; medium = an ongoing problem the case manager
should know; high = a person must act soon. Self-harm and emergency are always high.
"""

from __future__ import annotations

from dataclasses import dataclass
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

    def found(self) -> list[Signal]:
        """Signals present, most severe first."""
        out = [
            Signal(kind=kind, severity=sev, evidence=(self.evidence.get(kind) or [""])[0])
            for kind in SIGNALS
            if (sev := self.signals.get(kind)) is not None
        ]
        return sorted(out, key=lambda s: -_RANK[s.severity])


def _analysis(signals: dict, evidence: dict) -> Analysis:
    return Analysis(
        signals=signals,
        evidence=evidence,
        needs_followup=any(_RANK[s] >= 2 for s in signals.values()),
    )


def analyse_utterance(text: str) -> Analysis:
    from .analyser import analyse_many

    signals, evidence = analyse_many([text])[0]
    return _analysis(signals, evidence)


def analyse_turns(turns: list[dict]) -> Analysis:
    """Only the user's turns count (the caller's questions mention pain too); max severity per kind."""
    return analyse_calls([turns])[0]


def analyse_calls(calls: list[list[dict]]) -> list[Analysis]:
    """``analyse_turns`` for many calls, with every user turn tokenised in one batch (much faster)."""
    from .analyser import analyse_many

    per_call = [
        [text for t in turns if t.get("role") == "user" and (text := str(t.get("text") or "")).strip()]
        for turns in calls
    ]
    flat = analyse_many([text for texts in per_call for text in texts])
    out: list[Analysis] = []
    pos = 0
    for texts in per_call:
        signals: dict[str, Severity | None] = dict.fromkeys(SIGNALS)
        evidence: dict[str, list[str]] = {k: [] for k in SIGNALS}
        for sig, ev in flat[pos : pos + len(texts)]:
            for kind in SIGNALS:
                if _RANK[sig[kind]] > _RANK[signals[kind]]:
                    signals[kind] = sig[kind]
                evidence[kind].extend(span for span in ev[kind] if span not in evidence[kind])
        pos += len(texts)
        out.append(_analysis(signals, evidence))
    return out


__all__ = ["SIGNALS", "Analysis", "Severity", "Signal", "analyse_calls", "analyse_turns", "analyse_utterance"]
