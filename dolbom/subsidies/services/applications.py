"""Applications: receipt (at the office or online), facts checked against the registry, the rules' check,
supplement requests with a deadline, documents, new versions, withdrawal."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dolbom.accounts.scope import lock_in_scope
from dolbom.areas.models import Dong
from dolbom.cases.models import NeedsSurvey
from dolbom.integrations.messaging import (
    MessageError,
    MessagePurpose,
    message_send,
    phone_display,
    phone_normalise,
)
from dolbom.lib import rrn as rrn_lib
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.registry.models import Resident
from dolbom.registry.selectors import resident_visible
from dolbom.subsidies import events, storage
from dolbom.subsidies.errors import SubsidyErrorCode
from dolbom.subsidies.models import (
    Application,
    ApplicationStatus,
    ApplicationVersion,
    Category,
    Channel,
    Document,
    DocumentStatus,
    Pointer,
    PointerStatus,
    Programme,
    Round,
    RoundStatus,
    RuleSet,
    SupplementRequest,
)
from dolbom.subsidies.rules.compiled import CompiledRules, Outcome
from dolbom.subsidies.rules.facts import DATE_INPUTS, STANDARD_FACTS
from dolbom.subsidies.selectors import (
    APPROVED_STATUSES,
    PENDING_STATUSES,
    application_for_write,
    can_manage,
    can_take_applications,
    rule_set_in_force,
)
from dolbom.subsidies.services.programmes import rules_compiled

log = logging.getLogger(__name__)
# Kinds of document besides those a rule set asks for.
EXTRA_DOCUMENTS = {"photo": "사진", "other": "기타 서류"}
CHECKABLE = (ApplicationStatus.RECEIVED, ApplicationStatus.INCOMPLETE, ApplicationStatus.ELIGIBLE,
             ApplicationStatus.INELIGIBLE, ApplicationStatus.SELECTED, ApplicationStatus.WAITLISTED)


@dataclass(frozen=True)
class Applicant:
    name: str
    birth_date: dt.date
    phone: str
    address: str
    rrn: str = ""  # optional; when given, it is how an online applicant is matched to the registry
    dong: Dong | None = None


@dataclass(frozen=True)
class Upload:
    kind: str
    data: bytes
    name: str


# Facts ---------------------------------------------------------------------------------------

def _months_between(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(0, months)


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def coerce_declared(compiled: CompiledRules, raw: dict[str, Any]) -> dict[str, Any]:
    """The applicant's statements as typed facts, or a Korean refusal naming the field."""
    defs = {f.key: f for f in compiled.definition.facts}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if value in (None, ""):
            continue
        if key in DATE_INPUTS:
            try:
                out[key] = value.isoformat() if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)).isoformat()
            except ValueError as exc:
                raise DomainError(SubsidyErrorCode.FACT_INVALID, label=key, error="YYYY-MM-DD") from exc
            continue
        fact = defs.get(key) or STANDARD_FACTS.get(key)
        if fact is None:
            continue  # not a fact of this programme: ignored, never stored
        kind = fact.type
        label = str(fact.label)
        try:
            if kind == "int":
                v: Any = int(str(value).replace(",", ""))
            elif kind == "double":
                v = float(str(value).replace(",", ""))
            elif kind == "bool":
                v = value if isinstance(value, bool) else str(value).lower() in ("1", "true", "on", "yes", "예")
            elif kind == "list":
                v = [str(x).strip() for x in (value if isinstance(value, list) else str(value).split(",")) if str(x).strip()]
            else:
                v = str(value).strip()
        except ValueError as exc:
            raise DomainError(SubsidyErrorCode.FACT_INVALID, label=label, error="숫자로 적어 주세요") from exc
        choices = fact.choices
        if choices and kind == "string" and v not in choices:
            raise DomainError(SubsidyErrorCode.FACT_INVALID, label=label, error=", ".join(map(str, choices.values())))
        lo, hi = getattr(fact, "min", None), getattr(fact, "max", None)
        if kind in ("int", "double") and ((lo is not None and v < lo) or (hi is not None and v > hi)):
            raise DomainError(SubsidyErrorCode.FACT_INVALID, label=label, error=f"{lo:g} ~ {hi:g}"
                              if lo is not None and hi is not None else "범위를 벗어남")
        out[key] = v
    return out


