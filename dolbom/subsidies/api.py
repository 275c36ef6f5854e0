"""Subsidy endpoints: programmes and their public board, rules (new versions, a dry run), applications,
checks, selection, decisions. Thin: reads through subsidies.selectors (scope, access log), writes are one
service call each. No ``from __future__ import annotations``: ninja reads the annotations at import time.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from dolbom.lib.api import ERRORS, access_context, actor
from dolbom.lib.errors import DomainError, NotFound
from dolbom.registry.selectors import resident_visible
from dolbom.subsidies import selectors, services
from dolbom.subsidies.errors import SubsidyErrorCode
from dolbom.subsidies.models import Application
from dolbom.subsidies.rules.compiled import MissingFacts

router = Router(tags=["subsidies"])


class SubsidyCategoryOut(Schema):
    code: str
    name: str
    announced: int
    received: int
    selected: int
    approved: int
    remaining: int


class SubsidyBudgetOut(Schema):
    announced: int
    committed: int
    paid: int
    recovered: int
    left: int


class SubsidyProgrammeOut(Schema):
    code: str
    name: str
    kind: str
    year: int
    department: str
    status: str
    notice_ref: str
    objection_days: int
    budget: SubsidyBudgetOut
    categories: list[SubsidyCategoryOut]
    rules_version: int | None


class SubsidyStepOut(Schema):
    kind: str
    key: str
    label: str
    expression: str
    applies: bool
    passed: bool | None
    value: int | None
    text: str


class SubsidyApplicationOut(Schema):
    id: int
    number: str
    programme: str
    round: int
    category: str
    channel: str
    status: str
    version: int
    received_at: dt.datetime
    resident_id: int | None
    applicant_name: str
    dong: str | None
    facts: dict[str, Any]
    fact_sources: dict[str, str]
    verified: dict[str, str]
    eligible: bool | None
    amount: int | None
    score: int | None
    priority_groups: list[str]
    rank: int | None
    explanation: str
    trace: list[SubsidyStepOut]
    rules_version: int | None


class SubsidyApplicationIn(Schema):
    programme: str
    category: str
    resident_id: int | None = None
    name: str
    birth_date: dt.date
    phone: str
    address: str
    dong_id: int | None = None
    facts: dict[str, Any] = {}
    welfare_consent: bool = False


class SubsidyDecisionOut(Schema):
    id: int
    number: str
    kind: str
    refusal_reason: str
    amount: int
    reason: str
    legal_basis: str
    rules_version: int
    decided_at: dt.datetime
    objection_until: dt.date | None
    trace: list[SubsidyStepOut]


class SubsidyRefuseIn(Schema):
    reason: str
    text: str = ""
    legal_basis: str = ""


class SubsidyRulesIn(Schema):
    definition: dict[str, Any]
    effective_from: dt.date
    note: str = ""


class SubsidyDryRunIn(Schema):
    definition: dict[str, Any]
    facts: dict[str, Any]


class SubsidyDryRunOut(Schema):
    eligible: bool
    amount: int
    score: int
    tier: str
    priority_groups: list[str]
    documents: list[str]
    explanation: str
    trace: list[SubsidyStepOut]


class SubsidySelectionOut(Schema):
    id: int
    mode: str
    seed: str
    selected: int
    waitlisted: int
    summary: dict[str, Any]


def _programme_out(p) -> dict:
    rule_set = selectors.rule_set_in_force(programme=p, on=timezone.localdate())
    b = p.budget
    return {"code": p.code, "name": p.name, "kind": p.kind, "year": p.year, "department": p.department,
            "status": p.status, "notice_ref": p.notice_ref, "objection_days": p.objection_days,
            "budget": {"announced": b.announced, "committed": b.committed, "paid": b.paid, "recovered": b.recovered,
                       "left": b.left},
            "categories": [{"code": r.category.code, "name": r.category.name, "announced": r.announced,
                            "received": r.received, "selected": r.selected, "approved": r.approved,
                            "remaining": r.remaining} for r in selectors.board(programme=p)],
            "rules_version": rule_set.version if rule_set else None}


def _application_out(a: Application) -> dict:
    return {"id": a.pk, "number": a.number, "programme": a.programme.code, "round": a.round.number,
            "category": a.category.code, "channel": a.channel, "status": a.status, "version": a.version,
            "received_at": a.received_at, "resident_id": a.resident_id, "applicant_name": a.applicant_name,
            "dong": a.dong.name if a.dong_id else None, "facts": a.facts, "fact_sources": a.fact_sources,
            "verified": a.verified, "eligible": a.eligible, "amount": a.amount, "score": a.score,
            "priority_groups": a.priority_groups, "rank": a.rank, "explanation": a.explanation, "trace": a.trace,
            "rules_version": a.rule_set.version if a.rule_set_id else None}


def _decision_out(d) -> dict:
    return {"id": d.pk, "number": d.number, "kind": d.kind, "refusal_reason": d.refusal_reason, "amount": d.amount,
            "reason": d.reason, "legal_basis": d.legal_basis, "rules_version": d.rule_set_version,
            "decided_at": d.decided_at, "objection_until": d.objection_until, "trace": d.trace}


def _get(request: HttpRequest, application_id: int) -> Application:
    return selectors.application_get(viewer=actor(request), application_id=application_id,
                                     context=access_context(request))


@router.get("/subsidies/programmes", response={200: list[SubsidyProgrammeOut], **ERRORS},
            summary="Subsidy programmes with their budget and board")
def programme_list(request: HttpRequest) -> list[dict]:
    if not selectors.can_see_programmes(actor(request)):
        return []
    return [_programme_out(p) for p in selectors.programme_list()]


@router.get("/subsidies/board", response={200: list[SubsidyProgrammeOut], **ERRORS}, auth=None,
            summary="The public board: announced / received / selected / remaining per category (no names)")
def public_board(request: HttpRequest) -> list[dict]:
    return [_programme_out(p) for p in selectors.programme_list(public=True)]


@router.post("/subsidies/programmes/{code}/rules", response={201: dict, **ERRORS},
             summary="Publish a new version of a programme's rules (CEL expressions)")
def rules_publish(request: HttpRequest, code: str, payload: SubsidyRulesIn) -> Status[dict]:
    programme = selectors.programme_get(code=code)
    rule_set = services.rule_set_save(actor=actor(request), programme=programme, definition=payload.definition,
                                      effective_from=payload.effective_from, note=payload.note)
    return Status(201, {"version": rule_set.version, "effective_from": rule_set.effective_from.isoformat()})


@router.post("/subsidies/rules/dry-run", response={200: SubsidyDryRunOut, **ERRORS},
             summary="Evaluate a rule definition on stated facts, without saving anything")
def rules_dry_run(request: HttpRequest, payload: SubsidyDryRunIn) -> dict:
    if not selectors.can_see_programmes(actor(request)):
        raise NotFound(SubsidyErrorCode.PROGRAMME_NOT_FOUND)
    compiled = services.rules_check(payload.definition)
    try:
        outcome = compiled.evaluate(payload.facts)
    except MissingFacts as exc:
        raise DomainError(SubsidyErrorCode.FACTS_MISSING, missing=", ".join(exc.missing)) from exc
    except (TypeError, ValueError) as exc:
        raise DomainError(SubsidyErrorCode.FACT_INVALID, label="facts", error=str(exc)[:100]) from exc
    return {**outcome.summary(), "documents": outcome.documents, "explanation": outcome.explanation,
            "trace": [s.as_dict() for s in outcome.trace]}


@router.get("/subsidies/applications", response={200: list[SubsidyApplicationOut], **ERRORS},
            summary="Applications in scope")
def application_list(request: HttpRequest, programme: str = "", status: str = "") -> list[dict]:
    filters = selectors.ApplicationFilters(
        programme_id=selectors.programme_get(code=programme).pk if programme else None, status=status)
    rows = selectors.application_list(viewer=actor(request), context=access_context(request), filters=filters)
    return [_application_out(a) for a in rows]


@router.get("/subsidies/applications/{application_id}", response={200: SubsidyApplicationOut, **ERRORS},
            summary="One application with its facts, their sources and the rules' trace")
def application_get(request: HttpRequest, application_id: int) -> dict:
    return _application_out(_get(request, application_id))


@router.post("/subsidies/applications", response={201: SubsidyApplicationOut, **ERRORS},
             summary="Take an application at the office (documents follow by the page)")
def application_create(request: HttpRequest, payload: SubsidyApplicationIn) -> Status[dict]:
    user = actor(request)
    programme = selectors.programme_get(code=payload.programme)
    round = selectors.round_open(programme=programme)
    if round is None:
        raise DomainError(SubsidyErrorCode.ROUND_NOT_OPEN)
    category = programme.categories.filter(code=payload.category).first()
    if category is None:
        raise DomainError(SubsidyErrorCode.CATEGORY_UNKNOWN)
    resident = None
    if payload.resident_id is not None:
        resident = resident_visible(user).filter(pk=payload.resident_id).first()
        if resident is None:
            raise NotFound(SubsidyErrorCode.APPLICATION_NOT_FOUND)
    from dolbom.areas.models import Dong

    application = services.application_submit(
        actor=user, programme=programme, round=round, category=category,
        applicant=services.Applicant(name=payload.name, birth_date=payload.birth_date, phone=payload.phone,
                                     address=payload.address,
                                     dong=Dong.objects.filter(pk=payload.dong_id).first() if payload.dong_id else None),
        declared=payload.facts, resident=resident, welfare_consent=payload.welfare_consent)
    return Status(201, _application_out(_get(request, application.pk)))


@router.post("/subsidies/applications/{application_id}/check", response={200: SubsidyApplicationOut, **ERRORS},
             summary="Check again against the registry and the rules")
def application_check(request: HttpRequest, application_id: int) -> dict:
    application = _get(request, application_id)
    services.application_check(actor=actor(request), application=application)
    return _application_out(_get(request, application_id))


@router.post("/subsidies/applications/{application_id}/approve", response={201: SubsidyDecisionOut, **ERRORS},
             summary="Approve: the budget is committed in the same transaction, or the approval is refused")
def application_approve(request: HttpRequest, application_id: int) -> Status[dict]:
    decision = services.application_approve(actor=actor(request), application=_get(request, application_id))
    return Status(201, _decision_out(decision))


@router.post("/subsidies/applications/{application_id}/refuse", response={201: SubsidyDecisionOut, **ERRORS},
             summary="Refuse with a reason code (not_eligible takes its reason from the rules' trace)")
def application_refuse(request: HttpRequest, application_id: int, payload: SubsidyRefuseIn) -> Status[dict]:
    decision = services.application_refuse(actor=actor(request), application=_get(request, application_id),
                                           reason=payload.reason, text=payload.text, legal_basis=payload.legal_basis)
    return Status(201, _decision_out(decision))


@router.post("/subsidies/programmes/{code}/rounds/{number}/selection", response={201: SubsidySelectionOut, **ERRORS},
             summary="Run the selection of a round (reserved places first)")
def selection_run(request: HttpRequest, code: str, number: int) -> Status[dict]:
    round = selectors.round_get(programme=selectors.programme_get(code=code), number=number)
    run = services.selection_run(actor=actor(request), round=round)
    return Status(201, {"id": run.pk, "mode": run.mode, "seed": run.seed, "selected": run.selected,
                        "waitlisted": run.waitlisted, "summary": run.summary})
