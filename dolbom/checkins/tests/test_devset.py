"""The development set of whole calls: its format, its labels, its base rates, and its distance from
the training data (the set measures the model, so no call may be copied from what the model learnt)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from dolbom.checkins.devset import CALLS, LEVELS, DevSetError, load_calls
from dolbom.checkins.risk import SIGNALS
from dolbom.checkins.risk.dataset import DATA_DIR

# The ranges GUIDELINE.md states; real check-in calls are mostly small talk.
FOLLOWUP_SHARE = (0.17, 0.24)
ACUTE_SHARE = (0.03, 0.05)
# Turns shorter than this (spaces and punctuation removed) are everyday replies ("네, 그래요", "잘 먹어")
# that any two sets of calls share; only longer turns can be evidence of copying. The caller's stock
# lines ("다음 주에 또 전화드릴게요", "언제부터 그러셨어요?") are the formulae of every AI check-in service
# and are only ever the context of a client's answer, so for them only a long line counts as a copy. (The
# opening "안녕하세요, 어르신. 오늘 하루 어떻게 보내셨어요?", 20 letters, was written by both hands.)
MIN_COPY_CHARS = {"client": 10, "caller": 30}


@pytest.fixture(scope="module")
def calls():
    return load_calls()


def test_the_set_parses_and_holds_at_least_320_calls_with_unique_ids(calls):
    assert len(calls) >= 320
    assert len({c.id for c in calls}) == len(calls)
    assert all(6 <= len(c.turns) <= 20 for c in calls)
    assert all(c.turns[0].speaker == "caller" for c in calls)  # the AI caller always opens


def test_every_label_is_valid_and_follows_the_issue_5_rule(calls):
    for c in calls:
        assert set(c.signals) == set(SIGNALS), c.id
        assert all(level in LEVELS for level in c.signals.values()), c.id
        assert c.needs_followup == any(level in ("medium", "high") for level in c.signals.values()), c.id
        assert set(c.why) == {k for k, v in c.signals.items() if v != "none"}, c.id


def test_the_base_rates_look_like_real_calls(calls):
    n = len(calls)
    followup = sum(c.needs_followup for c in calls) / n
    acute = sum(c.acute for c in calls) / n
    assert FOLLOWUP_SHARE[0] <= followup <= FOLLOWUP_SHARE[1], followup
    assert ACUTE_SHARE[0] <= acute <= ACUTE_SHARE[1], acute
    # Most mentions are mild: low outnumbers medium and high together for health, the commonest kind.
    health = Counter(c.signals["health"] for c in calls)
    assert health["low"] > health["medium"] + health["high"]


def test_self_harm_and_emergency_have_positives_to_measure_recall_on(calls):
    for kind in ("self_harm", "emergency"):
        assert sum(c.signals[kind] == "high" for c in calls) >= 3, kind


def test_no_two_calls_are_the_same_text(calls):
    texts = ["\n".join(t.text for t in c.turns) for c in calls]
    assert len(set(texts)) == len(texts)


def _squash(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text)


def test_no_call_text_appears_in_the_training_files(calls):
    # Reads every text file the risk model is trained or tested from, so that the set stays apart even
    # when more training files are added. A failure names the training file and line that holds a copy, never
    # the development set's text: whoever writes training data must not read the calls it is judged on.
    files = [p for p in sorted(Path(DATA_DIR).rglob("*")) if p.is_file() and p.suffix != ".md"]
    assert files, "no training files found"
    lines = [(f"{p.name}:{i}", _squash(line)) for p in files
             for i, line in enumerate(p.read_text(encoding="utf-8", errors="ignore").splitlines(), 1)]
    corpus = "\n".join(text for _where, text in lines)
    dev = [s for c in calls for t in c.turns if len(s := _squash(t.text)) >= MIN_COPY_CHARS[t.speaker]]
    copied = [s for s in dev if s in corpus]
    where = sorted({w for s in copied for w, text in lines if s in text})
    n_copied = len(copied)
    assert n_copied == 0, f"{n_copied} development turns copied in the training files at {where}"


def _write(tmp_path: Path, record: dict) -> Path:
    path = tmp_path / "calls.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _record() -> dict:
    first = json.loads(CALLS.read_text(encoding="utf-8").splitlines()[0])
    return {**first, "signals": dict.fromkeys(SIGNALS, "none"), "why": {}, "needs_followup": False}


def test_it_refuses_a_call_whose_followup_contradicts_its_signals(tmp_path):
    record = _record()
    record["signals"]["sleep"] = "medium"
    record["why"] = {"sleep": "몇 주째 잠을 못 잠"}
    with pytest.raises(DevSetError, match="needs_followup must be True"):
        load_calls(_write(tmp_path, record))


def test_it_refuses_an_unknown_level_or_a_missing_reason(tmp_path):
    record = _record()
    record["signals"]["mood"] = "severe"
    with pytest.raises(DevSetError, match="levels are one of"):
        load_calls(_write(tmp_path, record))
    record = _record()
    record["signals"]["meals"] = "low"
    with pytest.raises(DevSetError, match="'why' has one line"):
        load_calls(_write(tmp_path, record))


def test_it_refuses_a_call_that_is_too_short(tmp_path):
    record = _record()
    record["turns"] = record["turns"][:3]
    with pytest.raises(DevSetError, match="turns"):
        load_calls(_write(tmp_path, record))
