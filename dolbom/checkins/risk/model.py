"""A multi-head softmax classifier over sparse features, written in numpy.

One head per signal kind, four classes each (none, low, medium, high). Training is full-batch Adam
from zeros with a fixed number of steps, so the same data always gives the same weights. The shipped
artefact is ``model.npz`` next to this file, produced by ``python -m dolbom.checkins.risk.train``.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .dataset import SIGNALS
from .features import Parsed

N_CLASSES = 4
# Self-harm and an emergency always need a person now (issue 5): never reported as low or medium.
ALWAYS_HIGH = np.array([k in ("self_harm", "emergency") for k in SIGNALS])
ARTEFACT = Path(__file__).resolve().parent / "model.npz"


def cue_matrix(parsed: Sequence[Parsed]) -> np.ndarray:
    """(n, kinds) True where the utterance has a danger cue for the kind."""
    out = np.zeros((len(parsed), len(SIGNALS)), dtype=bool)
    for i, p in enumerate(parsed):
        for kind in p.cues:
            out[i, SIGNALS.index(kind)] = True
    return out


def all_features(p: Parsed) -> list[str]:
    out = list(p.features)
    for c in p.clauses:
        out.extend(c.features)
    return out


@dataclass
class Model:
    vocab: dict[str, int]
    weights: np.ndarray  # (n_features, n_kinds * 4) float32
    bias: np.ndarray  # (n_kinds * 4,)
    # Decision rule, tuned per kind by cross-validation on the training data only (see train.py).
    present_threshold: np.ndarray  # (n_kinds,) p(any severity) needed to report the kind as low
    # (n_kinds,) p(medium) + p(high) at which a kind is medium or high, i.e. needs follow-up.
    followup_threshold: np.ndarray | float
    # The same for self-harm and emergency, which can only be high: tuned apart because a past fall
    # that is over ("작년에 넘어졌는데 지금은 괜찮아요") must not page anyone.
    urgent_threshold: np.ndarray | float = 0.5  # per kind; only the always-high kinds use it
    data_fingerprint: str = ""  # of train.tsv
    # The analyser setting the features were made with (``features.KIWI_CUTOFF``): other settings
    # produce other morphemes, so a model is only valid with the one it was trained on.
    kiwi_cutoff: float = 8.0
    extra_fingerprint: str = ""  # of train_answers.tsv and train_calls.txt
    # The urgent threshold when the utterance has a cue for the kind (``features.danger_cues``): lower,
    # because a cue makes the danger plausible. Without a cue ``urgent_threshold`` applies.
    urgent_cue_threshold: np.ndarray | float = 0.5
    # The whole-call rule (``combine_turns``): a medium that one turn alone raises, below this p(medium) +
    # p(high), is tentative, and the call counts it only when another turn raises a follow-up signal too.
    # Per kind, by cross-validation on whole training calls; ``None`` (older files): the follow-up
    # threshold, i.e. no medium is tentative.
    single_threshold: np.ndarray | None = None
    # Analyses of short turns made with this model, (text, caller's line) -> result (``analyser.analyse_many``):
    # kept on the model so that another model never answers from them.
    # Not an argument: ``dataclasses.replace`` makes a model with other weights or thresholds and an empty memo.
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    # ---- inference -------------------------------------------------------------------------
    def encode(self, p: Parsed) -> tuple[list[int], list[list[int]]]:
        """The utterance's feature ids and, per clause, the clause's own; each id once (features are binary)."""
        get = self.vocab.get
        per_clause = []
        for c in p.clauses:
            found = dict.fromkeys(map(get, c.features))  # in first-seen order, like the features
            found.pop(None, None)  # features the model does not know
            per_clause.append(list(found))
        ids = {i for f in p.features if (i := get(f)) is not None}
        for c in per_clause:
            ids.update(c)
        return list(ids), per_clause

    def _row_sums(self, id_lists: Sequence[Sequence[int]]) -> np.ndarray:
        """(len(id_lists), kinds * 4): per list, the weight rows of its feature ids summed, in one pass."""
        out = np.zeros((len(id_lists), self.weights.shape[1]), dtype=np.float32)
        lengths = np.fromiter((len(ids) for ids in id_lists), dtype=np.int64, count=len(id_lists))
        nonempty = lengths > 0
        if nonempty.any():
            flat = np.fromiter(chain.from_iterable(id_lists), dtype=np.int64, count=int(lengths.sum()))
            starts = np.cumsum(lengths) - lengths
            out[nonempty] = np.add.reduceat(self.weights[flat], starts[nonempty], axis=0)
        return out

    def probabilities(self, parsed: Sequence[Parsed]) -> np.ndarray:
        """(n, kinds, 4) class probabilities."""
        return self.probabilities_of([self.encode(p)[0] for p in parsed])

    def probabilities_of(self, idx: Sequence[Sequence[int]]) -> np.ndarray:
        """``probabilities`` from the utterances' feature ids (see ``encode``)."""
        n = len(idx)
        rows = self._row_sums(idx)
        logits = (rows + self.bias).reshape(n, len(SIGNALS), N_CLASSES)
        logits -= logits.max(axis=2, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=2, keepdims=True)

    def decide(self, probs: np.ndarray, cues: np.ndarray | None = None) -> np.ndarray:
        """(n, kinds) severity index 0..3 from class probabilities.

        Medium or high (follow-up) exactly when p(medium) + p(high) reaches the kind's follow-up
        threshold, high when p(high) is the larger of the two; otherwise low when p(any) reaches the
        presence threshold. Self-harm and emergency are high when p(any) reaches their urgent
        threshold and never low or medium; ``cues`` (n, kinds) marks the utterances with a cue for
        the kind, which get the lower cue threshold. The thresholds are per kind because the kinds
        differ in how often they are mentioned in passing (health) and what a miss costs (self-harm).
        """
        n, n_kinds = probs.shape[0], len(SIGNALS)
        present_t = np.broadcast_to(np.asarray(self.present_threshold, dtype=np.float32), (n_kinds,))
        follow_t = np.broadcast_to(np.asarray(self.followup_threshold, dtype=np.float32), (n_kinds,))
        urgent_t = np.broadcast_to(np.asarray(self.urgent_threshold, dtype=np.float32), (n_kinds,))
        cue_t = np.broadcast_to(np.asarray(self.urgent_cue_threshold, dtype=np.float32), (n_kinds,))
        cued = np.zeros((n, n_kinds), dtype=bool) if cues is None else cues
        p_any = 1.0 - probs[:, :, 0]
        serious = probs[:, :, 2] + probs[:, :, 3]
        sev = np.where(p_any >= present_t[None, :], 1, 0)
        sev = np.where(serious >= follow_t[None, :], np.where(probs[:, :, 3] > probs[:, :, 2], 3, 2), sev)
        urgent = p_any >= np.where(cued, cue_t[None, :], urgent_t[None, :])
        return np.where(ALWAYS_HIGH[None, :], np.where(urgent, 3, 0), sev)

    def tentative(self, probs: np.ndarray, sev: np.ndarray) -> np.ndarray:
        """(n, kinds) True where the severity is medium and p(medium) + p(high) is below the kind's
        single-turn threshold: not enough alone to make a whole call need follow-up."""
        if self.single_threshold is None:
            return np.zeros(sev.shape, dtype=bool)
        single = np.broadcast_to(np.asarray(self.single_threshold, dtype=np.float32), (len(SIGNALS),))
        serious = probs[:, :, 2] + probs[:, :, 3]
        return (sev == 2) & ~ALWAYS_HIGH[None, :] & (serious < single[None, :])

    def clause_scores(self, per_clause: Sequence[Sequence[Sequence[int]]]) -> list[np.ndarray]:
        """Per utterance, (clauses, kinds * 4): what each clause's own features add to each class's score.

        Takes the per-clause ids from ``encode`` for a whole batch and sums them in one pass.
        """
        rows = self._row_sums([ids for clauses in per_clause for ids in clauses])
        ends = np.cumsum([len(clauses) for clauses in per_clause])
        return np.split(rows, ends[:-1]) if len(ends) else []

    # ---- persistence -----------------------------------------------------------------------
    def save(self, path: Path = ARTEFACT) -> None:
        """Written beside the target and renamed over it: a process that loads the shipped model while
        ``dolbom checkins train`` runs reads the old file or the new one, never half of one."""
        path = Path(path)
        names = np.array(sorted(self.vocab, key=self.vocab.__getitem__))
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".npz", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                self._savez(fh, names)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _savez(self, fh: BinaryIO, names: np.ndarray) -> None:
        np.savez_compressed(
            fh,
            names=names,
            weights=self.weights.astype(np.float16),
            bias=self.bias.astype(np.float32),
            present_threshold=np.broadcast_to(np.asarray(self.present_threshold, dtype=np.float32), ALWAYS_HIGH.shape),
            followup_threshold=np.broadcast_to(np.asarray(self.followup_threshold, dtype=np.float32), ALWAYS_HIGH.shape),
            urgent_threshold=np.broadcast_to(np.asarray(self.urgent_threshold, dtype=np.float32), ALWAYS_HIGH.shape),
            urgent_cue_threshold=np.broadcast_to(
                np.asarray(self.urgent_cue_threshold, dtype=np.float32), ALWAYS_HIGH.shape
            ),
            single_threshold=np.broadcast_to(
                np.asarray(self.followup_threshold if self.single_threshold is None else self.single_threshold,
                           dtype=np.float32), ALWAYS_HIGH.shape),
            data_fingerprint=np.array(self.data_fingerprint),
            extra_fingerprint=np.array(self.extra_fingerprint),
            kiwi_cutoff=np.array(self.kiwi_cutoff, dtype=np.float32),
        )

    @classmethod
    def load(cls, path: Path = ARTEFACT) -> Model:
        with np.load(path, allow_pickle=False) as z:
            names = [str(x) for x in z["names"]]
            return cls(
                vocab={name: i for i, name in enumerate(names)},
                weights=z["weights"].astype(np.float32),
                bias=z["bias"],
                present_threshold=z["present_threshold"],
                followup_threshold=z["followup_threshold"],
                urgent_threshold=z["urgent_threshold"],
                urgent_cue_threshold=z["urgent_cue_threshold"] if "urgent_cue_threshold" in z else z["urgent_threshold"],
                single_threshold=z["single_threshold"] if "single_threshold" in z else None,
                data_fingerprint=str(z["data_fingerprint"]),
                kiwi_cutoff=float(z["kiwi_cutoff"]) if "kiwi_cutoff" in z else 8.0,
                extra_fingerprint=str(z["extra_fingerprint"]) if "extra_fingerprint" in z else "",
            )


