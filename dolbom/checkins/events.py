"""Check-in entries on the case timeline: one function per event, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from dolbom.cases.events import write_event
from dolbom.cases.models import CaseEvent, CaseEventType
from dolbom.checkins.models import Alert, Call, Enrolment

SIGNAL_LABELS = {"health": "건강", "sleep": "수면", "meals": "식사", "mood": "기분", "self_harm": "자해 위험",
                 "emergency": "응급", "daily_living": "일상생활", "missed_calls": "연속 부재"}
SEVERITY_LABELS = {"low": "낮음", "medium": "중간", "high": "높음"}


def signals_line(signals: dict[str, Any]) -> str:
    found = [f"{SIGNAL_LABELS.get(k, k)}({SEVERITY_LABELS.get(v, v)})" for k, v in signals.items() if v]
    return ", ".join(found) if found else "위험 신호 없음"


def checkin_enrolled(*, enrolment: Enrolment, actor: User) -> CaseEvent:
    return write_event(enrolment.case, CaseEventType.CHECKIN_ENROLLED, actor, new={
        "enrolment_id": enrolment.pk, "frequency": enrolment.frequency, "weekday": enrolment.weekday,
        "window": f"{enrolment.window_start:%H:%M}-{enrolment.window_end:%H:%M}",
        "summary": f"안부전화 등록 ({enrolment.get_frequency_display()}, "
                   f"{enrolment.window_start:%H:%M}-{enrolment.window_end:%H:%M})",
    })


def checkin_changed(*, enrolment: Enrolment, actor: User, old: dict[str, Any], summary: str,
                    note: str = "") -> CaseEvent:
    return write_event(enrolment.case, CaseEventType.CHECKIN_CHANGED, actor, old=old,
                       new={"enrolment_id": enrolment.pk, "enrolment_status": enrolment.status, "summary": summary}, note=note)


def checkin_call(*, call: Call, actor: User) -> CaseEvent:
    return write_event(call.enrolment.case, CaseEventType.CHECKIN_CALL, actor, new={
        "call_id": call.pk, "kind": call.kind, "call_status": call.status, "attempts": call.attempts,
        "signals": {k: v for k, v in call.signals.items() if v}, "needs_followup": call.needs_followup,
        "summary": call.summary,
    })


def checkin_alert(*, alert: Alert, actor: User, old_status: str = "", summary: str = "", note: str = "") -> CaseEvent:
    return write_event(alert.case, CaseEventType.CHECKIN_ALERT, actor,
                       old={"alert_status": old_status} if old_status else {}, new={
                           "alert_id": alert.pk, "kind": alert.kind, "severity": alert.severity,
                           "alert_status": alert.status, "escalation": alert.escalation,
                           "summary": summary or f"경보: {SIGNAL_LABELS.get(alert.kind, alert.kind)} "
                                                 f"({SEVERITY_LABELS.get(alert.severity, alert.severity)})",
                       }, note=note)


def checkin_alert_closed(*, alert: Alert, actor: User, old_status: str) -> CaseEvent:
    return write_event(alert.case, CaseEventType.CHECKIN_ALERT_CLOSED, actor, old={"alert_status": old_status}, new={
        "alert_id": alert.pk, "kind": alert.kind, "severity": alert.severity,
        "summary": f"경보 종료: {SIGNAL_LABELS.get(alert.kind, alert.kind)}",
    }, note=alert.close_note)
