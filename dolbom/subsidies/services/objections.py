"""Objections (이의신청) to a decision: filed within the programme's period (Programme.objection_days from
the notice), answered by their own deadline (objection_answer_days, 행정기본법 §36②). Upheld, the
application is checked again (with the corrections the objection brought) and a new decision replaces the
old one, which is kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.lib.errors import DomainError, Forbidden
from dolbom.subsidies.errors import SubsidyErrorCode
from dolbom.subsidies.models import ApplicationStatus, Decision, DecisionKind, Objection, ObjectionStatus
from dolbom.subsidies.selectors import can_manage
from dolbom.subsidies.services.applications import _declared, _lock, _text, _version, coerce_declared
from dolbom.subsidies.services.budget import budget_release
from dolbom.subsidies.services.decisions import approve_locked
from dolbom.subsidies.services.programmes import rules_compiled


@transaction.atomic
def objection_file(*, actor: User | None, decision: Decision, grounds: str,
                   at: dt.datetime | None = None) -> Objection:
    """``actor`` None: the applicant online (after the one-time code); else an officer recording a letter."""
    application = _lock(actor, decision.application)
    decision = Decision.objects.select_for_update().get(pk=decision.pk, application=application)
    at = at or timezone.now()
    if Decision.objects.filter(supersedes=decision).exists():
        raise DomainError(SubsidyErrorCode.OBJECTION_CLOSED)
    if decision.objection_until and timezone.localtime(at).date() > decision.objection_until:
        raise DomainError(SubsidyErrorCode.OBJECTION_LATE, until=decision.objection_until.isoformat())
    if decision.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise DomainError(SubsidyErrorCode.OBJECTION_OPEN)
    if not grounds.strip():
        raise DomainError(SubsidyErrorCode.REASON_REQUIRED)
    answer_by = timezone.localtime(at).date() + dt.timedelta(days=application.programme.objection_answer_days)
    objection = Objection.objects.create(decision=decision, filed_at=at, filed_by=actor, grounds=grounds.strip(),
                                         answer_by=answer_by)
    _text(application, f"[전주시] {application.programme.name} {application.number}: 이의신청이 접수되었습니다. "
                       f"{answer_by:%Y-%m-%d}까지 결과를 알려 드립니다.", f"subsidy-objection-{objection.pk}")
    return objection


@transaction.atomic
def objection_decide(*, actor: User, objection: Objection, upheld: bool, note: str,
                     corrections: dict[str, Any] | None = None) -> Objection:
    objection = Objection.objects.select_for_update().select_related("decision__application__programme").get(
        pk=objection.pk)
    decision = objection.decision
    application = _lock(actor, decision.application)
    if not can_manage(actor, application.programme):
        raise Forbidden(SubsidyErrorCode.NOT_ALLOWED)
    if objection.status != ObjectionStatus.OPEN:
        raise DomainError(SubsidyErrorCode.OBJECTION_CLOSED)
    if not note.strip():
        raise DomainError(SubsidyErrorCode.REASON_REQUIRED)
    if upheld:
        if corrections:
            compiled = rules_compiled(application.rule_set) if application.rule_set else None
            merged = {**_declared(application), **(coerce_declared(compiled, corrections) if compiled else corrections)}
            application.version += 1
            application.save(update_fields=["version"])
            _version(application, merged, actor, f"이의신청 인용: {note}"[:200])
        if decision.kind == DecisionKind.APPROVE:
            # An objection to the amount: the approval is made again with the corrected facts.
            budget_release(actor=actor, application=application, amount=int(decision.amount), note="이의신청 인용")
            application.status = ApplicationStatus.ELIGIBLE
        approve_locked(actor=actor, application=application, supersedes=decision,
                       legal_basis=decision.legal_basis)
        objection.status = ObjectionStatus.UPHELD
    else:
        objection.status = ObjectionStatus.DISMISSED
    objection.outcome_note = note.strip()
    objection.decided_by = actor
    objection.decided_at = timezone.now()
    objection.save(update_fields=["status", "outcome_note", "decided_by", "decided_at"])
    verdict = "인용되어 결정이 변경되었습니다" if upheld else "기각되었습니다"
    _text(application, f"[전주시] {application.programme.name} {application.number}: 이의신청이 {verdict}. "
                       "행정심판·행정소송으로 다툴 수 있습니다.", f"subsidy-objection-{objection.pk}-done")
    return objection
