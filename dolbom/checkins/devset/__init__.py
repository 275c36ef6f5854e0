"""The development set of whole check-in calls (issue 12).

``calls.jsonl`` holds multi-turn calls between an AI caller and an older person living alone, each
labelled per call by the rule of issue 5 (see ``GUIDELINE.md`` beside it). It was written by a
different hand from the training utterances in ``checkins/data/`` and is never trained on: it only
measures the risk model on calls that look like real ones (mostly small talk, about one call in five
needing follow-up, a few acute). ``bench/checkins.py`` reads it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dolbom.checkins.risk import SIGNALS

CALLS = Path(__file__).resolve().parent / "calls.jsonl"
LEVELS = ("none", "low", "medium", "high")
Speaker = Literal["caller", "client"]
MIN_TURNS, MAX_TURNS = 6, 20


class DevSetError(ValueError):
    """A line of the set that breaks its format or the labelling rule; names the line."""


@dataclass(frozen=True)
class Turn:
    speaker: Speaker
    text: str


@dataclass(frozen=True)
class DevCall:
    id: str
    turns: tuple[Turn, ...]
    needs_followup: bool
    signals: dict[str, str]  # every kind of SIGNALS -> one of LEVELS
    why: dict[str, str]  # one Korean line per kind that is not "none"

    def rank(self, kind: str) -> int:
        """0 none, 1 low, 2 medium, 3 high: the scale the analyser's severities map onto."""
        return LEVELS.index(self.signals[kind])

    @property
    def acute(self) -> bool:
        return any(level == "high" for level in self.signals.values())

    def client_texts(self) -> list[str]:
        return [t.text for t in self.turns if t.speaker == "client"]

    def dialogue(self) -> list[dict[str, str]]:
        """The turns in the shape ``dolbom.checkins.risk.analyse_calls`` takes (the client is the user)."""
        return [{"role": "user" if t.speaker == "client" else "assistant", "text": t.text} for t in self.turns]


def _call(record: object, where: str) -> DevCall:
    if not isinstance(record, dict):
        raise DevSetError(f"{where}: a call is a JSON object")
    missing = {"id", "turns", "needs_followup", "signals", "why"} - set(record)
    if missing:
        raise DevSetError(f"{where}: missing {sorted(missing)}")
    call_id = record["id"]
    if not isinstance(call_id, str) or not call_id:
        raise DevSetError(f"{where}: id must be a non-empty string")
    where = f"{where} ({call_id})"
    raw_turns = record["turns"]
    if not isinstance(raw_turns, list) or not MIN_TURNS <= len(raw_turns) <= MAX_TURNS:
        raise DevSetError(f"{where}: a call has {MIN_TURNS} to {MAX_TURNS} turns")
    turns: list[Turn] = []
    for turn in raw_turns:
        if not isinstance(turn, dict) or turn.get("speaker") not in ("caller", "client"):
            raise DevSetError(f"{where}: each turn has a speaker, caller or client")
        text = turn.get("text")
        if not isinstance(text, str) or not text.strip():
            raise DevSetError(f"{where}: each turn has a non-empty text")
        turns.append(Turn(speaker=turn["speaker"], text=text))
    if not any(t.speaker == "client" for t in turns):
        raise DevSetError(f"{where}: the client never speaks")
    signals = record["signals"]
    if not isinstance(signals, dict) or set(signals) != set(SIGNALS):
        raise DevSetError(f"{where}: signals must name exactly {list(SIGNALS)}")
    bad = {k: v for k, v in signals.items() if v not in LEVELS}
    if bad:
        raise DevSetError(f"{where}: levels are one of {LEVELS}, not {bad}")
    why = record["why"]
    present = {k for k, v in signals.items() if v != "none"}
    if not isinstance(why, dict) or set(why) != present or not all(isinstance(w, str) and w.strip() for w in why.values()):
        raise DevSetError(f"{where}: 'why' has one line for each signal that is not none, and no other")
    # The issue-5 rule, kept as data so a reader of the file sees the label, but never allowed to drift from it.
    rule = any(v in ("medium", "high") for v in signals.values())
    if record["needs_followup"] is not rule:
        raise DevSetError(f"{where}: needs_followup must be {rule} (true exactly when a signal is medium or high)")
    return DevCall(id=call_id, turns=tuple(turns), needs_followup=rule, signals=dict(signals), why=dict(why))


def load_calls(path: Path = CALLS) -> list[DevCall]:
    """Every call of the set, validated; a broken line raises ``DevSetError`` naming the line."""
    calls: list[DevCall] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path.name}:{n}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DevSetError(f"{where}: not JSON ({exc.msg})") from exc
            call = _call(record, where)
            if call.id in seen:
                raise DevSetError(f"{where}: id {call.id} appears twice")
            seen.add(call.id)
            calls.append(call)
    return calls


__all__ = ["CALLS", "LEVELS", "DevCall", "DevSetError", "Turn", "load_calls"]
