"""Case page helpers: the label of a status and a readable line per timeline event."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from dolbom.cases.models import (
    CaseEvent,
    CaseEventType,
    CaseStatus,
    ClosureReason,
    FollowUpOutcome,
    NeedLevel,
    NeedsSurvey,
)
from dolbom.cases.rules import ADL_ITEMS, IADL_ITEMS
from dolbom.lib.hangul import subject_particle

register = template.Library()


def _label(choices: type, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


@register.filter
def status_label(value: str) -> str:
    return _label(CaseStatus, value)


def _case_status(value: Any) -> bool:
    return value in CaseStatus.values


# Summaries written before the particle was chosen say "기관이(가)": put the right one back on display.
_EITHER_PARTICLE = re.compile(r"([0-9A-Za-z가-힣)]+)이\(가\)")


def _particles(text: str) -> str:
    return _EITHER_PARTICLE.sub(lambda m: m.group(1) + subject_particle(m.group(1)), text)


@register.filter
def event_summary(event: CaseEvent) -> str:
    """The facts of an event in one line; the note is shown separately."""
    old, new = event.old or {}, event.new or {}
    parts: list[str] = []
    # Only the case's own statuses are shown as a change here: a referral's "requested → accepted" is
    # another record's state, told in its own Korean summary.
    if (_case_status(old.get("status")) and _case_status(new.get("status"))
            and old.get("status") != new.get("status")):
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
        parts.append(_particles(str(new["summary"])))
    if new.get("next_follow_up_due"):
        parts.append(_("next follow-up due %(d)s") % {"d": new["next_follow_up_due"]})
    return " · ".join(p for p in parts if p)


# Survey answers as the officer wrote them -------------------------------------------------------------
# The survey keeps its five legal items as JSON (cases/models.py NeedsSurvey); the page shows every answer
# under its Korean label, whichever way it was recorded (the form's keys, the API's or the demo's).
_ANSWER_LABELS: dict[str, Any] = {
    "housing_type": _l("Housing type"), "housing": _l("Housing type"), "notes": _l("Household and living environment"),
    "lives_alone": _l("Lives alone"), "stairs_without_rail": _l("Stairs without a rail"),
    "physical": _l("Physical health"), "mental": _l("Mental health"), "diagnoses": _l("Diagnoses"),
    "medications": _l("Medications taken"),
}


def _answer(value: Any) -> str:
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


@register.filter
def survey_answers(survey: NeedsSurvey) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []

    def add(label: Any, value: Any) -> None:
        if value not in (None, "", [], {}):
            rows.append((str(label), _answer(value)))

    for key, value in (survey.household_environment or {}).items():
        add(_ANSWER_LABELS.get(key, key), value)
    add(_("Benefits already received"), survey.benefits_received)
    # The item scores where they were recorded (an imported history may carry only the totals, shown in
    # the summary line): a row of "-" would read as if every item had been left blank.
    for name, scores, items in (("ADL", survey.adl, ADL_ITEMS), ("IADL", survey.iadl, IADL_ITEMS)):
        if scores:
            add(name, ", ".join(f"{label} {scores.get(k, '-')}" for k, label in items.items()))
    for key, value in (survey.health or {}).items():
        add(_ANSWER_LABELS.get(key, key), value)
    add(_("Needs"), survey.needs)
    add(_("Other"), survey.other)
    return rows
