"""Check-in fixtures. Risk-signal extraction belongs to dolbom.checkins.risk and is tested there;
the dialogue, alert and memory tests here run on a small keyword stand-in so that they test this
app's behaviour, not the classifier's accuracy."""

from __future__ import annotations

import datetime as dt

import pytest

from dolbom.checkins import services
from dolbom.checkins.demo import play_script
from dolbom.checkins.models import Enrolment
from dolbom.checkins.risk import SIGNALS, Analysis
from dolbom.testing import personas

KEYWORDS = [
    ("넘어졌", "emergency", "high"), ("못 일어나", "emergency", "high"), ("죽고 싶", "self_harm", "high"),
    ("무릎이 아파", "health", "medium"), ("허리가 아파", "health", "medium"), ("머리가 좀", "health", "low"),
    ("밥을 못 먹", "meals", "medium"), ("잠을 못", "sleep", "medium"), ("외로", "mood", "medium"),
]


def keyword_analysis(text: str, previous_caller_line: str | None = None) -> Analysis:
    """The caller's line is taken, as the real analyser takes it, and ignored."""
    signals: dict = {k: None for k in SIGNALS}
    evidence: dict = {k: [] for k in SIGNALS}
    for word, kind, severity in KEYWORDS:
        if word in text and f"안 {word}" not in text:
            signals[kind] = severity
            evidence[kind].append(word)
    return Analysis(signals=signals, evidence=evidence,
                    needs_followup=any(v in ("medium", "high") for v in signals.values()))


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "real_signals: run on the trained risk-signal analyser, not the stand-in")


@pytest.fixture(autouse=True)
def keyword_signals(request, monkeypatch, settings):
    """Tests marked ``real_signals`` run end to end on the trained analyser instead."""
    from dolbom.checkins.services import analysis

    # No language model, whatever the developer's environment configures; a test that wants one sets it.
    settings.DOLBOM_LLM_URL = ""
    settings.DOLBOM_LLM_MODEL = ""
    if request.node.get_closest_marker("real_signals"):
        return
    monkeypatch.setattr(analysis, "analyse_utterance", keyword_analysis)


@pytest.fixture
def case(officer, manager, resident):
    """김영숙's case, managed by 박정우."""
    return personas.open_case(officer, resident, manager=manager)


def enrol(actor, case, **overrides) -> Enrolment:
    schedule = {"frequency": "weekly", "weekday": 1, "window_start": dt.time(10), "window_end": dt.time(12)}
    prefs = {"preferred_name": "영숙", "honorific": "어르신"}
    for key in list(overrides):
        if key in ("frequency", "weekday", "second_weekday", "window_start", "window_end"):
            schedule[key] = overrides.pop(key)
    prefs.update(overrides)
    return services.enrolment_create(actor=actor, case=case, schedule=services.Schedule(**schedule),
                                     preferences=services.Preferences(**prefs))


@pytest.fixture
def enrolment(manager, case):
    return enrol(manager, case)


play = play_script
