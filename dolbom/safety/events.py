"""Emergency-safety entries on the case timeline: one function per event, in the caller's transaction.

An incident lands on the resident's open case (the case manager sees at a glance that 김영숙 pressed the
button last night and was taken to hospital); without an open case nothing is written here, and a danger-
level incident opens a discovered case instead (services/incidents.py).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext_lazy as _

from dolbom.cases.events import write_event
from dolbom.cases.models import Case, CaseEvent
from dolbom.safety.models import Home, Incident

CAUSE_LABELS = {"fire": "화재", "gas": "가스 누출", "button": "응급호출", "inactivity": "활동 미감지"}
LEVEL_LABELS = {"caution": "주의", "warning": "경고", "danger": "위험"}
ACTION_LABELS = {"phone_call": "전화 확인", "visit": "방문", "dispatch_119": "119 출동", "false_alarm": "오경보"}


class SafetyEventType(models.TextChoices):
    INSTALLED = "safety_installed", _("Emergency safety equipment installed")
    INCIDENT = "safety_incident", _("Emergency safety alert")
    RESPONSE = "safety_response", _("Emergency safety response")
    RESOLVED = "safety_resolved", _("Emergency safety alert resolved")


def _what(incident: Incident) -> str:
    what = CAUSE_LABELS.get(incident.cause, incident.cause)
    return f"{what}({LEVEL_LABELS[incident.level]})" if incident.level else what


def _base(incident: Incident) -> dict:
    return {"incident_id": incident.pk, "cause": incident.cause, "level": incident.level,
            "severity": incident.severity, "incident_status": incident.status}


def safety_installed(*, case: Case, home: Home, actor: User) -> CaseEvent:
    return write_event(case, SafetyEventType.INSTALLED, actor, new={
        "home_id": home.pk, "installed_on": home.installed_on.isoformat() if home.installed_on else None,
        "summary": "응급안전안심서비스 장비 설치",
    })


def safety_incident(*, case: Case, incident: Incident, actor: User, raised_from: str = "") -> CaseEvent:
    summary = f"응급안전 경보: {_what(incident)}"
    if raised_from:
        summary = f"응급안전 경보 단계 상승: {_what(incident)}"
    return write_event(case, SafetyEventType.INCIDENT, actor, old={"level": raised_from} if raised_from else {},
                       new={**_base(incident), "summary": summary})


def safety_response(*, case: Case, incident: Incident, actor: User, action: str, note: str = "") -> CaseEvent:
    return write_event(case, SafetyEventType.RESPONSE, actor, new={
        **_base(incident), "action": action,
        "summary": f"응급안전 {_what(incident)}: {ACTION_LABELS.get(action, action)}",
    }, note=note)


def safety_resolved(*, case: Case, incident: Incident, actor: User) -> CaseEvent:
    return write_event(case, SafetyEventType.RESOLVED, actor, new={
        **_base(incident), "outcome": incident.outcome, "false_alarm_reason": incident.false_alarm_reason,
        "summary": f"응급안전 경보 종결: {_what(incident)} · {incident.get_outcome_display()}",
    }, note=incident.resolution_note)
