"""Crisis discovery on the case timeline: one function per event, written in the caller's transaction."""

from __future__ import annotations

from django.contrib.auth.models import User

from dolbom.cases.events import write_event
from dolbom.cases.models import Case, CaseEvent, CaseEventType


def discovery_signals(*, case: Case, actor: User, cycle_name: str, reasons: list[str], probability: float | None,
                      model_version: str, source: str = "model") -> CaseEvent:
    """A household already in an open case showed up again: its manager sees the new signals instead of
    the household being listed a second time."""
    shown = ", ".join(reasons[:3]) or "-"
    return write_event(case, CaseEventType.DISCOVERY_SIGNALS, actor, new={
        "cycle": cycle_name, "reasons": reasons, "probability": probability, "model_version": model_version,
        "source": source, "summary": f"{cycle_name} 위기정보: {shown}",
    })


def discovery_outcome(*, case: Case, actor: User, cycle_name: str, old_outcome: str, outcome: str,
                      outcome_label: str, note: str) -> CaseEvent:
    return write_event(case, CaseEventType.DISCOVERY_OUTCOME, actor, old={"outcome": old_outcome}, new={
        "cycle": cycle_name, "outcome": outcome, "summary": f"{cycle_name} 발굴 방문 결과: {outcome_label}",
    }, note=note)
