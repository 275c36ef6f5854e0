"""Timeline events the meetings app writes on a case, in the caller's transaction."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.cases.events import write_event
from dolbom.cases.models import CaseEvent, CaseEventType
from dolbom.meetings.models import AgendaItem, Decision, ServiceRequest

DECISION_KO = {
    Decision.APPROVE_PLAN: "지원계획 승인",
    Decision.CHANGE_PLAN: "지원계획 변경",
    Decision.ADD_SERVICES: "서비스 추가",
    Decision.ESCALATE: "상위 회의 회부",
    Decision.CLOSE: "종결",
}


def _when(item: AgendaItem) -> str:
    return f"{timezone.localtime(item.meeting.scheduled_at):%Y-%m-%d}"


def meeting_agenda_added(*, item: AgendaItem, actor: User) -> CaseEvent:
    meeting = item.meeting
    return write_event(item.case, CaseEventType.MEETING_AGENDA_ADDED, actor, new={
        "meeting_id": meeting.pk, "item_id": item.pk, "reason": item.reason,
        "summary": f"{meeting.title} ({_when(item)}) 안건으로 등록",
    }, note=item.note)


def meeting_decision(*, item: AgendaItem, actor: User, requests: list[ServiceRequest]) -> CaseEvent:
    referred = [r for r in requests if not r.refused]
    refused = [r for r in requests if r.refused]
    summary = f"{item.meeting.title} ({_when(item)}) 결정: {DECISION_KO[Decision(item.decision)]}"
    if referred:
        summary += " — 연계 " + ", ".join(r.service_name for r in referred)
    if refused:
        summary += " — 동의 없음으로 연계 보류 " + ", ".join(r.service_name for r in refused)
    return write_event(item.case, CaseEventType.MEETING_DECISION, actor, new={
        "meeting_id": item.meeting_id, "item_id": item.pk, "decision": item.decision,
        "plan_version": item.plan_version,
        "referral_ids": [r.referral_id for r in referred],
        "refused_service_ids": [r.service_id for r in refused],
        "summary": summary,
    }, note=item.decision_note)
