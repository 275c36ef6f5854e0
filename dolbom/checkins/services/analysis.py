"""The one door to risk-signal extraction (dolbom.checkins.risk), looked up at call time so that a
retrained analyser, or a test's stand-in, is picked up without touching the dialogue."""

from __future__ import annotations

from dolbom.checkins import risk as _risk
from dolbom.checkins.risk import Analysis


def analyse_utterance(text: str) -> Analysis:
    return _risk.analyse_utterance(text)
