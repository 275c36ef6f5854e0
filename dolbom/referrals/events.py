"""Referral steps on the case timeline: one function per event, in the caller's transaction."""

from __future__ import annotations

from django.contrib.auth.models import User

from dolbom.cases.events import write_event
from dolbom.cases.models import CaseEvent, CaseEventType
from dolbom.lib.hangul import subject_particle
from dolbom.referrals.models import Referral


def _subject(name: str) -> str:
    return name + subject_particle(name)  # "센터가", "병원이": the particle the name takes


def _base(referral: Referral) -> dict[str, object]:
    return {"referral_id": referral.pk, "service": referral.service.name, "institution": referral.institution.name,
            "status": referral.status}


def referral_created(*, referral: Referral, actor: User) -> CaseEvent:
    return write_event(referral.case, CaseEventType.REFERRAL_CREATED, actor, new={
        **_base(referral), "respond_by": referral.respond_by.isoformat(),
        "plan_line_id": referral.plan_line_id,
        "summary": f"{referral.institution.name} · {referral.service.name} 의뢰 (응답 기한 {referral.respond_by:%Y-%m-%d})",
    }, note=referral.note)


def referral_accepted(*, referral: Referral, actor: User, old_status: str) -> CaseEvent:
    return write_event(referral.case, CaseEventType.REFERRAL_ACCEPTED, actor, old={"status": old_status}, new={
        **_base(referral), "summary": f"{_subject(referral.institution.name)} {referral.service.name} 의뢰를 수락",
    })


def referral_declined(*, referral: Referral, actor: User, old_status: str) -> CaseEvent:
    return write_event(referral.case, CaseEventType.REFERRAL_DECLINED, actor, old={"status": old_status}, new={
        **_base(referral), "summary": f"{_subject(referral.institution.name)} {referral.service.name} 의뢰를 거절",
    }, note=referral.decline_reason)


def referral_started(*, referral: Referral, actor: User, old_status: str) -> CaseEvent:
    return write_event(referral.case, CaseEventType.REFERRAL_STARTED, actor, old={"status": old_status}, new={
        **_base(referral), "started_on": referral.started_on.isoformat() if referral.started_on else None,
        "summary": f"{referral.service.name} 서비스 시작 ({referral.started_on:%Y-%m-%d})",
    })


def referral_delivery(*, referral: Referral, actor: User, activity_id: int, on: str, note: str) -> CaseEvent:
    return write_event(referral.case, CaseEventType.REFERRAL_DELIVERY, actor, new={
        **_base(referral), "activity_id": activity_id, "on": on,
        "summary": f"{referral.service.name} 제공 기록 ({on})",
    }, note=note)


def referral_changed(*, referral: Referral, actor: User, activity_id: int, on: str, note: str) -> CaseEvent:
    return write_event(referral.case, CaseEventType.REFERRAL_CHANGED, actor, new={
        **_base(referral), "activity_id": activity_id, "on": on,
        "summary": f"{referral.institution.name} 변경 보고: {note[:60]}",
    }, note=note)


def referral_completed(*, referral: Referral, actor: User, old_status: str) -> CaseEvent:
    return write_event(referral.case, CaseEventType.REFERRAL_COMPLETED, actor, old={"status": old_status}, new={
        **_base(referral), "completed_on": referral.completed_on.isoformat() if referral.completed_on else None,
        "summary": f"{referral.service.name} 서비스 종료: {referral.outcome[:60]}",
    }, note=referral.outcome)


def referral_ended(*, referral: Referral, actor: User, old_status: str) -> CaseEvent:
    return write_event(referral.case, CaseEventType.REFERRAL_ENDED, actor, old={"status": old_status}, new={
        **_base(referral), "end_reason": referral.end_reason,
        "summary": f"{referral.service.name} 연계 종료 ({referral.get_end_reason_display()})",
    })


def discharge_notice_on_open_case(*, case, actor: User, institution: str, note: str) -> CaseEvent:
    """A discharge notice for a client whose case is already open: it joins that case's timeline."""
    return write_event(case, CaseEventType.DISCOVERED, actor, new={
        "origin": "hospital_discharge", "institution": institution,
        "summary": f"{institution} 퇴원 연계 통보 (진행 중인 사례에 추가)",
    }, note=note)
