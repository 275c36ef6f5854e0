"""Train the shipped classifier: ``python -m dolbom.checkins.risk.train`` (or ``dolbom checkins train``).

Reads the training side only: ``data/train.tsv`` (labelled utterances), ``data/train_answers.tsv``
(short answers with the caller's line they answer) and ``data/train_calls.txt`` (whole calls, every
client turn labelled). The held-out
``data/test.tsv`` and any development set never influence the model.

The decision thresholds are chosen per kind by 5-fold cross-validation on the training side: a call
stays in one fold, so no fold is scored on turns of a call it was trained on. The labelled utterances
are written to carry signals, far more often than people do on a real call, so when thresholds are
chosen the utterances without a follow-up signal weigh as much as it takes to give the set the base
rate of the whole training calls: a threshold that looks precise on signal-rich lines would flag most
calls. The report printed at the end gives precision and recall on the held-out folds at the chosen
thresholds, per utterance and per whole training call. Deterministic: the same data gives the same
``model.npz``.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .dataset import (
    SIGNALS,
    TRAIN,
    TRAIN_ANSWERS,
    TRAIN_CALLS,
    Call,
    Example,
    fingerprint,
    load_answers,
    load_calls,
    load_train,
)
from .features import KIWI_CUTOFF, Parsed, parse_many
from .metrics import Score, score
from .model import ALWAYS_HIGH, ARTEFACT, Model, cue_matrix, fit

FOLDS = 5
GRID = (0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)
PRESENT_GRID = (0.3, 0.4, 0.5, 0.6, 0.7)
# F-beta of the follow-up decision per kind, recall weighted 1.5 times: the issue asks for recall of
# at least 0.95 per call, and a call usually shows a problem in more than one turn, so a turn-level
# recall somewhat below that still reaches it; weighting recall more than this flagged a quarter more
# routine training calls in cross-validation for no call found. With batches 16-18 of the training calls and the
# problem-naming question frame (930 calls), nested CV per call, call turns weighted 2: 1.5 -> P 0.85 R 0.94, 6.7
# false alerts per 100 routine calls; 1.75 -> P 0.83 R 0.95, 7.8; turns weighted 2.5: 2.0 -> P 0.78 R 0.95, 10.6.
F_BETA = 1.75
# Self-harm and emergency: a miss can cost a life, a false alarm costs a safety script that was not
# needed, so recall weighs four times (in cross-validation 3 missed more; above 4 nothing changed).
URGENT_BETA = 4.0
# The safety script's thresholds start at 0.05: with a few dozen acute training calls, a lower bar is set by
# one or two turns, and at 0.03 (chosen on batches 1-10) a plain "아니요 그런 적 없어요" to the caller's
# question about wanting to die or falling raised the emergency script.
URGENT_GRID = tuple(g for g in GRID if g >= 0.05)
# The whole-call rule's single-turn thresholds (``Model.single_threshold``) are chosen on whole training
# calls by F-beta of needs_followup per call, recall weighted twice: the issue asks for recall of at least
# 0.95 per call, and a threshold that trades a found call for fewer false alerts is not wanted.
CALL_BETA = 2.0
# The share of real calls that need follow-up (issue 12 measured 21 of 100 real calls). The training calls
# were written to teach follow-ups and have more of them, so when a threshold is chosen on whole calls the
# routine training calls weigh as much as it takes to give them this base rate: a threshold that looks
# precise among training calls would raise more false alerts on real ones.
CALL_BASE_RATE = 0.21
# The whole-call rule (a lone unsure medium counts as low) is used only if, in nested cross-validation on
# the whole training calls, it keeps the recall target per call and raises precision. Without it
# a medium in any turn makes the call need follow-up (its single-turn thresholds are the follow-up ones).
RULE_RECALL = 0.95
# The turns of whole training calls weigh this much in training, the labelled utterances 1: the turns are
# said as on a real call, amid small talk, the utterances were written to carry signals. Nested CV per call
# on the 539 calls: 1 -> P 0.80 R 0.96, 9.6 false alerts per 100 routine calls; 2 -> P 0.82 R 0.97, 8.6, false
# self-harm/emergency highs 0.8 -> 0.5; 3 -> P 0.83 R 0.95, 7.5, but one more acute call missed. On the 930
# calls of batches 1-18 with F_BETA 1.75: 2 -> P 0.83 R 0.95, 7.8, 44/44 acute calls at high; 2.5 -> P 0.83
# R 0.95, 7.6, but 43/44 (an acute call missed weighs more than 0.2 false alerts per 100).
CALL_TURN_WEIGHT = 2.0


@dataclass(frozen=True)
class Thresholds:
    present: np.ndarray  # (kinds,)
    followup: np.ndarray  # (kinds,)
    urgent: np.ndarray  # (kinds,), used for the always-high kinds without a cue
    urgent_cue: np.ndarray  # (kinds,), with a cue (features.danger_cues)
    single: np.ndarray | None = None  # (kinds,), the whole-call rule's; None: no medium is tentative


def training_examples() -> tuple[list[Example], list[Call], int]:
    """The labelled utterances and answers, then every client turn of the training calls; and how many
    come before the calls' turns."""
    utterances = load_train() + load_answers()
    calls = load_calls() if TRAIN_CALLS.exists() else []
    turns = [e for c in calls for e in c.examples()]
    return utterances + turns, calls, len(utterances)


