"""The analyser behind ``analyse_utterance`` and ``analyse_turns``."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .dataset import SEVERITIES, SIGNALS
from .features import KIWI_CUTOFF, Parsed, keep, lookup, parse_many
from .model import ALWAYS_HIGH, ARTEFACT, N_CLASSES, Model, cue_matrix

SELF_HARM, EMERGENCY = SIGNALS.index("self_harm"), SIGNALS.index("emergency")
_MODEL: Model | None = None
_LOCK = threading.Lock()


def model() -> Model:
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                shipped = Model.load(ARTEFACT) if ARTEFACT.exists() else None
                if shipped is not None and shipped.kiwi_cutoff == KIWI_CUTOFF:
                    _MODEL = shipped
                else:  # no artefact, or one made with other analyser settings: train, deterministically
                    from .train import train

                    _MODEL = train(verbose=False)
    return _MODEL


def use_model(path: Path | str | None) -> Model:
    """Analyse with the model file at ``path`` from now on (``dolbom checkins train --out`` writes one),
    in this process; ``None`` goes back to the shipped model. Refuses a file made with other analyser
    settings, which would read other morphemes than it was trained on."""
    global _MODEL
    if path is None:
        with _LOCK:
            _MODEL = None
        return model()
    loaded = Model.load(Path(path))
    if loaded.kiwi_cutoff != KIWI_CUTOFF:
        raise ValueError(f"{path}: made with kiwi_cutoff {loaded.kiwi_cutoff}, the analyser uses {KIWI_CUTOFF}")
    with _LOCK:
        _MODEL = loaded
    return loaded


def _evidence(p: Parsed, scores: np.ndarray, kind: int, cls: int) -> list[str]:
    """The clause or two whose words push this kind towards the reported severity the most."""
    if not p.clauses:
        return [p.text.strip()] if p.text.strip() else []
    margins = scores[:, kind * N_CLASSES + cls] - scores[:, kind * N_CLASSES]
    best = int(np.argmax(margins))
    picked = [i for i, v in enumerate(margins) if v > 0 and v >= 0.6 * margins[best]] or [best]
    return [p.text[p.clauses[i].start : p.clauses[i].end].strip() for i in picked[:2]]


def severities(parsed: Sequence[Parsed], ids: Sequence[Sequence[int]] | None = None) -> np.ndarray:
    """(n, kinds) severity 0..3: the model's decision, then the rules that hold whatever it learned."""
    return severities_and_tentative(parsed, ids)[0]


def severities_and_tentative(
    parsed: Sequence[Parsed], ids: Sequence[Sequence[int]] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``severities``, and (n, kinds) True where a medium is tentative (``Model.tentative``)."""
    m = model()
    probs = m.probabilities(parsed) if ids is None else m.probabilities_of(ids)
    pred = m.decide(probs, cue_matrix(parsed))
    pred = np.where(ALWAYS_HIGH[None, :] & (pred > 0), 3, pred)
    past = np.array([p.resolved_past for p in parsed], dtype=bool).reshape(len(parsed))
    if past.any():
        capped = np.minimum(pred[past], 1)
        capped[:, SELF_HARM] = pred[past][:, SELF_HARM]  # talk of self-harm is never discounted
        capped[:, EMERGENCY] = 0
        pred[past] = capped
    pred[np.array([not p.has_content for p in parsed], dtype=bool)] = 0
    return pred, m.tentative(probs, pred)


# Severity per kind, evidence spans per kind, and the kinds whose medium is tentative (``Model.tentative``).
Result = tuple[dict[str, str | None], dict[str, list[str]], frozenset[str]]


# Short turns ("네", "그려", "잘 자요") recur across the batches of a week's calls after the same few
# questions; their analyses are kept on the model that made them (``Model.memo``), at most this many.
# Long turns are nearly all distinct, and keeping them would only hold memory.
SHORT_CHARS = 12
MEMO_SIZE = 8192


def _short(text: str) -> bool:
    return len(text) <= SHORT_CHARS or len(_NOT_COUNTED.sub("", text)) <= SHORT_CHARS


_NOT_COUNTED = re.compile(r"[\s.,!?~…]+")


def _copy(r: Result) -> Result:
    """A result the caller may change without changing the kept one."""
    return {**r[0]}, {kind: list(v) for kind, v in r[1].items()}, r[2]


def analyse_many(texts: Sequence[str], contexts: Sequence[str] | None = None) -> list[Result]:
    """Per text: severity per kind, the evidence spans and the tentative kinds. Texts are tokenised in one batch.

    ``contexts``: per text, the caller's line it answers, or "" (a short answer like "네" means
    nothing alone and much after "혹시 죽고 싶다는 생각이 드신 적 있으세요?").

    Each distinct (text, context) is analysed once: a week's calls repeat "네", "예 괜찮아요" and
    "고마워요" thousands of times after the same few questions, and the analysis of a text does not
    depend on anything else. Short ones are kept for later batches too (``SHORT_CHARS``).
    """
    ctx = [c or "" for c in contexts] if contexts is not None else [""] * len(texts)
    if len(ctx) != len(texts):
        raise ValueError("one context per text")
    m = model()
    memo = m.memo
    keys = list(zip(texts, ctx, strict=True))
    done, todo = lookup(memo, keys)
    if todo:
        fresh = _analyse_distinct([t for t, _ in todo], [c for _, c in todo])
        done.update(zip(todo, fresh, strict=True))
        keep(memo, ((k, r) for k, r in zip(todo, fresh, strict=True) if _short(k[0])), MEMO_SIZE)
    return [_copy(done[k]) for k in keys]


def _analyse_distinct(texts: Sequence[str], contexts: Sequence[str]) -> list[Result]:
    parsed = parse_many(texts, contexts)
    m = model()
    encoded = [m.encode(p) for p in parsed]
    pred, tentative = severities_and_tentative(parsed, [ids for ids, _ in encoded])
    flagged = [i for i, row in enumerate(pred) if row.any()]
    scores = m.clause_scores([encoded[i][1] for i in flagged])
    by_text = dict(zip(flagged, scores, strict=True))
    out: list[Result] = []
    for n, (p, row) in enumerate(zip(parsed, pred, strict=True)):
        signals: dict[str, str | None] = {}
        evidence: dict[str, list[str]] = {}
        clause_scores = by_text.get(n)
        for i, kind in enumerate(SIGNALS):
            sev = int(row[i])
            signals[kind] = SEVERITIES[sev]
            evidence[kind] = _evidence(p, clause_scores, i, sev) if sev and clause_scores is not None else []
        out.append((signals, evidence, frozenset(SIGNALS[i] for i in np.flatnonzero(tentative[n]))))
    return out
