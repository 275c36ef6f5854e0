"""Subsidy steps on the case timeline of the applicant's open case (links to care), one function per event.

Only an applicant with an open case has a timeline; for everyone else these write nothing.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext_lazy as _

from dolbom.cases.events import write_event
from dolbom.cases.models import Case, CaseEvent, CaseStatus


class SubsidyEventType(models.TextChoices):
    POINTED = "subsidy_pointed", _("Pointed at a subsidy programme")
    APPLIED = "subsidy_applied", _("Subsidy application received")
    DECIDED = "subsidy_decided", _("Subsidy decision")
    SUGGESTED = "subsidy_welfare_suggested", _("Refused for lack of means: passed to the dong team")


def _open_case(resident_id: int | None) -> Case | None:
    if resident_id is None:
        return None
    return Case.objects.filter(resident_id=resident_id).exclude(status=CaseStatus.CLOSED).order_by("-opened_at").first()


def _actor(actor: User | None, case: Case) -> User:
    # An online application has no staff actor; the timeline shows it under the case manager.
    return actor if actor is not None else case.manager


def programme_pointed(*, resident_id: int, programme_name: str, pointer_id: int, actor: User,
                      case: Case | None = None) -> CaseEvent | None:
    case = case or _open_case(resident_id)
    if case is None:
        return None
    return write_event(case, SubsidyEventType.POINTED, actor, new={
        "pointer_id": pointer_id, "programme": programme_name, "summary": f"{programme_name} 안내"})


def application_received(*, application, actor: User | None) -> CaseEvent | None:
    case = _open_case(application.resident_id)
    if case is None:
        return None
    return write_event(case, SubsidyEventType.APPLIED, _actor(actor, case), new={
        "application_id": application.pk, "number": application.number, "programme": application.programme.name,
        "channel": application.channel,
        "summary": f"{application.programme.name} 신청 접수 ({application.number})"})


def application_decided(*, decision, actor: User) -> CaseEvent | None:
    application = decision.application
    case = _open_case(application.resident_id)
    if case is None:
        return None
    verb = "지원 결정" if decision.kind == "approve" else "지원 불가 결정"
    return write_event(case, SubsidyEventType.DECIDED, actor, new={
        "application_id": application.pk, "decision_id": decision.pk, "kind": decision.kind,
        "amount": decision.amount, "summary": f"{application.programme.name} {verb}: {decision.reason}"[:300]})


def welfare_suggested(*, suggestion, actor: User) -> CaseEvent | None:
    case = _open_case(suggestion.resident_id)
    if case is None:
        return None
    return write_event(case, SubsidyEventType.SUGGESTED, actor, new={
        "suggestion_id": suggestion.pk, "summary": "지원사업 자부담 곤란: 동 복지팀 상담 연계"})