def _income_tier_from_survey(benefits: list[str]) -> str | None:
    text = " ".join(benefits)
    if "기초생활수급" in text or "의료급여" in text:
        return "basic"
    if "차상위" in text:
        return "near_poor"
    return None  # a survey without those benefits does not prove a "general" household


def gather_facts(application: Application, declared: dict[str, Any], on: dt.date
                 ) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The facts the rules read, where each came from, and how the checked ones were checked.

    Registry data wins over the applicant's word where it exists; the rest is declared and stays
    unverified until an officer accepts the document that proves it (document_review)."""
    facts: dict[str, Any] = dict(declared)
    sources = {k: "declared" for k in declared}
    facts["category"], sources["category"] = application.category.code, "application"
    verified = {k: v for k, v in (application.verified or {}).items() if str(v).startswith("document:")}
    facts["birth_date"] = application.birth_date.isoformat()
    facts["age"] = _age_on(application.birth_date, on)
    sources["age"] = "declared"
    facts.setdefault("in_city", True)
    for key, default in (("has_disability", False), ("lives_alone", False), ("income_tier", "general")):
        if key not in facts:
            facts[key] = default
            sources[key] = "declared"
    sources.setdefault("in_city", "declared")
    if application.dong_id:
        facts["dong"] = application.dong.name
        sources["dong"] = "declared"
    since = declared.get("resident_since")
    if since:
        facts["residence_months"] = _months_between(dt.date.fromisoformat(since), on)
        sources["residence_months"] = "declared"
        if "resident_since" in verified:
            verified["residence_months"] = verified["resident_since"]
    r = application.resident
    if r is not None:
        for key, value in (("age", r.age_on(on)), ("in_city", r.deceased_on is None), ("dong", r.dong.name),
                           ("has_disability", r.has_severe_disability), ("lives_alone", r.lives_alone),
                           ("household_size", Resident.objects.filter(household_id=r.household_id,
                                                                      deceased_on__isnull=True).count())):
            facts[key], sources[key], verified[key] = value, "registry", "registry"
        survey = NeedsSurvey.objects.filter(case__resident=r).order_by("-surveyed_on", "-pk").first()
        tier = _income_tier_from_survey(list(survey.benefits_received or [])) if survey else None
        if tier:
            facts["income_tier"], sources["income_tier"] = tier, "survey"
            verified["income_tier"] = f"survey:{survey.pk}"
    history = Application.objects.filter(programme__kind=application.programme.kind,
                                         status__in=APPROVED_STATUSES).exclude(pk=application.pk)
    same = Q(address=application.address)
    if application.resident_id:
        same |= Q(resident_id=application.resident_id)
    if application.rrn_index:
        same |= Q(rrn_index=application.rrn_index)
    facts["prior_support_count"] = history.filter(same).count()
    sources["prior_support_count"], verified["prior_support_count"] = "history", "history"
    return facts, sources, verified


# Receipt --------------------------------------------------------------------------------------

def _number(programme: Programme) -> str:
    # Numbered under the programme's row lock, so two submissions at once cannot take the same number.
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    n = Application.objects.filter(programme=programme).count() + 1
    return f"{programme.code.upper()}-{n:05d}"


def _snapshot(application: Application, declared: dict[str, Any]) -> dict[str, Any]:
    return {"applicant_name": application.applicant_name, "birth_date": application.birth_date.isoformat(),
            "phone": application.phone, "address": application.address, "category": application.category.code,
            "dong": application.dong.name if application.dong_id else "", "declared": declared,
            "resident_id": application.resident_id}


def _version(application: Application, declared: dict[str, Any], actor: User | None, reason: str) -> None:
    ApplicationVersion.objects.create(application=application, version=application.version,
                                      data=_snapshot(application, declared), reason=reason[:200],
                                      changed_by=actor, changed_at=timezone.now())


def _match_resident(rrn: str) -> tuple[Resident | None, str, str]:
    if not rrn:
        return None, "", ""
    try:
        parsed = rrn_lib.parse(rrn)
    except rrn_lib.InvalidRRN as exc:
        raise DomainError(SubsidyErrorCode.FACT_INVALID, label="주민등록번호", error="형식이 맞지 않음") from exc
    index = rrn_lib.blind_index(parsed.digits, settings.RRN_INDEX_KEY)
    resident = Resident.objects.select_related("dong", "household").filter(
        rrn_index__in=rrn_lib.blind_indexes(parsed.digits, settings.RRN_INDEX_KEYS)).first()  # any key of the ring
    return resident, rrn_lib.encrypt(parsed.digits, settings.RRN_ENCRYPTION_KEY), index


def _text(application: Application, text: str, reference: str) -> None:
    """Tell the applicant by text once the write is committed. A gateway failure must not undo or hide
    the decision: it is logged, and the letter stays on the status page."""
    phone = application.phone

    def send() -> None:
        try:
            message_send(to=phone, text=text, purpose=MessagePurpose.NOTICE, reference=reference)
        except MessageError as exc:
            log.warning("subsidy message %s not sent: %s", reference, exc.code)

    transaction.on_commit(send)


def _mobile(phone: str) -> str:
    try:
        return phone_display(phone_normalise(phone))
    except MessageError as exc:
        raise DomainError(SubsidyErrorCode.FACT_INVALID, label="휴대전화", error="010-1234-5678") from exc


@transaction.atomic
def application_submit(*, actor: User | None, programme: Programme, round: Round, category: Category,
                       applicant: Applicant, declared: dict[str, Any], resident: Resident | None = None,
                       documents: list[Upload] = (), welfare_consent: bool = False,
                       pointer: Pointer | None = None, at: dt.datetime | None = None) -> Application:
    """Receive an application. ``actor`` None: online, after the one-time code (views.public)."""
    at = at or timezone.now()
    channel = Channel.PUBLIC if actor is None else Channel.OFFICE
    if actor is not None and not can_take_applications(actor):
        raise Forbidden(SubsidyErrorCode.NOT_ALLOWED)
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.programme_id != programme.pk or round.status != RoundStatus.OPEN or not (
            round.opens_at <= at <= round.closes_at):
        raise DomainError(SubsidyErrorCode.ROUND_NOT_OPEN)
    if category.programme_id != programme.pk:
        raise DomainError(SubsidyErrorCode.CATEGORY_UNKNOWN)
    rule_set = rule_set_in_force(programme=programme, on=timezone.localtime(at).date())
    if rule_set is None:
        raise DomainError(SubsidyErrorCode.NO_RULES_IN_FORCE)
    compiled = rules_compiled(rule_set)
    clean = coerce_declared(compiled, declared)
    matched, rrn_encrypted, rrn_index = _match_resident(applicant.rrn)
    if resident is not None:
        # At the office the officer picks the person from the registry, through their own scope.
        if actor is None or not resident_visible(actor).filter(pk=resident.pk).exists():
            raise NotFound(SubsidyErrorCode.APPLICATION_NOT_FOUND)
        matched = resident
    dup = Application.objects.filter(round=round).exclude(status=ApplicationStatus.WITHDRAWN)
    if (matched and dup.filter(resident=matched).exists()) or (rrn_index and dup.filter(rrn_index=rrn_index).exists()):
        raise DomainError(SubsidyErrorCode.ALREADY_APPLIED)
    application = Application.objects.create(
        number=_number(programme), programme=programme, round=round, category=category, channel=channel,
        received_at=at, resident=matched, household_id=matched.household_id if matched else None,
        dong=matched.dong if matched else applicant.dong, applicant_name=applicant.name.strip()[:50],
        birth_date=matched.birth_date if matched else applicant.birth_date, phone=_mobile(applicant.phone),
        address=applicant.address.strip()[:200], rrn_encrypted=rrn_encrypted, rrn_index=rrn_index, facts=clean,
        welfare_consent_at=at if welfare_consent else None, pointer=pointer, created_by=actor)
    _version(application, clean, actor, "신청 접수")
    for upload in documents:
        document_add(actor=actor, application=application, kind=upload.kind, data=upload.data, name=upload.name,
                     check=False)
    if pointer is not None:
        Pointer.objects.filter(pk=pointer.pk).update(status=PointerStatus.APPLIED)
    events.application_received(application=application, actor=actor)
    application_check(actor=actor, application=application, declared=clean)
    _text(application, f"[전주시] {programme.name} 신청이 접수되었습니다. 접수번호 {application.number}",
          f"subsidy-received-{application.number}")
    return application


# The rules' check -------------------------------------------------------------------------------

def _rule_set_for(application: Application) -> RuleSet:
    rule_set = rule_set_in_force(programme=application.programme,
                                 on=timezone.localtime(application.received_at).date())
    if rule_set is None:
        raise DomainError(SubsidyErrorCode.NO_RULES_IN_FORCE)
    return rule_set


def missing_documents(application: Application, outcome: Outcome, compiled: CompiledRules, *,
                      accepted: bool = False) -> list[str]:
    """Documents the rules ask for and nobody sent (with ``accepted``: that no officer accepted yet),
    except those whose every fact a record already proves: nobody is asked for a resident-register
    abstract the registry can answer (전자정부법 §36, 행정정보 공동이용)."""
    docs = application.documents.all()
    docs = docs.filter(status=DocumentStatus.ACCEPTED) if accepted else docs.exclude(status=DocumentStatus.REJECTED)
    have = set(docs.values_list("kind", flat=True))
    by_record = {k for k, how in (application.verified or {}).items() if not str(how).startswith("document:")}

    def proven_by_records(kind: str) -> bool:
        proves = _proves(compiled, kind) & compiled.facts_used
        return bool(proves) and proves <= by_record

    return [d for d in outcome.documents if d not in have and not proven_by_records(d)]


def evaluate(application: Application, declared: dict[str, Any] | None = None
             ) -> tuple[RuleSet, CompiledRules, dict[str, Any], dict[str, str], dict[str, str], list[str]]:
    rule_set = _rule_set_for(application)
    compiled = rules_compiled(rule_set)
    facts, sources, verified = gather_facts(application, declared if declared is not None else
                                            _declared(application), application.round.announced_on)
    for fact in compiled.definition.facts:
        if facts.get(fact.key) is None and fact.default is not None:
            facts[fact.key], sources[fact.key] = fact.default, "default"
    return rule_set, compiled, facts, sources, verified, compiled.missing(facts)


def _declared(application: Application) -> dict[str, Any]:
    latest = application.versions.order_by("-version").first()
    return dict(latest.data.get("declared", {})) if latest else {}


def application_check(*, actor: User | None, application: Application,
                      declared: dict[str, Any] | None = None) -> Application:
    """Check against the registry and the rules; ask for what is missing, with a deadline."""
    if application.status not in CHECKABLE:
        raise DomainError(SubsidyErrorCode.BAD_STATUS, status=application.get_status_display())
    rule_set, compiled, facts, sources, verified, missing = evaluate(application, declared)
    application.rule_set, application.facts, application.fact_sources = rule_set, facts, sources
    application.verified, application.checked_at = verified, timezone.now()
    outcome = None if missing else compiled.evaluate(facts)
    missing_docs = missing_documents(application, outcome, compiled) if outcome else []
    if missing or missing_docs:
        application.status = ApplicationStatus.INCOMPLETE
        application.eligible = None
        _supplement(application, missing, missing_docs, compiled, actor)
    else:
        assert outcome is not None
        _store_outcome(application, outcome)
        if application.status in (ApplicationStatus.RECEIVED, ApplicationStatus.INCOMPLETE,
                                  ApplicationStatus.ELIGIBLE, ApplicationStatus.INELIGIBLE):
            application.status = ApplicationStatus.ELIGIBLE if outcome.eligible else ApplicationStatus.INELIGIBLE
        elif not outcome.eligible:  # selected or waitlisted, and a correction made it ineligible
            application.status = ApplicationStatus.INELIGIBLE
        application.supplements.filter(answered_at__isnull=True, lapsed_at__isnull=True).update(
            answered_at=timezone.now())
    application.save()
    return application


def _store_outcome(application: Application, outcome: Outcome) -> None:
    application.eligible = outcome.eligible
    application.amount = outcome.amount
    application.score = outcome.score
    application.priority_groups = outcome.priority_groups
    application.explanation = outcome.explanation
    application.trace = [s.as_dict() for s in outcome.trace]


def fact_label(compiled: CompiledRules, key: str) -> str:
    for f in compiled.definition.facts:
        if f.key == key:
            return f.label
    if key in STANDARD_FACTS:
        return str(STANDARD_FACTS[key].label)
    return {"resident_since": "전입일(주민등록초본)", "birth_date": "생년월일"}.get(key, key)


def document_label(compiled: CompiledRules, key: str) -> str:
    for d in compiled.definition.documents:
        if d.key == key:
            return d.label
    return EXTRA_DOCUMENTS.get(key, key)


def _supplement(application: Application, missing: list[str], missing_docs: list[str], compiled: CompiledRules,
                actor: User | None) -> SupplementRequest | None:
    # residence_months comes from the move-in date the applicant states.
    asked = sorted({("resident_since" if k == "residence_months" else k) for k in missing})
    open_request = application.supplements.filter(answered_at__isnull=True, lapsed_at__isnull=True).first()
    if open_request and open_request.missing_facts == asked and open_request.missing_documents == missing_docs:
        return open_request
    if open_request:
        open_request.answered_at = timezone.now()
        open_request.save(update_fields=["answered_at"])
    due = timezone.localdate() + dt.timedelta(days=application.programme.supplement_days)
    items = [fact_label(compiled, k) for k in asked] + [document_label(compiled, d) for d in missing_docs]
    message = f"보완 요청: {', '.join(items)} (기한 {due:%Y-%m-%d})"
    request = SupplementRequest.objects.create(application=application, missing_facts=asked,
                                               missing_documents=missing_docs, message=message, due_on=due,
                                               requested_by=actor, requested_at=timezone.now())
    _text(application, f"[전주시] {application.programme.name} {application.number}: {message}. "
                       "보완하지 않으면 신청이 반려될 수 있습니다.", f"subsidy-supplement-{request.pk}")
    return request


# Changes ----------------------------------------------------------------------------------------

def _lock(actor: User | None, application: Application) -> Application:
    if actor is None:  # the applicant, online, after their one-time code (views.public)
        return Application.objects.select_for_update().get(pk=application.pk)
    return lock_in_scope(application_for_write(viewer=actor), application.pk, SubsidyErrorCode.APPLICATION_NOT_FOUND)


@transaction.atomic
def application_update(*, actor: User | None, application: Application, declared: dict[str, Any],
                       reason: str, category: Category | None = None) -> Application:
    """A correction or a supplement: a new version (the old one is kept), then a new check."""
    application = _lock(actor, application)
    if application.status not in CHECKABLE:
        raise DomainError(SubsidyErrorCode.BAD_STATUS, status=application.get_status_display())
    if not reason.strip():
        raise DomainError(SubsidyErrorCode.REASON_REQUIRED)
    compiled = rules_compiled(_rule_set_for(application))
    merged = {**_declared(application), **coerce_declared(compiled, declared)}
    if category is not None:
        if category.programme_id != application.programme_id:
            raise DomainError(SubsidyErrorCode.CATEGORY_UNKNOWN)
        application.category = category
    application.version += 1
    # A fact that changed is no longer proven by the document that proved the old value.
    old = _declared(application)
    application.verified = {k: v for k, v in (application.verified or {}).items()
                            if not (str(v).startswith("document:") and old.get(k) != merged.get(k))}
    application.save(update_fields=["version", "category", "verified"])
    _version(application, merged, actor, reason)
    return application_check(actor=actor, application=application, declared=merged)


@transaction.atomic
def document_add(*, actor: User | None, application: Application, kind: str, data: bytes, name: str,
                 check: bool = True) -> Document:
    """Store one file (type, size, content and virus checks: storage.py) and, unless told not to, check
    the application again: a document may be what a supplement request was waiting for."""
    application = _lock(actor, application) if check else application
    compiled = rules_compiled(_rule_set_for(application))
    if kind not in {d.key for d in compiled.definition.documents} and kind not in EXTRA_DOCUMENTS:
        raise DomainError(SubsidyErrorCode.DOCUMENT_KIND_UNKNOWN)
    stored = storage.store(data)
    try:
        document = Document.objects.create(
            application=application, kind=kind, original_name=(name or "document")[:200],
            stored_name=stored.stored_name, content_type=stored.content_type, size=stored.size,
            sha256=stored.sha256, scan=stored.scan, uploaded_by=actor, uploaded_at=timezone.now())
    except BaseException:
        storage.discard(stored.stored_name)
        raise
    if check and application.status in CHECKABLE:
        application_check(actor=actor, application=application)
    return document


def _proves(compiled: CompiledRules, kind: str) -> set[str]:
    facts = {f.key for f in compiled.definition.facts if f.document == kind}
    facts |= {k for k, f in STANDARD_FACTS.items() if f.document == kind}
    for d in compiled.definition.documents:
        if d.key == kind:
            facts |= set(d.proves)
    if "residence_months" in facts:
        facts.add("resident_since")
    return facts


@transaction.atomic
def document_review(*, actor: User, document: Document, accept: bool, note: str = "") -> Document:
    """The officer accepts a document (the facts it proves become verified) or rejects it (asked again)."""
    application = _lock(actor, document.application)
    if not can_manage(actor, application.programme) and not can_take_applications(actor):
        raise Forbidden(SubsidyErrorCode.NOT_ALLOWED)
    document = Document.objects.select_for_update().get(pk=document.pk, application=application)
    document.status = DocumentStatus.ACCEPTED if accept else DocumentStatus.REJECTED
    document.review_note = note.strip()[:200]
    document.save(update_fields=["status", "review_note"])
    compiled = rules_compiled(_rule_set_for(application))
    verified = dict(application.verified or {})
    for fact in _proves(compiled, document.kind):
        if fact in application.facts and application.fact_sources.get(fact, "declared") == "declared":
            if accept:
                verified[fact] = f"document:{document.pk}"
            elif verified.get(fact) == f"document:{document.pk}":
                verified.pop(fact)
    application.verified = verified
    application.save(update_fields=["verified"])
    if application.status in CHECKABLE:
        application_check(actor=actor, application=application)
    return document


@transaction.atomic
def application_withdraw(*, actor: User | None, application: Application, reason: str) -> Application:
    from dolbom.subsidies.services.budget import budget_release

    application = _lock(actor, application)
    if application.status not in (*PENDING_STATUSES, ApplicationStatus.INELIGIBLE, ApplicationStatus.APPROVED):
        raise DomainError(SubsidyErrorCode.BAD_STATUS, status=application.get_status_display())
    if application.status == ApplicationStatus.APPROVED:
        budget_release(actor=actor, application=application,
                       amount=int(application.amount or 0), note=f"신청 취소: {reason}"[:200])
    application.status = ApplicationStatus.WITHDRAWN
    application.version += 1
    application.save(update_fields=["status", "version"])
    _version(application, _declared(application), actor, f"신청 취소: {reason}")
    return application


@transaction.atomic
def supplements_lapse(*, today: dt.date | None = None) -> int:
    """Applications whose supplement deadline passed with nothing sent: lapsed (the officer then sends the
    refusal notice). Idempotent: a lapsed request is not counted twice."""
    today = today or timezone.localdate()
    overdue = SupplementRequest.objects.select_for_update().filter(
        answered_at__isnull=True, lapsed_at__isnull=True, due_on__lt=today,
        application__status=ApplicationStatus.INCOMPLETE)
    ids = list(overdue.values_list("application_id", flat=True))
    overdue.update(lapsed_at=timezone.now())
    Application.objects.filter(pk__in=ids, status=ApplicationStatus.INCOMPLETE).update(status=ApplicationStatus.LAPSED)
    return len(ids)
