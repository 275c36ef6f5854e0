"""Precision, recall and F1 per signal kind and for ``needs_followup``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dataset import SIGNALS


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    support: int


def score(pred: np.ndarray, gold: np.ndarray) -> Score:
    pred, gold = pred.astype(bool), gold.astype(bool)
    tp = int((pred & gold).sum())
    fp = int((pred & ~gold).sum())
    fn = int((~pred & gold).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Score(p, r, f, int(gold.sum()))


def report(pred: np.ndarray, gold: np.ndarray) -> dict[str, Score]:
    """pred, gold: (n, kinds) severity 0..3. A kind counts as found at any severity."""
    out = {kind: score(pred[:, i] > 0, gold[:, i] > 0) for i, kind in enumerate(SIGNALS)}
    out["needs_followup"] = score((pred >= 2).any(axis=1), (gold >= 2).any(axis=1))
    return out


def severity_agreement(pred: np.ndarray, gold: np.ndarray) -> float:
    """Share of (utterance, kind) pairs where the gold kind is present and the severity matches."""
    mask = gold > 0
    return float((pred[mask] == gold[mask]).mean()) if mask.any() else 0.0