def extra_fingerprint() -> str:
    """Of the training files beyond train.tsv (a test fails if the shipped model was made without them)."""
    return fingerprint([p for p in (TRAIN_ANSWERS, TRAIN_CALLS) if p.exists()])


def folds_of(examples: Sequence[Example]) -> np.ndarray:
    """Utterances round-robin; a call's turns all in the fold its id hashes to."""
    return np.array(
        [zlib.crc32(e.call.encode()) % FOLDS if e.call else i % FOLDS for i, e in enumerate(examples)],
        dtype=np.int64,
    )


def labels_of(examples: Sequence[Example]) -> np.ndarray:
    return np.array([[e.labels[k] for k in SIGNALS] for e in examples], dtype=np.int64).reshape(-1, len(SIGNALS))


def cross_validate(
    parsed: Sequence[Parsed], labels: np.ndarray, folds: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """(n, kinds, 4) probabilities, each from the model trained without the example's fold."""
    oof = np.zeros((len(parsed), len(SIGNALS), 4), dtype=np.float32)
    for f in range(FOLDS):
        tr, va = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
        if not len(va):
            continue
        vocab, w, b = fit([parsed[i] for i in tr], labels[tr], example_weight=None if weights is None else weights[tr])
        m = Model(vocab, w, b, np.full(len(SIGNALS), 0.5), np.full(len(SIGNALS), 0.5))
        oof[va] = m.probabilities([parsed[i] for i in va])
    return oof


def base_rate_weights(labels: np.ndarray, n_utterances: int) -> np.ndarray:
    """Per example: 1, except the utterances without a follow-up signal, which weigh so much that the
    utterance set's share of them equals that of the whole training calls' turns."""
    weights = np.ones(len(labels), dtype=np.float64)
    routine = ~(labels >= 2).any(axis=1)
    set_routine = routine[:n_utterances]
    call_routine = routine[n_utterances:]
    if call_routine.size and set_routine.any() and (~set_routine).any() and 0 < call_routine.mean() < 1:
        share = float(call_routine.mean())
        weights[:n_utterances][set_routine] = share / (1 - share) * (~set_routine).sum() / set_routine.sum()
    return weights


def _weighted_f(pred: np.ndarray, gold: np.ndarray, weights: np.ndarray, beta: float) -> float:
    tp = float(weights[pred & gold].sum())
    fp = float(weights[pred & ~gold].sum())
    fn = float(weights[~pred & gold].sum())
    if not tp:
        return 0.0
    p, r = tp / (tp + fp), tp / (tp + fn)
    return (1 + beta**2) * p * r / (beta**2 * p + r)


def choose_thresholds(
    oof: np.ndarray, labels: np.ndarray, weights: np.ndarray, content: np.ndarray, cues: np.ndarray
) -> Thresholds:
    k = len(SIGNALS)
    present = np.full(k, 0.5, dtype=np.float32)
    followup = np.full(k, 0.5, dtype=np.float32)
    urgent = np.full(k, 0.5, dtype=np.float32)
    urgent_cue = np.full(k, 0.5, dtype=np.float32)
    p_any = 1.0 - oof[:, :, 0]
    serious = oof[:, :, 2] + oof[:, :, 3]
    for i in range(k):
        if ALWAYS_HIGH[i]:
            gold = labels[:, i] > 0
            pairs = [(lo, hi) for lo in URGENT_GRID for hi in URGENT_GRID if lo <= hi]

            def f_urgent(pair: tuple[float, float], i: int = i, gold: np.ndarray = gold) -> tuple[float, float, float]:
                lo, hi = pair
                pred = (p_any[:, i] >= np.where(cues[:, i], lo, hi)) & content
                return (_weighted_f(pred, gold, weights, URGENT_BETA), hi, lo)

            urgent_cue[i], urgent[i] = max(pairs, key=f_urgent)
            continue
        gold = labels[:, i] >= 2
        followup[i] = max(GRID, key=lambda t: (_weighted_f((serious[:, i] >= t) & content, gold, weights, F_BETA), t))
        mentioned = labels[:, i] > 0
        present[i] = max(PRESENT_GRID, key=lambda t: (_weighted_f((p_any[:, i] >= t) & content, mentioned, weights, 1.0), t))
    return Thresholds(present=present, followup=followup, urgent=urgent, urgent_cue=urgent_cue)


def _decide(probs: np.ndarray, t: Thresholds, content: np.ndarray, cues: np.ndarray) -> np.ndarray:
    m = Model({}, np.zeros((0, 0)), np.zeros(0), t.present, t.followup, t.urgent, urgent_cue_threshold=t.urgent_cue)
    return np.where(content[:, None], m.decide(probs, cues), 0)


def _tentative(pred: np.ndarray, probs: np.ndarray, single: np.ndarray | None) -> np.ndarray:
    m = Model({}, np.zeros((0, 0)), np.zeros(0), np.zeros(0), np.zeros(0), single_threshold=single)
    return m.tentative(probs, pred)


def _call_row(pred: np.ndarray, tentative: np.ndarray | None) -> np.ndarray:
    """(kinds,) a call's severities from its turns' (turns, kinds): the worst, then the whole-call rule of
    ``combine_turns`` (a tentative medium that no other turn backs is low)."""
    if not len(pred):
        return np.zeros(len(SIGNALS), dtype=np.int64)
    row = pred.max(axis=0)
    if tentative is not None and (pred >= 2).any(axis=1).sum() < 2:
        firm = ((pred >= 2) & ~tentative).any(axis=0)
        row = np.where((row == 2) & ~firm, 1, row)
    return row


def _per_call(
    pred: np.ndarray, labels: np.ndarray, calls: Sequence[Call], start: int, tentative: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(calls, kinds) predicted (the whole-call rule applied when ``tentative`` is given) and labelled
    severity over each call's client turns."""
    p_rows, g_rows = [], []
    pos = start
    for c in calls:
        n = len(c.examples())
        p_rows.append(_call_row(pred[pos : pos + n], None if tentative is None else tentative[pos : pos + n]))
        g_rows.append(labels[pos : pos + n].max(axis=0) if n else np.zeros(len(SIGNALS), dtype=np.int64))
        pos += n
    shape = (len(calls), len(SIGNALS))
    return np.array(p_rows, dtype=np.int64).reshape(shape), np.array(g_rows, dtype=np.int64).reshape(shape)


def call_weights(gold: np.ndarray, base_rate: float | None = CALL_BASE_RATE) -> np.ndarray:
    """Per call: 1, except the routine calls, which weigh so much that the calls needing follow-up make up
    ``base_rate`` of the weighted set (None, or a set already at or below it: all 1)."""
    weights = np.ones(len(gold), dtype=np.float64)
    share = float(gold.mean()) if len(gold) else 0.0
    if base_rate is not None and base_rate < share < 1:
        weights[~gold] = share / (1 - share) * (1 - base_rate) / base_rate
    return weights


def choose_single(
    oof: np.ndarray, pred: np.ndarray, labels: np.ndarray, calls: Sequence[Call], start: int, followup: np.ndarray,
    base_rate: float | None = CALL_BASE_RATE,
) -> np.ndarray:
    """The whole-call rule's single-turn threshold per kind, by F-beta (``CALL_BETA``) of needs_followup
    over the held-out whole training calls, weighted to the real calls' base rate (``call_weights``); one
    pass of coordinate ascent in the order of SIGNALS, ties to the lower threshold (fewer mediums made
    tentative). Starts from the follow-up thresholds (no rule)."""
    single = np.asarray(followup, dtype=np.float32).copy()
    gold_rows = _per_call(pred, labels, calls, start)[1]
    weights = call_weights((gold_rows >= 2).any(axis=1), base_rate)

    def f_call(candidate: np.ndarray) -> float:
        cp, cg = _per_call(pred, labels, calls, start, _tentative(pred, oof, candidate))
        gold = (cg >= 2).any(axis=1)
        return _weighted_f((cp >= 2).any(axis=1), gold, weights, CALL_BETA)

    for i in range(len(SIGNALS)):
        if ALWAYS_HIGH[i]:
            continue
        options = [float(followup[i])] + [t for t in GRID if t > followup[i]] + [1.01]
        scored = []
        for t in options:
            trial = single.copy()
            trial[i] = t
            scored.append((f_call(trial), -t))
        single[i] = -max(scored)[1]
    return single


def choose_all(
    oof: np.ndarray, labels: np.ndarray, content: np.ndarray, cues: np.ndarray, calls: Sequence[Call],
    n_utterances: int, base_rate: float | None = CALL_BASE_RATE, rule: bool = True,
) -> Thresholds:
    """Every threshold from held-out probabilities: per kind on the utterances and turns, then the
    whole-call rule's on the whole calls (which follow the utterances in the arrays); ``rule=False``: no
    rule, the single-turn thresholds are the follow-up ones (no medium is tentative)."""
    t = choose_thresholds(oof, labels, base_rate_weights(labels, n_utterances), content, cues)
    if not calls or not rule:
        return Thresholds(t.present, t.followup, t.urgent, t.urgent_cue, t.followup.copy())
    single = choose_single(oof, _decide(oof, t, content, cues), labels, calls, n_utterances, t.followup, base_rate)
    return Thresholds(t.present, t.followup, t.urgent, t.urgent_cue, single)


def nested_per_call(
    oof: np.ndarray, labels: np.ndarray, content: np.ndarray, cues: np.ndarray, calls: Sequence[Call],
    n_utterances: int, folds: np.ndarray, base_rate: float | None = CALL_BASE_RATE, rule: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """(calls, kinds) predicted and labelled severities per whole training call, each call decided with
    thresholds chosen without its fold (``choose_all`` on the other folds' held-out probabilities): the
    thresholds are tuned on the same training calls, so the plain report, which applies thresholds chosen
    on every call, flatters them; this one does not."""
    sizes = [len(c.examples()) for c in calls]
    starts = n_utterances + np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if calls else []
    call_fold = np.array([folds[s] if n else -1 for s, n in zip(starts, sizes, strict=True)], dtype=np.int64)
    cp = np.zeros((len(calls), len(SIGNALS)), dtype=np.int64)
    cg = np.zeros((len(calls), len(SIGNALS)), dtype=np.int64)
    for f in range(FOLDS):
        keep = [i for i in range(len(calls)) if call_fold[i] != f]
        utt = np.flatnonzero(folds[:n_utterances] != f)
        idx = np.concatenate([utt] + [np.arange(starts[i], starts[i] + sizes[i]) for i in keep]).astype(np.int64)
        t = choose_all(oof[idx], labels[idx], content[idx], cues[idx], [calls[i] for i in keep], len(utt), base_rate, rule)
        for i in np.flatnonzero(call_fold == f):
            sl = slice(starts[i], starts[i] + sizes[i])
            pred = _decide(oof[sl], t, content[sl], cues[sl])
            cp[i] = _call_row(pred, _tentative(pred, oof[sl], t.single))
            cg[i] = labels[sl].max(axis=0)
    return cp, cg


def rule_pays(with_rule: tuple[np.ndarray, np.ndarray], without: tuple[np.ndarray, np.ndarray]) -> bool:
    """From nested per-call results: use the whole-call rule when it reaches ``RULE_RECALL`` and is more
    precise than no rule, or when neither reaches it and the rule finds as many calls."""
    def pr(cp: np.ndarray, cg: np.ndarray) -> tuple[float, float]:
        s = score((cp >= 2).any(axis=1), (cg >= 2).any(axis=1))
        return s.precision, s.recall

    (p1, r1), (p0, r0) = pr(*with_rule), pr(*without)
    if r1 >= RULE_RECALL:
        return r0 < RULE_RECALL or p1 > p0
    return r0 < RULE_RECALL and r1 >= r0 and p1 > p0


def call_summary(cp: np.ndarray, cg: np.ndarray) -> str:
    """needs_followup per call, false alerts and false self-harm/emergency highs per 100 routine calls."""
    pred, gold = (cp >= 2).any(axis=1), (cg >= 2).any(axis=1)
    routine = ~gold
    xe = [SIGNALS.index("self_harm"), SIGNALS.index("emergency")]
    false_high = ((cp[:, xe] == 3) & (cg[:, xe] < 3)).any(axis=1) & routine
    urgent = (cg[:, xe] == 3)
    found = ((cp[:, xe] == 3) & urgent).sum()
    n_routine = max(int(routine.sum()), 1)
    return (f"needs_followup {_fmt(score(pred, gold))}; false alerts per 100 routine calls "
            f"{100 * (pred & routine).sum() / n_routine:.1f}; false self-harm/emergency highs "
            f"{100 * false_high.sum() / n_routine:.1f}; self-harm/emergency high found {found}/{int(urgent.sum())}")


def _fmt(s: Score) -> str:
    return f"P {s.precision:.2f} R {s.recall:.2f} F1 {s.f1:.2f} (n={s.support})"


def report_lines(
    pred: np.ndarray, labels: np.ndarray, calls: Sequence[Call], n_utterances: int, t: Thresholds,
    tentative: np.ndarray | None = None,
) -> list[str]:
    """Precision and recall of medium-or-high (what raises an alert) on the held-out folds."""
    follow = pred >= 2
    gold = labels >= 2
    lines = ["cross-validated on the training side only (5 folds, a call in one fold):"]
    lines.append("  follow-up thresholds  " + "  ".join(
        f"{kind}={t.urgent_cue[i]:.2f} with a cue, {t.urgent[i]:.2f} without" if ALWAYS_HIGH[i] else f"{kind}={t.followup[i]:.2f}"
        for i, kind in enumerate(SIGNALS)))
    parts = (("labelled utterances and answers", slice(0, n_utterances)),
             ("training-call turns", slice(n_utterances, len(labels))))
    for name, sl in parts:
        if sl.stop - sl.start <= 0:
            continue
        lines.append(f"  per utterance, {name} ({sl.stop - sl.start}), medium or high:")
        for i, kind in enumerate(SIGNALS):
            lines.append(f"    {kind:14s} {_fmt(score(follow[sl, i], gold[sl, i]))}")
        lines.append(f"    {'needs_followup':14s} {_fmt(score(follow[sl].any(axis=1), gold[sl].any(axis=1)))}")
        routine = ~gold[sl].any(axis=1)
        if routine.any():
            lines.append(f"    false follow-ups per 100 utterances without one: {100 * follow[sl][routine].any(axis=1).mean():.1f}")
    if calls and tentative is not None and t.single is not None:
        lines.append("  whole-call rule, single-turn thresholds  " + "  ".join(
            f"{kind}={t.single[i]:.2f}" for i, kind in enumerate(SIGNALS) if not ALWAYS_HIGH[i]))
        cp, cg = _per_call(pred, labels, calls, n_utterances)
        lines.append(f"  per whole training call without the whole-call rule: needs_followup "
                     f"{_fmt(score((cp >= 2).any(axis=1), (cg >= 2).any(axis=1)))}")
    if calls:
        cp, cg = _per_call(pred, labels, calls, n_utterances, tentative)
        lines.append(f"  per whole training call ({len(calls)} calls, {int((cg >= 2).any(axis=1).sum())} need follow-up):")
        for i, kind in enumerate(SIGNALS):
            lines.append(f"    {kind:14s} {_fmt(score(cp[:, i] >= 2, cg[:, i] >= 2))}")
        lines.append(f"    {'needs_followup':14s} {_fmt(score((cp >= 2).any(axis=1), (cg >= 2).any(axis=1)))}")
        routine = ~(cg >= 2).any(axis=1)
        if routine.any():
            false_any = ((cp >= 2).any(axis=1) & routine).sum()
            xe = [SIGNALS.index("self_harm"), SIGNALS.index("emergency")]
            false_high = ((cp[:, xe] == 3) & (cg[:, xe] < 3)).any(axis=1) & routine
            lines.append(
                f"    false alerts per 100 routine calls: {100 * false_any / routine.sum():.1f}; "
                f"false self-harm/emergency highs: {100 * false_high.sum() / routine.sum():.1f}"
            )
    return lines


def error_lines(
    pred: np.ndarray, labels: np.ndarray, examples: Sequence[Example], calls: Sequence[Call], n_utterances: int,
    tentative: np.ndarray | None = None,
) -> list[str]:
    """The training calls that cross-validation got wrong, with the turns that decided it."""
    cp, cg = _per_call(pred, labels, calls, n_utterances, tentative)
    lines = ["held-out errors on whole training calls (missed follow-ups, false alerts):"]
    pos = n_utterances
    for c, p_row, g_row in zip(calls, cp, cg, strict=True):
        n = len(c.examples())
        missed, false = (g_row >= 2).any() and not (p_row >= 2).any(), (p_row >= 2).any() and not (g_row >= 2).any()
        if missed or false:
            lines.append(f"  {c.id}: {'missed' if missed else 'false alert'}")
            for i in range(pos, pos + n):
                if (pred[i] >= 2).any() or (labels[i] >= 2).any():
                    said = {SIGNALS[k]: int(pred[i, k]) for k in range(len(SIGNALS)) if pred[i, k]}
                    gold = {SIGNALS[k]: int(labels[i, k]) for k in range(len(SIGNALS)) if labels[i, k]}
                    lines.append(f"    {examples[i].text!r}: model {said or '-'}, label {gold or '-'}")
        pos += n
    return lines


def train(*, out: Path = ARTEFACT, verbose: bool = True, show_errors: bool = False) -> Model:
    started = time.perf_counter()
    examples, calls, n_utterances = training_examples()
    parsed = parse_many([e.text for e in examples], [e.context for e in examples])
    labels = labels_of(examples)
    content = np.array([p.has_content for p in parsed], dtype=bool)
    cues = cue_matrix(parsed)
    folds = folds_of(examples)
    weights = np.ones(len(examples), dtype=np.float32)
    weights[n_utterances:] = CALL_TURN_WEIGHT
    oof = cross_validate(parsed, labels, folds, weights)
    nested: dict[bool, tuple[np.ndarray, np.ndarray]] = {}
    use_rule = True
    if calls:
        nested = {r: nested_per_call(oof, labels, content, cues, calls, n_utterances, folds, rule=r) for r in (True, False)}
        use_rule = rule_pays(nested[True], nested[False])
    thresholds = choose_all(oof, labels, content, cues, calls, n_utterances, rule=use_rule)
    decided = _decide(oof, thresholds, content, cues)
    tentative = _tentative(decided, oof, thresholds.single)
    vocab, w, b = fit(parsed, labels, example_weight=weights)
    model = Model(
        vocab=vocab,
        weights=w,
        bias=b,
        present_threshold=thresholds.present,
        followup_threshold=thresholds.followup,
        urgent_threshold=thresholds.urgent,
        urgent_cue_threshold=thresholds.urgent_cue,
        single_threshold=thresholds.single,
        data_fingerprint=fingerprint([TRAIN]),
        kiwi_cutoff=KIWI_CUTOFF,
        extra_fingerprint=extra_fingerprint(),
    )
    model.save(out)
    if verbose:
        for line in report_lines(decided, labels, calls, n_utterances, thresholds, tentative):
            print(line, file=sys.stderr)
        for r, (cp, cg) in nested.items():
            print(f"  per whole training call, nested (thresholds chosen without the call's fold), "
                  f"{'with' if r else 'without'} the whole-call rule: {call_summary(cp, cg)}", file=sys.stderr)
        if nested:
            print(f"  whole-call rule {'used' if use_rule else 'not used'} (nested recall target {RULE_RECALL})", file=sys.stderr)
        if show_errors:
            for line in error_lines(decided, labels, examples, calls, n_utterances, tentative):
                print(line, file=sys.stderr)
        print(
            f"trained on {n_utterances} utterances and {len(examples) - n_utterances} turns of {len(calls)} calls, "
            f"{len(vocab)} features, in {time.perf_counter() - started:.1f}s -> {out}",
            file=sys.stderr,
        )
    return model


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ARTEFACT))
    parser.add_argument("--show-errors", action="store_true", help="list the training calls cross-validation got wrong")
    args = parser.parse_args(argv)
    train(out=Path(args.out), show_errors=args.show_errors)


if __name__ == "__main__":
    main()
