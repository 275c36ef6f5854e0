"""Case page helpers: the label of a status and a readable line per timeline event."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from dolbom.cases.models import (
    CaseEvent,
    CaseEventType,
    CaseStatus,
    ClosureReason,
    FollowUpOutcome,
    NeedLevel,
)

register = template.Library()


def _label(choices: type, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


@register.filter
def status_label(value: str) -> str:
    return _label(CaseStatus, value)


@register.filter
def event_summary(event: CaseEvent) -> str:
    """The facts of an event in one line; the note is shown separately."""
    old, new = event.old or {}, event.new or {}
    parts: list[str] = []
    if "status" in new and old.get("status") and old.get("status") != new.get("status"):
        parts.append(f"{_label(CaseStatus, old['status'])} → {_label(CaseStatus, new['status'])}")
    if event.type == CaseEventType.SURVEY_RECORDED:
        parts.append(_("ADL %(adl)s, IADL %(iadl)s") % {"adl": new.get("adl_total"), "iadl": new.get("iadl_total")})
    elif event.type == CaseEventType.DECISION_RECORDED:
        parts.append(_("medical need %(m)s, care need %(c)s") % {
            "m": _label(NeedLevel, new.get("medical_need_level")), "c": _label(NeedLevel, new.get("care_need_level"))})
    elif event.type == CaseEventType.PLAN_CREATED:
        parts.append(_("version %(v)s, %(n)s service lines") % {"v": new.get("version"), "n": new.get("lines")})
    elif event.type == CaseEventType.FOLLOW_UP_RECORDED:
        parts.append(_label(FollowUpOutcome, new.get("outcome")))
    elif event.type == CaseEventType.CLOSED:
        parts.append(_label(ClosureReason, new.get("closure_reason")))
    if new.get("summary"):
        parts.append(str(new["summary"]))
    if new.get("next_follow_up_due"):
        parts.append(_("next follow-up due %(d)s") % {"d": new["next_follow_up_due"]})
    return " · ".join(p for p in parts if p)
