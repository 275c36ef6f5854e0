"""The one door to risk-signal extraction (dolbom.checkins.signals), looked up at call time so that a
retrained analyser, or a test's stand-in, is picked up without touching the dialogue."""

from __future__ import annotations

from dolbom.checkins import signals as _signals
from dolbom.checkins.signals import Analysis


def analyse_utterance(text: str) -> Analysis:
    return _signals.analyse_utterance(text)
