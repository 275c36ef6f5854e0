"""Timeline events of home visits, one function per event (written through cases.events.write_event)."""

from __future__ import annotations

from django.contrib.auth.models import User

from dolbom.cases.events import write_event
from dolbom.cases.models import CaseEvent, CaseEventType
from dolbom.visits.models import Visit


def _base(visit: Visit) -> dict:
    return {"visit_id": visit.pk, "visit_type": visit.visit_type, "due_on": visit.due_on.isoformat(),
            "planned_on": visit.planned_on.isoformat() if visit.planned_on else None}


def visit_done(*, visit: Visit, actor: User) -> CaseEvent | None:
    if visit.case is None:
        return None
    return write_event(visit.case, CaseEventType.VISIT_DONE, actor, old={"status": "open"}, new={
        **_base(visit), "status": visit.status,
        "summary": f"{visit.get_visit_type_display()} 방문 완료",
    }, note=visit.outcome_note)


def visit_not_home(*, visit: Visit, next_visit: Visit, actor: User) -> CaseEvent | None:
    if visit.case is None:
        return None
    return write_event(visit.case, CaseEventType.VISIT_NOT_HOME, actor, old={"status": "open"}, new={
        **_base(visit), "status": visit.status, "next_visit_id": next_visit.pk,
        "next_due_on": next_visit.due_on.isoformat(),
        "summary": f"{visit.get_visit_type_display()} 방문: 부재, {next_visit.due_on:%m-%d} 재방문",
    }, note=visit.outcome_note)


def visit_rescheduled(*, visit: Visit, next_visit: Visit, actor: User) -> CaseEvent | None:
    if visit.case is None:
        return None
    return write_event(visit.case, CaseEventType.VISIT_RESCHEDULED, actor, old={"status": "open"}, new={
        **_base(visit), "status": visit.status, "next_visit_id": next_visit.pk,
        "next_due_on": next_visit.due_on.isoformat(),
        "summary": f"{visit.get_visit_type_display()} 방문 일정 변경: {next_visit.due_on:%Y-%m-%d}",
    }, note=visit.outcome_note)
