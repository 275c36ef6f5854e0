"""The case timeline: one function per event, each writing one CaseEvent in the caller's transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.cases.models import Case, CaseEvent, CaseEventType, event_type_known


def write_event(case: Case, type_: CaseEventType, actor: User, old: dict[str, Any] | None = None,
                new: dict[str, Any] | None = None, note: str = "") -> CaseEvent:
    """The one writer of CaseEvent. Other domains (referrals, visits, check-ins, discovery) keep their
    own events.py with one function per event that calls this; a ``summary`` key in ``new`` is shown
    on the timeline as the event's one-line description."""
    if not event_type_known(type_):
        # A typo or an unregistered domain type would show as a raw code on every timeline.
        raise ValueError(f"unknown timeline event type {type_!r}: register it with event_types_register")
    return CaseEvent.objects.create(
        case=case, type=type_, actor=actor, at=timezone.now(), old=old or {}, new=new or {}, note=note,
    )


_write = write_event


def case_discovered(*, case: Case, actor: User) -> CaseEvent:
    return _write(case, CaseEventType.DISCOVERED, actor, new={"origin": case.origin, "dong": case.dong.name},
                  note=case.origin_note)


def case_application_recorded(*, case: Case, actor: User, old_status: str) -> CaseEvent:
    return _write(case, CaseEventType.APPLICATION_RECORDED, actor, old={"status": old_status}, new={
        "status": case.status, "applicant_type": case.applicant_type, "ex_officio_reason": case.ex_officio_reason,
        "applied_at": case.applied_at.isoformat() if case.applied_at else None,
        "explained_at": case.explained_at.isoformat() if case.explained_at else None,
        "consent_id": case.consent_id,
    })


def case_manager_assigned(*, case: Case, actor: User, old_manager_id: int | None) -> CaseEvent:
    return _write(case, CaseEventType.MANAGER_ASSIGNED, actor, old={"manager_id": old_manager_id},
                  new={"manager_id": case.manager_id})


def case_survey_recorded(*, case: Case, actor: User, survey_id: int, sequence: int, old_status: str,
                         adl_total: int, iadl_total: int) -> CaseEvent:
    return _write(case, CaseEventType.SURVEY_RECORDED, actor, old={"status": old_status}, new={
        "status": case.status, "survey_id": survey_id, "sequence": sequence,
        "adl_total": adl_total, "iadl_total": iadl_total,
    })


def case_decision_recorded(*, case: Case, actor: User, decision_id: int, old_status: str,
                           medical_need_level: str, care_need_level: str) -> CaseEvent:
    return _write(case, CaseEventType.DECISION_RECORDED, actor, old={"status": old_status}, new={
        "status": case.status, "decision_id": decision_id,
        "medical_need_level": medical_need_level, "care_need_level": care_need_level,
    })


def case_plan_created(*, case: Case, actor: User, plan_id: int, version: int, old_status: str,
                      lines: int) -> CaseEvent:
    return _write(case, CaseEventType.PLAN_CREATED, actor, old={"status": old_status}, new={
        "status": case.status, "plan_id": plan_id, "version": version, "lines": lines,
        "next_follow_up_due": case.next_follow_up_due.isoformat() if case.next_follow_up_due else None,
    })


def case_meeting_requested(*, case: Case, actor: User, reason: str) -> CaseEvent:
    return _write(case, CaseEventType.MEETING_REQUESTED, actor, old={"meeting_requested": False},
                  new={"meeting_requested": True}, note=reason)


def case_meeting_outcome_noted(*, case: Case, actor: User, old_outcome: str) -> CaseEvent:
    return _write(case, CaseEventType.MEETING_OUTCOME_NOTED, actor, old={"outcome": old_outcome},
                  new={"outcome": case.meeting_outcome})


def case_follow_up_recorded(*, case: Case, actor: User, follow_up_id: int, outcome: str, old_status: str,
                            old_due: str | None, note: str) -> CaseEvent:
    return _write(case, CaseEventType.FOLLOW_UP_RECORDED, actor,
                  old={"status": old_status, "next_follow_up_due": old_due},
                  new={"status": case.status, "follow_up_id": follow_up_id, "outcome": outcome,
                       "next_follow_up_due": case.next_follow_up_due.isoformat() if case.next_follow_up_due else None},
                  note=note)


def case_reassessment_started(*, case: Case, actor: User, old_status: str, reason: str) -> CaseEvent:
    return _write(case, CaseEventType.REASSESSMENT_STARTED, actor, old={"status": old_status},
                  new={"status": case.status}, note=reason)


def case_closed(*, case: Case, actor: User, old_status: str) -> CaseEvent:
    return _write(case, CaseEventType.CLOSED, actor, old={"status": old_status},
                  new={"status": case.status, "closure_reason": case.closure_reason}, note=case.closure_note)


def case_reopened(*, case: Case, actor: User, old_status: str, old_reason: str, reason: str) -> CaseEvent:
    return _write(case, CaseEventType.REOPENED, actor, old={"status": old_status, "closure_reason": old_reason},
                  new={"status": case.status}, note=reason)