# ---- training ---------------------------------------------------------------------------------
def build_vocab(parsed: Sequence[Parsed], min_count: int = 2) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for p in parsed:
        counts.update(set(all_features(p)))
    kept = sorted(f for f, c in counts.items() if c >= min_count)
    return {f: i for i, f in enumerate(kept)}


class Design:
    """The binary design matrix in both row- and column-sorted coordinate form.

    Dense would be n × vocabulary (mostly zeros) and make training a hundred times slower on the
    shared two-core machines; both products the optimiser needs are segment sums here.
    """

    def __init__(self, parsed: Sequence[Parsed], vocab: dict[str, int]) -> None:
        rows: list[int] = []
        cols: list[int] = []
        for i, p in enumerate(parsed):
            idx = sorted({vocab[f] for f in all_features(p) if f in vocab})
            rows.extend([i] * len(idx))
            cols.extend(idx)
        self.n, self.f = len(parsed), len(vocab)
        r, c = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
        self.r_rows, self.r_cols = r, c  # sorted by row
        self.r_ptr, self.r_ids = _segments(r)
        order = np.argsort(c, kind="stable")
        self.c_rows, self.c_cols = r[order], c[order]
        self.c_ptr, self.c_ids = _segments(self.c_cols)

    def dot(self, w: np.ndarray) -> np.ndarray:  # x @ w
        out = np.zeros((self.n, w.shape[1]), dtype=np.float32)
        out[self.r_ids] = np.add.reduceat(w[self.r_cols], self.r_ptr, axis=0)
        return out

    def tdot(self, g: np.ndarray) -> np.ndarray:  # x.T @ g
        out = np.zeros((self.f, g.shape[1]), dtype=np.float32)
        out[self.c_ids] = np.add.reduceat(g[self.c_rows], self.c_ptr, axis=0)
        return out


