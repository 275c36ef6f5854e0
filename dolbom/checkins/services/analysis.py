"""The one door to risk-signal extraction (dolbom.checkins.risk), looked up at call time so that a
retrained analyser, or a test's stand-in, is picked up without touching the dialogue."""

from __future__ import annotations

from dolbom.checkins import risk as _risk
from dolbom.checkins.risk import Analysis


def analyse_utterance(text: str, previous_caller_line: str | None = None) -> Analysis:
    """One client turn; ``previous_caller_line`` is the caller's question it answers, when known."""
    if previous_caller_line:
        return _risk.analyse_utterance(text, previous_caller_line=previous_caller_line)
    return _risk.analyse_utterance(text)


def analyse_calls(calls: list[list[dict]]) -> list[Analysis]:
    """Whole calls (``[{"role": "system"|"user", "text": ...}, ...]`` each): the worst of each kind over
    the client's turns, each read with the caller's line before it."""
    return _risk.analyse_calls(calls)


def combine_turns(turns: list[Analysis]) -> Analysis:
    """A whole call from its client turns' analyses: the worst of each kind, a lone medium the model is
    unsure of lowered to low (the whole-call rule, ``risk.combine_turns``)."""
    return _risk.combine_turns(turns)
