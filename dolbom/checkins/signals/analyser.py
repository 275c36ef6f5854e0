"""The analyser behind ``analyse_utterance`` and ``analyse_turns``."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from .dataset import SEVERITIES, SIGNALS
from .features import Parsed, parse_many
from .model import ALWAYS_HIGH, ARTEFACT, N_CLASSES, Model

SELF_HARM, EMERGENCY = SIGNALS.index("self_harm"), SIGNALS.index("emergency")
_MODEL: Model | None = None
_LOCK = threading.Lock()


def model() -> Model:
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                if ARTEFACT.exists():
                    _MODEL = Model.load(ARTEFACT)
                else:  # a source checkout without the artefact: train it, deterministically
                    from .train import train

                    _MODEL = train(verbose=False)
    return _MODEL


def _evidence(p: Parsed, scores: np.ndarray, kind: int, cls: int) -> list[str]:
    """The clause or two whose words push this kind towards the reported severity the most."""
    if not p.clauses:
        return [p.text.strip()] if p.text.strip() else []
    margins = scores[:, kind * N_CLASSES + cls] - scores[:, kind * N_CLASSES]
    best = int(np.argmax(margins))
    picked = [i for i, v in enumerate(margins) if v > 0 and v >= 0.6 * margins[best]] or [best]
    return [p.text[p.clauses[i].start : p.clauses[i].end].strip() for i in picked[:2]]


def severities(parsed: Sequence[Parsed]) -> np.ndarray:
    m = model()
    pred = m.decide(m.probabilities(parsed))
    pred = np.where(ALWAYS_HIGH[None, :] & (pred > 0), 3, pred)
    past = np.array([p.resolved_past for p in parsed], dtype=bool)
    if past.any():
        capped = np.minimum(pred[past], 1)
        capped[:, SELF_HARM] = pred[past][:, SELF_HARM]  # talk of self-harm is never discounted
        capped[:, EMERGENCY] = 0
        pred[past] = capped
    return pred


def analyse_many(texts: Sequence[str]) -> list[tuple[dict[str, str | None], dict[str, list[str]]]]:
    """Per text: severity per kind and the evidence spans. Texts are tokenised in one batch."""
    parsed = parse_many(texts)
    m = model()
    pred = severities(parsed)
    out = []
    for p, row in zip(parsed, pred, strict=True):
        signals: dict[str, str | None] = {}
        evidence: dict[str, list[str]] = {}
        scores = m.clause_scores(p) if row.any() else None
        for i, kind in enumerate(SIGNALS):
            sev = int(row[i])
            signals[kind] = SEVERITIES[sev]
            evidence[kind] = _evidence(p, scores, i, sev) if sev and scores is not None else []
        out.append((signals, evidence))
    return out
