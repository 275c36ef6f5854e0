"""Decisions: approve (the budget committed in the same transaction) or refuse, with the legal basis,
the rule set version, the inputs as they were and each rule's result; the applicant is told on commit and
the notice letter is rendered from the decision (notices.py). A refusal for lack of means goes to the dong
welfare team when the applicant agreed to it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.lib.errors import DomainError, Forbidden
from dolbom.subsidies import events
from dolbom.subsidies.errors import SubsidyErrorCode
from dolbom.subsidies.models import (
    Application,
    ApplicationStatus,
    Decision,
    DecisionKind,
    RefusalReason,
    Round,
    WelfareSuggestion,
)
from dolbom.subsidies.rules.compiled import Outcome
from dolbom.subsidies.selectors import can_manage
from dolbom.subsidies.services.applications import _lock, _text, document_label, evaluate, missing_documents
from dolbom.subsidies.services.budget import budget_commit, budget_release

APPROVABLE = (ApplicationStatus.SELECTED, ApplicationStatus.WAITLISTED, ApplicationStatus.ELIGIBLE)
REFUSABLE = (ApplicationStatus.RECEIVED, ApplicationStatus.INCOMPLETE, ApplicationStatus.ELIGIBLE,
             ApplicationStatus.INELIGIBLE, ApplicationStatus.SELECTED, ApplicationStatus.WAITLISTED,
             ApplicationStatus.LAPSED)


def _require(actor: User, application: Application) -> None:
    if not can_manage(actor, application.programme):
        raise Forbidden(SubsidyErrorCode.NOT_ALLOWED)


def _inputs(application: Application, facts: dict[str, Any], sources: dict[str, str],
            verified: dict[str, str]) -> dict[str, Any]:
    return {"facts": facts, "sources": sources, "verified": verified, "version": application.version,
            "category": application.category.code, "received_at": application.received_at.isoformat(),
            "resident_id": application.resident_id,
            "documents": [{"id": d.pk, "kind": d.kind, "status": d.status, "sha256": d.sha256}
                          for d in application.documents.all()]}


def _number(application: Application) -> str:
    return f"{application.number}-D{application.decisions.count() + 1}"


def _decide(*, actor: User, application: Application, kind: str, outcome: Outcome | None, rule_set, inputs,
            reason: str, legal_basis: str, refusal_reason: str = "", supersedes: Decision | None = None,
            amount: int = 0) -> Decision:
    now = timezone.now()
    decision = Decision.objects.create(
        number=_number(application), application=application, kind=kind, refusal_reason=refusal_reason,
        rule_set=rule_set, rule_set_version=rule_set.version, inputs=inputs,
        trace=[s.as_dict() for s in outcome.trace] if outcome else [], amount=amount,
        legal_basis=legal_basis.strip() or application.programme.legal_basis, reason=reason.strip(),
        decided_by=actor, decided_at=now, supersedes=supersedes, notified_at=now,
        objection_until=timezone.localdate() + dt.timedelta(days=application.programme.objection_days))
    verb = f"지원 결정 ({amount:,}원)" if kind == DecisionKind.APPROVE else "지원 불가 결정"
    _text(application, f"[전주시] {application.programme.name} {application.number}: {verb}. 결정 통지서는 신청 조회 "
                       f"화면에서 받을 수 있으며, {decision.objection_until:%Y-%m-%d}까지 이의신청할 수 있습니다.",
          f"subsidy-decision-{decision.number}")
    events.application_decided(decision=decision, actor=actor)
    return decision


def _current(application: Application) -> Decision | None:
    return application.decisions.filter(superseded_by__isnull=True).order_by("-decided_at", "-pk").first()


def approve_locked(*, actor: User, application: Application, legal_basis: str = "",
                   supersedes: Decision | None = None) -> Decision:
    """Approve an application already locked by the caller (an objection upheld re-uses it)."""
    rule_set, compiled, facts, sources, verified, missing = evaluate(application)
    if missing:
        raise DomainError(SubsidyErrorCode.FACTS_MISSING, missing=", ".join(missing))
    outcome = compiled.evaluate(facts)
    if not outcome.eligible:
        raise DomainError(SubsidyErrorCode.NOT_ELIGIBLE)
    unchecked = [document_label(compiled, d) for d in missing_documents(application, outcome, compiled, accepted=True)]
    if unchecked:
        raise DomainError(SubsidyErrorCode.FACTS_MISSING, missing="서류 확인 — " + ", ".join(unchecked))
    budget_commit(actor=actor, application=application, amount=outcome.amount)
    application.rule_set, application.facts, application.fact_sources, application.verified = \
        rule_set, facts, sources, verified
    application.eligible, application.amount, application.score = True, outcome.amount, outcome.score
    application.explanation, application.trace = outcome.explanation, [s.as_dict() for s in outcome.trace]
    application.status = ApplicationStatus.APPROVED
    application.complete_by = timezone.localdate() + dt.timedelta(days=application.programme.completion_days)
    application.save()
    return _decide(actor=actor, application=application, kind=DecisionKind.APPROVE, outcome=outcome,
                   rule_set=rule_set, inputs=_inputs(application, facts, sources, verified),
                   reason=outcome.explanation, legal_basis=legal_basis, supersedes=supersedes, amount=outcome.amount)


@transaction.atomic
def application_approve(*, actor: User, application: Application, legal_basis: str = "") -> Decision:
    application = _lock(actor, application)
    _require(actor, application)
    if application.status not in APPROVABLE:
        raise DomainError(SubsidyErrorCode.BAD_STATUS, status=application.get_status_display())
    return approve_locked(actor=actor, application=application, legal_basis=legal_basis)


def refuse_locked(*, actor: User, application: Application, reason: str, text: str = "", legal_basis: str = "",
                  supersedes: Decision | None = None) -> Decision:
    if reason not in RefusalReason.values:
        raise DomainError(SubsidyErrorCode.REASON_REQUIRED)
    rule_set, compiled, facts, sources, verified, missing = evaluate(application)
    outcome = None if missing else compiled.evaluate(facts)
    if reason == RefusalReason.NOT_ELIGIBLE:
        if outcome is None or outcome.eligible:
            raise DomainError(SubsidyErrorCode.REASON_REQUIRED)
        sentence = outcome.explanation
    else:
        sentence = text.strip() or str(RefusalReason(reason).label)
    if not sentence:
        raise DomainError(SubsidyErrorCode.REASON_REQUIRED)
    if application.status == ApplicationStatus.APPROVED:
        budget_release(actor=actor, application=application, amount=int(application.amount or 0),
                       note="결정 변경")
    application.status = ApplicationStatus.REFUSED
    if outcome is not None:
        application.eligible, application.explanation = outcome.eligible, outcome.explanation
        application.trace = [s.as_dict() for s in outcome.trace]
    application.save()
    decision = _decide(actor=actor, application=application, kind=DecisionKind.REFUSE, outcome=outcome,
                       rule_set=rule_set, inputs=_inputs(application, facts, sources, verified), reason=sentence,
                       legal_basis=legal_basis, refusal_reason=reason, supersedes=supersedes)
    means_rules = {r.key for r in compiled.definition.eligibility if r.means}
    failed_means = outcome is not None and any(s.kind == "eligibility" and s.passed is False and s.key in means_rules
                                               for s in outcome.trace)
    if reason == RefusalReason.LACK_OF_MEANS or failed_means:
        _suggest(actor=actor, application=application, decision=decision)
    return decision


@transaction.atomic
def application_refuse(*, actor: User, application: Application, reason: str, text: str = "",
                       legal_basis: str = "") -> Decision:
    application = _lock(actor, application)
    _require(actor, application)
    if application.status not in REFUSABLE:
        raise DomainError(SubsidyErrorCode.BAD_STATUS, status=application.get_status_display())
    return refuse_locked(actor=actor, application=application, reason=reason, text=text, legal_basis=legal_basis)


def _suggest(*, actor: User, application: Application, decision: Decision) -> WelfareSuggestion | None:
    """With consent only (개인정보 보호법 §17: passing data to another team of the city is a provision)."""
    if application.welfare_consent_at is None or application.dong_id is None:
        return None
    suggestion, created = WelfareSuggestion.objects.get_or_create(application=application, defaults={
        "decision": decision, "dong_id": application.dong_id, "resident_id": application.resident_id,
        "reason": f"{application.programme.name} 신청({application.number})이 자부담 곤란 등으로 지원 불가: "
                  f"{decision.reason}"[:1000], "created_at": timezone.now()})
    if created:
        events.welfare_suggested(suggestion=suggestion, actor=actor)
    return suggestion


@transaction.atomic
def round_decide(*, actor: User, round: Round) -> dict[str, int]:
    """After the selection: approve the selected in rank order while the budget lasts, refuse the
    ineligible with their trace. The waiting list waits (a withdrawal frees a place for the next)."""
    if not can_manage(actor, round.programme):
        raise Forbidden(SubsidyErrorCode.NOT_ALLOWED)
    counts = {"approved": 0, "refused": 0, "skipped": 0}
    for app in Application.objects.filter(round=round, status=ApplicationStatus.SELECTED).order_by(
            "category__position", "rank", "pk"):
        try:
            with transaction.atomic():
                application_approve(actor=actor, application=app)
            counts["approved"] += 1
        except DomainError:
            counts["skipped"] += 1  # a document still to check, or the money ran out: left for the officer
    for app in Application.objects.filter(round=round, status=ApplicationStatus.INELIGIBLE).order_by("pk"):
        application_refuse(actor=actor, application=app, reason=RefusalReason.NOT_ELIGIBLE)
        counts["refused"] += 1
    return counts


def decision_current(application: Application) -> Decision | None:
    return _current(application)
