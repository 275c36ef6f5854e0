"""The labelled set, its fixed split and the shipped artefact."""

from __future__ import annotations

from collections import Counter

import numpy as np

from dolbom.checkins.risk.dataset import SIGNALS, TRAIN, Example, fingerprint, load_test, load_train
from dolbom.checkins.risk.features import KIWI_CUTOFF, parse_many
from dolbom.checkins.risk.model import ARTEFACT, Model, fit


def test_the_set_is_large_and_the_split_is_disjoint():
    train, test = load_train(), load_test()
    assert len(train) + len(test) >= 1500
    assert {e.text for e in train}.isdisjoint({e.text for e in test})
    assert len({e.text for e in train}) == len(train)


def test_every_kind_and_plenty_of_small_talk_reach_the_test_split():
    test = load_test()
    for kind in SIGNALS:
        assert sum(e.labels[kind] > 0 for e in test) >= 10, kind
    assert sum(not any(e.labels.values()) for e in test) >= 80


def test_self_harm_and_emergency_are_only_ever_labelled_high():
    counts = Counter(
        (kind, e.labels[kind]) for e in load_train() + load_test() for kind in ("self_harm", "emergency")
    )
    assert {sev for (_, sev) in counts} <= {0, 3}


def test_the_shipped_model_was_trained_on_the_current_training_split():
    # If train.tsv changes, run `python -m dolbom.checkins.risk.train` and ship the new model.npz.
    assert Model.load(ARTEFACT).data_fingerprint == fingerprint([TRAIN])


def test_the_shipped_model_was_trained_with_the_current_analyser_settings():
    # Another kiwipiepy cutoff yields other morphemes; the analyser would retrain at first use.
    assert Model.load(ARTEFACT).kiwi_cutoff == KIWI_CUTOFF


def test_training_is_deterministic():
    examples: list[Example] = load_train()[:120]
    parsed = parse_many([e.text for e in examples])
    labels = np.array([[e.labels[k] for k in SIGNALS] for e in examples])
    a = fit(parsed, labels, steps=20)
    b = fit(parsed, labels, steps=20)
    assert a[0] == b[0]
    assert np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2])


def test_the_model_keeps_precision_and_recall_on_the_held_out_split():
    # Issue 5 asked for recall >= 0.95 at precision >= 0.7 per utterance on this split; the issue-5 model met
    # it by flagging 42% of benign lines, and on real calls flagged 97 of 100 (issue 12). The targets that
    # matter are per whole call at real base rates (bench/checkins.py on the development set); here both
    # precision and recall on utterances written to carry signals must stay high, neither bought by the other.
    from dolbom.checkins.risk.analyser import severities
    from dolbom.checkins.risk.metrics import report

    test = load_test()
    pred = severities(parse_many([e.text for e in test]))
    gold = np.array([[e.labels[k] for k in SIGNALS] for e in test])
    followup = report(pred, gold)["needs_followup"]
    assert followup.recall >= 0.85 and followup.precision >= 0.85


def test_nothing_is_downloaded_to_analyse(monkeypatch):
    import socket

    from dolbom.checkins.risk import features

    def refuse(*args, **kwargs):
        raise AssertionError("signal extraction tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(features, "_KIWI", None)  # load kiwipiepy's model afresh, offline
    monkeypatch.setattr(features, "_SHORT_TOKENS", {})  # and tokenise, not look up an earlier test's tokens
    assert parse_many(["허리가 아파요"])[0].clauses
