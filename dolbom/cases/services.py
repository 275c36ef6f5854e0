"""Writes on a case: each step of the Act's workflow, one function each, one transaction each.

Every function locks the case row first (select_for_update) so that two officers pressing the same
button cannot both move the case; the timeline row is written in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import can_write_cases, lock_in_scope, role_of
from dolbom.cases import events, hooks
from dolbom.cases.errors import CaseErrorCode
from dolbom.cases.models import (
    ApplicantType,
    Case,
    CaseOrigin,
    CaseStatus,
    CitySettings,
    ClosureReason,
    EligibilityDecision,
    ExOfficioReason,
    FollowUp,
    FollowUpOutcome,
    NeedLevel,
    NeedsSurvey,
    ServiceDomain,
    SupportPlan,
    SupportPlanLine,
)
from dolbom.cases.rules import ADL_ITEMS, FIRST_FOLLOW_UP_MAX_DAYS, FOLLOW_UP_MAX_DAYS, IADL_ITEMS, SCORES
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.registry.models import CITY_RECIPIENT, Consent, ConsentPurpose, Resident


def _require_writer(actor: User) -> None:
    if not can_write_cases(actor):
        raise Forbidden(CaseErrorCode.NOT_ALLOWED)


def _lock(case: Case, actor: User) -> Case:
    # Scope is checked again under the lock: a service is never a way around the selectors.
    from dolbom.cases.selectors import case_visible

    return lock_in_scope(case_visible(actor), case.pk, CaseErrorCode.CASE_NOT_FOUND, actor=actor, record_type="case",
                         resident="resident_id")


def _require_status(case: Case, *allowed: CaseStatus) -> None:
    if case.status == CaseStatus.CLOSED:
        raise DomainError(CaseErrorCode.CASE_CLOSED)
    if case.status not in allowed:
        raise DomainError(CaseErrorCode.STEP_NOT_ALLOWED, status=CaseStatus(case.status).label)


def _not_future(moment: dt.datetime | dt.date) -> None:
    now = timezone.now() if isinstance(moment, dt.datetime) else timezone.localdate()
    if moment > now:
        raise DomainError(CaseErrorCode.DATE_IN_FUTURE)


def _check_manager(manager: User) -> None:
    if role_of(manager) not in (Role.DONG_OFFICER, Role.CASE_MANAGER, Role.CITY_TEAM):
        raise DomainError(CaseErrorCode.MANAGER_INVALID)


def _new_case(*, actor: User, resident: Resident, manager: User | None, origin: CaseOrigin, origin_note: str,
              status: CaseStatus) -> Case:
    from dolbom.registry.selectors import resident_visible

    if not resident_visible(actor).filter(pk=resident.pk).exists():
        raise NotFound(CaseErrorCode.CASE_NOT_FOUND)
    manager = manager or actor
    _check_manager(manager)
    now = timezone.now()
    case = Case.objects.create(
        number=f"tmp-{uuid.uuid4().hex}", resident=resident, dong_id=resident.dong_id, manager=manager,
        status=status, origin=origin, origin_note=origin_note, opened_at=now,
    )
    # Number from the primary key: unique without a counter table or a race between offices.
    case.number = f"{now:%Y}-{case.pk:06d}"
    case.save(update_fields=["number"])
    return case


# Start -----------------------------------------------------------------------------------------

@transaction.atomic
def case_discover(*, actor: User, resident: Resident, origin: CaseOrigin, note: str = "",
                  manager: User | None = None) -> Case:
    """A case found before anyone applied: crisis discovery, a community referral, a discharge notice."""
    _require_writer(actor)
    if origin not in (CaseOrigin.CRISIS_DISCOVERY, CaseOrigin.COMMUNITY_REFERRAL, CaseOrigin.HOSPITAL_DISCHARGE):
        raise DomainError(CaseErrorCode.ORIGIN_INVALID)
    case = _new_case(actor=actor, resident=resident, manager=manager, origin=origin, origin_note=note,
                     status=CaseStatus.DISCOVERED)
    events.case_discovered(case=case, actor=actor)
    return case


@dataclass(frozen=True)
class Application:
    applicant_type: ApplicantType
    applied_at: dt.datetime | None = None
    applicant_name: str = ""
    applicant_relation: str = ""
    ex_officio_reason: ExOfficioReason | str = ""
    explained_at: dt.datetime | None = None
    consent_at: dt.datetime | None = None


def _validate_application(app: Application, applied_at: dt.datetime) -> None:
    if app.applicant_type not in ApplicantType.values:
        raise DomainError(CaseErrorCode.APPLICANT_TYPE_INVALID)
    _not_future(applied_at)
    if app.applicant_type in (ApplicantType.RELATIVE, ApplicantType.GUARDIAN, ApplicantType.INSTITUTION_STAFF):
        if not app.applicant_name.strip() or not app.applicant_relation.strip():
            raise DomainError(CaseErrorCode.APPLICANT_NAME_REQUIRED)
    if app.applicant_type == ApplicantType.INSTITUTION_STAFF and app.consent_at is None:
        raise DomainError(CaseErrorCode.CONSENT_REQUIRED)
    if app.applicant_type == ApplicantType.EX_OFFICIO:
        # Act §11(2): ex officio only on the listed grounds, after explaining and with prior consent.
        if app.ex_officio_reason not in ExOfficioReason.values:
            raise DomainError(CaseErrorCode.EX_OFFICIO_REASON_REQUIRED)
        if app.explained_at is None or app.consent_at is None:
            raise DomainError(CaseErrorCode.EX_OFFICIO_EXPLANATION_REQUIRED)
        if app.explained_at > applied_at or app.consent_at > applied_at:
            raise DomainError(CaseErrorCode.CONSENT_AFTER_APPLICATION)
    if app.consent_at is not None and app.consent_at > applied_at:
        raise DomainError(CaseErrorCode.CONSENT_AFTER_APPLICATION)


def _apply(case: Case, actor: User, app: Application, applied_at: dt.datetime) -> None:
    consent = None
    if app.consent_at is not None:
        purpose = (ConsentPurpose.EX_OFFICIO if app.applicant_type == ApplicantType.EX_OFFICIO
                   else ConsentPurpose.APPLICATION_BY_INSTITUTION
                   if app.applicant_type == ApplicantType.INSTITUTION_STAFF else ConsentPurpose.CASE_MANAGEMENT)
        consent = Consent.objects.create(
            resident=case.resident, purpose=purpose, recipient=CITY_RECIPIENT, given_at=app.consent_at,
            recorded_by=actor, method="written",
        )
    old_status = case.status
    case.status = CaseStatus.APPLIED
    case.applied_at = applied_at
    case.applicant_type = app.applicant_type
    case.applicant_name = app.applicant_name.strip()
    case.applicant_relation = app.applicant_relation.strip()
    case.ex_officio_reason = app.ex_officio_reason if app.applicant_type == ApplicantType.EX_OFFICIO else ""
    case.explained_at = app.explained_at
    case.consent = consent
    case.save()
    events.case_application_recorded(case=case, actor=actor, old_status=old_status)


@transaction.atomic
def case_open(*, actor: User, resident: Resident, application: Application, manager: User | None = None) -> Case:
    """Open a case on an application (Act §11; Rule 별지 제1호)."""
    _require_writer(actor)
    applied_at = application.applied_at or timezone.now()
    _validate_application(application, applied_at)
    case = _new_case(actor=actor, resident=resident, manager=manager, origin=CaseOrigin.APPLICATION,
                     origin_note="", status=CaseStatus.APPLIED)
    _apply(case, actor, application, applied_at)
    return case


@transaction.atomic
def case_application_record(*, actor: User, case: Case, application: Application) -> Case:
    """A discovered case becomes an application (often ex officio after a home visit)."""
    _require_writer(actor)
    case = _lock(case, actor)
    _require_status(case, CaseStatus.DISCOVERED)
    applied_at = application.applied_at or timezone.now()
    _validate_application(application, applied_at)
    _apply(case, actor, application, applied_at)
    return case


@transaction.atomic
def case_manager_assign(*, actor: User, case: Case, manager: User) -> Case:
    _require_writer(actor)
    case = _lock(case, actor)
    _require_status(case, *[s for s in CaseStatus if s != CaseStatus.CLOSED])
    _check_manager(manager)
    old = case.manager_id
    case.manager = manager
    case.save(update_fields=["manager", "updated_at"])
    events.case_manager_assigned(case=case, actor=actor, old_manager_id=old)
    return case


# Needs survey ----------------------------------------------------------------------------------

def _scores(values: dict[str, Any], items: dict[str, Any]) -> dict[str, int]:
    if set(values) != set(items):
        raise DomainError(CaseErrorCode.SURVEY_INCOMPLETE)
    out = {}
    for key, value in values.items():
        try:
            score = int(value)
        except (TypeError, ValueError) as exc:
            raise DomainError(CaseErrorCode.SCORE_INVALID) from exc
        if score not in SCORES:
            raise DomainError(CaseErrorCode.SCORE_INVALID)
        out[key] = score
    return out


@transaction.atomic
def survey_record(
    *, actor: User, case: Case, surveyed_on: dt.date, household_environment: dict[str, Any],
    benefits_received: list[str], adl: dict[str, Any], iadl: dict[str, Any], health: dict[str, Any],
    needs: list[str], other: str = "",
) -> NeedsSurvey:
    """Needs survey (Decree §10). Always a new row: earlier surveys stay as they were."""
    _require_writer(actor)
    case = _lock(case, actor)
    _require_status(case, CaseStatus.APPLIED, CaseStatus.SURVEYED, CaseStatus.REASSESSMENT)
    _not_future(surveyed_on)
    adl_scores, iadl_scores = _scores(adl, ADL_ITEMS), _scores(iadl, IADL_ITEMS)
    if not needs:
        raise DomainError(CaseErrorCode.SURVEY_INCOMPLETE)
    sequence = case.surveys.count() + 1
    survey = NeedsSurvey.objects.create(
        case=case, sequence=sequence, surveyed_on=surveyed_on, surveyed_by=actor,
        household_environment=household_environment, benefits_received=benefits_received,
        adl=adl_scores, iadl=iadl_scores, adl_total=sum(adl_scores.values()), iadl_total=sum(iadl_scores.values()),
        health=health, needs=needs, other=other,
    )
    old_status = case.status
    case.status = CaseStatus.SURVEYED
    case.save(update_fields=["status", "updated_at"])
    events.case_survey_recorded(case=case, actor=actor, survey_id=survey.pk, sequence=sequence,
                                old_status=old_status, adl_total=survey.adl_total, iadl_total=survey.iadl_total)
    return survey


# Eligibility decision --------------------------------------------------------------------------

@transaction.atomic
def eligibility_decision_record(
    *, actor: User, case: Case, decided_on: dt.date, physical_function: str, medical_need: str, nutrition: str,
    housing: str, other_factors: str, medical_need_level: NeedLevel, care_need_level: NeedLevel,
    explanation: str, explained_at: dt.datetime,
) -> EligibilityDecision:
    """종합판정 (Decree §11) on the latest survey."""
    _require_writer(actor)
    case = _lock(case, actor)
    _require_status(case, CaseStatus.SURVEYED)
    _not_future(decided_on)
    factors = (physical_function, medical_need, nutrition, housing, explanation)
    if (any(not f.strip() for f in factors) or medical_need_level not in NeedLevel.values
            or care_need_level not in NeedLevel.values or explained_at is None):
        raise DomainError(CaseErrorCode.DECISION_INCOMPLETE)
    survey = case.surveys.order_by("-sequence").first()
    decision = EligibilityDecision.objects.create(
        case=case, sequence=case.decisions.count() + 1, survey=survey, decided_on=decided_on, decided_by=actor,
        physical_function=physical_function.strip(), medical_need=medical_need.strip(), nutrition=nutrition.strip(),
        housing=housing.strip(), other_factors=other_factors.strip(), medical_need_level=medical_need_level,
        care_need_level=care_need_level, explanation=explanation.strip(), explained_at=explained_at,
    )
    old_status = case.status
    case.status = CaseStatus.DECIDED
    case.save(update_fields=["status", "updated_at"])
    events.case_decision_recorded(case=case, actor=actor, decision_id=decision.pk, old_status=old_status,
                                  medical_need_level=medical_need_level, care_need_level=care_need_level)
    return decision


# Support plan ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanLine:
    domain: ServiceDomain | str
    content: str
    method: str
    quantity: str
    starts_on: dt.date
    ends_on: dt.date
    provider: str


@transaction.atomic
def plan_create(
    *, actor: User, case: Case, goals: str, lines: list[PlanLine], starts_on: dt.date,
    provider_linkage: str = "", client_opinion: str = "", family_opinion: str = "",
) -> SupportPlan:
    """A new version of the support plan (Rule 별지 제2호); earlier versions stay unchanged."""
    _require_writer(actor)
    case = _lock(case, actor)
    if case.status in (CaseStatus.DISCOVERED, CaseStatus.APPLIED, CaseStatus.SURVEYED, CaseStatus.REASSESSMENT):
        raise DomainError(CaseErrorCode.PLAN_BEFORE_DECISION)
    _require_status(case, CaseStatus.DECIDED, CaseStatus.IN_SERVICE)
    if not goals.strip() or not lines:
        raise DomainError(CaseErrorCode.PLAN_INCOMPLETE)
    for line in lines:
        if line.domain not in ServiceDomain.values or not all(
            s.strip() for s in (line.content, line.method, line.quantity, line.provider)
        ):
            raise DomainError(CaseErrorCode.PLAN_INCOMPLETE)
        if line.ends_on < line.starts_on:
            raise DomainError(CaseErrorCode.PLAN_LINE_DATES)
    decision = case.decisions.order_by("-sequence").first()
    plan = SupportPlan.objects.create(
        case=case, version=case.plans.count() + 1, decision=decision, goals=goals.strip(),
        provider_linkage=provider_linkage.strip(), client_opinion=client_opinion.strip(),
        family_opinion=family_opinion.strip(), starts_on=starts_on, created_by=actor,
    )
    SupportPlanLine.objects.bulk_create([
        SupportPlanLine(plan=plan, position=i, domain=ln.domain, content=ln.content.strip(), method=ln.method.strip(),
                        quantity=ln.quantity.strip(), starts_on=ln.starts_on, ends_on=ln.ends_on,
                        provider=ln.provider.strip())
        for i, ln in enumerate(lines, start=1)
    ])
    old_status = case.status
    if case.first_plan_on is None:
        # Decree: the first follow-up falls within 90 days of the first plan.
        case.first_plan_on = starts_on
        case.next_follow_up_due = starts_on + dt.timedelta(days=CitySettings.current().first_follow_up_days)
    elif case.next_follow_up_due is None:
        case.next_follow_up_due = starts_on + dt.timedelta(days=CitySettings.current().follow_up_interval_days)
    case.status = CaseStatus.IN_SERVICE
    case.save(update_fields=["status", "first_plan_on", "next_follow_up_due", "updated_at"])
    events.case_plan_created(case=case, actor=actor, plan_id=plan.pk, version=plan.version,
                             old_status=old_status, lines=len(lines))
    return plan


# Integrated support meeting (optional, never a gate) ------------------------------------------

@transaction.atomic
def meeting_request(*, actor: User, case: Case, reason: str = "") -> Case:
    _require_writer(actor)
    case = _lock(case, actor)
    _require_status(case, *[s for s in CaseStatus if s != CaseStatus.CLOSED])
    case.meeting_requested = True
    case.save(update_fields=["meeting_requested", "updated_at"])
    events.case_meeting_requested(case=case, actor=actor, reason=reason.strip())
    return case


@transaction.atomic
def meeting_outcome_note(*, actor: User, case: Case, outcome: str) -> Case:
    _require_writer(actor)
    case = _lock(case, actor)
    _require_status(case, *[s for s in CaseStatus if s != CaseStatus.CLOSED])
    if not case.meeting_requested:
        raise DomainError(CaseErrorCode.MEETING_NOT_REQUESTED)
    if not outcome.strip():
        raise DomainError(CaseErrorCode.OUTCOME_REQUIRED)
    old = case.meeting_outcome
    case.meeting_outcome = outcome.strip()
    case.save(update_fields=["meeting_outcome", "updated_at"])
    events.case_meeting_outcome_noted(case=case, actor=actor, old_outcome=old)
    return case


# Follow-up and reassessment --------------------------------------------------------------------

@transaction.atomic
def follow_up_record(*, actor: User, case: Case, done_on: dt.date, outcome: FollowUpOutcome, note: str) -> FollowUp:
    _require_writer(actor)
    case = _lock(case, actor)
    if case.status != CaseStatus.IN_SERVICE:
        if case.status == CaseStatus.CLOSED:
            raise DomainError(CaseErrorCode.CASE_CLOSED)
        raise DomainError(CaseErrorCode.FOLLOW_UP_NOT_DUE)
    _not_future(done_on)
    if not note.strip():
        raise DomainError(CaseErrorCode.FOLLOW_UP_NOTE_REQUIRED)
    if outcome not in FollowUpOutcome.values:
        raise DomainError(CaseErrorCode.STEP_NOT_ALLOWED, status=CaseStatus(case.status).label)
    old_due = case.next_follow_up_due
    follow_up = FollowUp.objects.create(case=case, due_on=old_due or done_on, done_on=done_on, done_by=actor,
                                        outcome=outcome, note=note.strip())
    old_status = case.status
    if outcome == FollowUpOutcome.CHANGE:
        # A change in the person's situation sends the case back to a new survey and decision.
        case.status = CaseStatus.REASSESSMENT
        case.next_follow_up_due = None
    else:
        case.next_follow_up_due = done_on + dt.timedelta(days=CitySettings.current().follow_up_interval_days)
    case.save(update_fields=["status", "next_follow_up_due", "updated_at"])
    events.case_follow_up_recorded(case=case, actor=actor, follow_up_id=follow_up.pk, outcome=outcome,
                                   old_status=old_status, old_due=old_due.isoformat() if old_due else None,
                                   note=follow_up.note)
    return follow_up


@transaction.atomic
def reassessment_start(*, actor: User, case: Case, reason: str) -> Case:
    _require_writer(actor)
    case = _lock(case, actor)
    _require_status(case, CaseStatus.DECIDED, CaseStatus.IN_SERVICE)
    if not reason.strip():
        raise DomainError(CaseErrorCode.REOPEN_REASON_REQUIRED)
    old_status = case.status
    case.status = CaseStatus.REASSESSMENT
    case.next_follow_up_due = None
    case.save(update_fields=["status", "next_follow_up_due", "updated_at"])
    events.case_reassessment_started(case=case, actor=actor, old_status=old_status, reason=reason.strip())
    return case


# Closure ---------------------------------------------------------------------------------------

@transaction.atomic
def case_close(*, actor: User, case: Case, reason: ClosureReason | str, note: str) -> Case:
    """Closure (Decree §14) only on one of the five legal reasons, with a note."""
    _require_writer(actor)
    case = _lock(case, actor)
    _require_status(case, *[s for s in CaseStatus if s != CaseStatus.CLOSED])
    if reason not in ClosureReason.values:
        raise DomainError(CaseErrorCode.CLOSURE_REASON_REQUIRED)
    if not note.strip():
        raise DomainError(CaseErrorCode.CLOSURE_NOTE_REQUIRED)
    old_status = case.status
    case.status = CaseStatus.CLOSED
    case.closure_reason = reason
    case.closure_note = note.strip()
    case.closed_at = timezone.now()
    case.next_follow_up_due = None
    case.save()
    events.case_closed(case=case, actor=actor, old_status=old_status)
    # The provider must stop serving a closed case: its referrals end in this same transaction, so
    # no partner keeps an "accepted" client whose case no longer exists (the referrals app connects).
    hooks.case_closed.run(actor=actor, case=case)
    return case


@transaction.atomic
def case_reopen(*, actor: User, case: Case, reason: str) -> Case:
    _require_writer(actor)
    case = _lock(case, actor)
    if case.status != CaseStatus.CLOSED:
        raise DomainError(CaseErrorCode.NOT_CLOSED)
    if not reason.strip():
        raise DomainError(CaseErrorCode.REOPEN_REASON_REQUIRED)
    old_reason = case.closure_reason
    # Back to the start of assessment: circumstances changed since closure, so survey again.
    case.status = (CaseStatus.DISCOVERED if case.applied_at is None
                   else CaseStatus.REASSESSMENT if case.decisions.exists() else CaseStatus.APPLIED)
    case.closure_reason = ""
    case.closure_note = ""
    case.closed_at = None
    case.save()
    events.case_reopened(case=case, actor=actor, old_status=CaseStatus.CLOSED, old_reason=old_reason,
                         reason=reason.strip())
    return case


@transaction.atomic
def city_settings_update(*, actor: User, first_follow_up_days: int, follow_up_interval_days: int) -> CitySettings:
    if role_of(actor) != Role.CITY_TEAM:
        raise Forbidden(CaseErrorCode.NOT_ALLOWED)
    if not (1 <= first_follow_up_days <= FIRST_FOLLOW_UP_MAX_DAYS and 1 <= follow_up_interval_days <= FOLLOW_UP_MAX_DAYS):
        raise DomainError(CaseErrorCode.INTERVAL_OUT_OF_RANGE)
    row = CitySettings.objects.select_for_update().order_by("pk").first() or CitySettings()
    row.first_follow_up_days = first_follow_up_days
    row.follow_up_interval_days = follow_up_interval_days
    row.save()
    return row