def _segments(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else np.zeros(0, dtype=np.int64)
    return starts, keys[starts]


def fit(
    parsed: Sequence[Parsed],
    labels: np.ndarray,  # (n, kinds) ints 0..3
    *,
    steps: int = 200,
    lr: float = 0.1,
    l2: float = 3e-4,  # chosen by 4-fold cross-validation on the training split (3e-4 to 1e-2 tried)
    positive_weight: float = 2.0,
    example_weight: np.ndarray | None = None,  # (n,) per example, e.g. more for turns of whole calls
) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    vocab = build_vocab(parsed)
    x = Design(parsed, vocab)
    n, k = labels.shape
    y = np.zeros((n, k, N_CLASSES), dtype=np.float32)
    y[np.arange(n)[:, None], np.arange(k)[None, :], labels] = 1.0
    # A missed medium/high costs more than a false alarm: the case manager reads the alert anyway.
    sample_w = np.where(labels >= 2, positive_weight, 1.0).astype(np.float32)[:, :, None]
    if example_weight is not None:
        sample_w = sample_w * np.asarray(example_weight, dtype=np.float32)[:, None, None]
    w = np.zeros((x.f, k * N_CLASSES), dtype=np.float32)
    b = np.zeros(k * N_CLASSES, dtype=np.float32)
    mw, vw = np.zeros_like(w), np.zeros_like(w)
    mb, vb = np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        logits = (x.dot(w) + b).reshape(n, k, N_CLASSES)
        logits -= logits.max(axis=2, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=2, keepdims=True)
        g = ((p - y) * sample_w).reshape(n, k * N_CLASSES) / n
        gw = x.tdot(g) + l2 * w
        gb = g.sum(axis=0)
        mw = beta1 * mw + (1 - beta1) * gw
        vw = beta2 * vw + (1 - beta2) * gw * gw
        mb = beta1 * mb + (1 - beta1) * gb
        vb = beta2 * vb + (1 - beta2) * gb * gb
        scale = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
        w -= scale * mw / (np.sqrt(vw) + eps)
        b -= scale * mb / (np.sqrt(vb) + eps)
    return vocab, w, b
