"""Case endpoints: the Act's workflow from application (or discovery) to closure, one call per step.

Thin: the case is obtained through cases.selectors.case_get (scope, purpose, access log) and the step
is one service call; refusals come back as ``{"code", "message"}`` and change nothing.

No ``from __future__ import annotations`` here: ninja reads the annotations at import time to build
its query and body schemas, and postponed (string) annotations break nested query schemas.
"""

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from dolbom.cases import selectors, services
from dolbom.cases.errors import CaseErrorCode
from dolbom.cases.export import cases_csv
from dolbom.cases.models import (
    ApplicantType,
    Case,
    CaseEvent,
    CaseEventType,
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
)
from dolbom.lib.api import ERRORS, Purpose, access_context, actor
from dolbom.lib.errors import DomainError
from dolbom.registry import selectors as registry_selectors

router = Router(tags=["cases"])

LIMIT = Query(100, ge=1, le=200)


# Schemas -------------------------------------------------------------------------------------

class CaseStaffRef(Schema):
    id: int
    name: str
    role: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        staff = getattr(obj, "staff", None)
        return staff.display_name if staff else obj.get_username()

    @staticmethod
    def resolve_role(obj: User) -> str:
        staff = getattr(obj, "staff", None)
        return staff.role if staff else ""


class CaseDongRef(Schema):
    id: int
    name: str


class ClientRef(Schema):
    id: int
    name: str
    birth_date: dt.date
    rrn_masked: str


class CaseSummaryOut(Schema):
    id: int
    number: str
    status: CaseStatus
    origin: CaseOrigin
    resident: ClientRef
    dong: CaseDongRef
    manager: CaseStaffRef
    opened_at: dt.datetime
    applied_at: dt.datetime | None
    next_follow_up_due: dt.date | None
    meeting_requested: bool
    closed_at: dt.datetime | None
    next_step: str | None = Field(description="application, survey, decision, plan or follow_up; null when closed")

    @staticmethod
    def resolve_next_step(obj: Case) -> str | None:
        return selectors.NEXT_STEP.get(obj.status)


class CaseOut(CaseSummaryOut):
    origin_note: str
    applicant_type: ApplicantType | None
    applicant_name: str
    applicant_relation: str
    ex_officio_reason: ExOfficioReason | None
    explained_at: dt.datetime | None
    consent_id: int | None
    meeting_outcome: str
    first_plan_on: dt.date | None
    closure_reason: ClosureReason | None
    closure_note: str

    @staticmethod
    def resolve_applicant_type(obj: Case) -> str | None:
        return obj.applicant_type or None

    @staticmethod
    def resolve_ex_officio_reason(obj: Case) -> str | None:
        return obj.ex_officio_reason or None

    @staticmethod
    def resolve_closure_reason(obj: Case) -> str | None:
        return obj.closure_reason or None


class ApplicationIn(Schema):
    applicant_type: ApplicantType
    applied_at: dt.datetime | None = Field(None, description="Defaults to now")
    applicant_name: str = ""
    applicant_relation: str = ""
    ex_officio_reason: ExOfficioReason | None = Field(None, description="Required for ex officio applications")
    explained_at: dt.datetime | None = Field(None, description="When the person was given the explanation")
    consent_at: dt.datetime | None = Field(None, description="When the person gave (prior) consent")

    def to_application(self) -> services.Application:
        return services.Application(
            applicant_type=self.applicant_type, applied_at=self.applied_at, applicant_name=self.applicant_name,
            applicant_relation=self.applicant_relation, ex_officio_reason=self.ex_officio_reason or "",
            explained_at=self.explained_at, consent_at=self.consent_at,
        )


class CaseOpenIn(ApplicationIn):
    resident_id: int
    manager_id: int | None = Field(None, description="Defaults to the caller")


class CaseDiscoverIn(Schema):
    resident_id: int
    origin: CaseOrigin
    note: str = ""
    manager_id: int | None = None


class SurveyIn(Schema):
    surveyed_on: dt.date
    household_environment: dict[str, Any] = {}
    benefits_received: list[str] = []
    adl: dict[str, int] = Field(description="Every K-ADL item scored 1 (independent) to 3 (fully dependent)")
    iadl: dict[str, int] = Field(description="Every K-IADL item scored 1 to 3")
    health: dict[str, Any] = {}
    needs: list[str]
    other: str = ""


class SurveyOut(Schema):
    id: int
    case_id: int
    sequence: int
    surveyed_on: dt.date
    adl_total: int
    iadl_total: int


class EligibilityDecisionIn(Schema):
    decided_on: dt.date
    physical_function: str
    medical_need: str
    nutrition: str
    housing: str
    other_factors: str = ""
    medical_need_level: NeedLevel
    care_need_level: NeedLevel
    explanation: str = Field(description="The explanation given to the person")
    explained_at: dt.datetime


class DecisionOut(Schema):
    id: int
    case_id: int
    sequence: int
    survey_id: int
    decided_on: dt.date
    medical_need_level: NeedLevel
    care_need_level: NeedLevel


class PlanLineIn(Schema):
    domain: ServiceDomain
    content: str
    method: str
    quantity: str
    starts_on: dt.date
    ends_on: dt.date
    provider: str


class PlanLineOut(PlanLineIn):
    position: int


class SupportPlanIn(Schema):
    goals: str
    starts_on: dt.date
    lines: list[PlanLineIn]
    provider_linkage: str = ""
    client_opinion: str = ""
    family_opinion: str = ""


class PlanVersionOut(Schema):
    id: int
    version: int
    decision_id: int
    starts_on: dt.date
    created_by: CaseStaffRef
    created_at: dt.datetime


class SupportPlanOut(PlanVersionOut):
    case_id: int
    goals: str
    provider_linkage: str
    client_opinion: str
    family_opinion: str
    lines: list[PlanLineOut]

    @staticmethod
    def resolve_lines(obj: SupportPlan) -> list[Any]:
        return list(obj.lines.all())


class CaseReasonIn(Schema):
    reason: str = ""


class MeetingOutcomeIn(Schema):
    outcome: str = ""


class FollowUpIn(Schema):
    done_on: dt.date
    outcome: FollowUpOutcome
    note: str = ""


class FollowUpOut(Schema):
    id: int
    case_id: int
    due_on: dt.date
    done_on: dt.date
    outcome: FollowUpOutcome
    note: str


class CloseIn(Schema):
    reason: ClosureReason | None = Field(None, description="One of the five legal reasons")
    note: str = ""


class ManagerIn(Schema):
    manager_id: int


class CaseEventOut(Schema):
    id: int
    type: CaseEventType
    actor: CaseStaffRef
    at: dt.datetime
    old: dict[str, Any]
    new: dict[str, Any]
    note: str


class CitySettingsOut(Schema):
    first_follow_up_days: int
    follow_up_interval_days: int


class CitySettingsIn(CitySettingsOut):
    pass


# Helpers -------------------------------------------------------------------------------------

def _case(request: HttpRequest, case_id: int, purpose: str | None, step: str = "") -> Case:
    # Recording a step is itself the reason for opening the case; it is logged under that name
    # unless the caller gives a purpose of their own.
    context = access_context(request, purpose, default_purpose=f"case step: {step}" if step else "")
    return selectors.case_get(viewer=actor(request), case_id=case_id, context=context)


def _resident(request: HttpRequest, resident_id: int, purpose: str | None, step: str):
    context = access_context(request, purpose, default_purpose=f"case step: {step}")
    return registry_selectors.resident_get(viewer=actor(request), resident_id=resident_id, context=context)


def _staff(user_id: int) -> User:
    user = User.objects.select_related("staff").filter(pk=user_id, is_active=True).first()
    if user is None:
        raise DomainError(CaseErrorCode.MANAGER_INVALID)
    return user


def _optional_staff(user_id: int | None) -> User | None:
    return None if user_id is None else _staff(user_id)


def _detail(case: Case) -> Case:
    # Services return the locked row without its relations; fetch them in one query for the response.
    return Case.objects.select_related("resident", "dong", "manager__staff").get(pk=case.pk)


# Cases ---------------------------------------------------------------------------------------

@router.get("/cases", response={200: list[CaseSummaryOut], **ERRORS}, summary="Cases in your scope")
def case_list(request: HttpRequest, status: CaseStatus | None = None, dong_id: int | None = None,
              manager_id: int | None = None, mine: bool = False, overdue: bool = False,
              limit: int = LIMIT) -> list[Case]:
    filters = selectors.CaseFilters(status=status or "", dong_id=dong_id, manager_id=manager_id, mine=mine,
                                    overdue=overdue)
    return selectors.case_list_logged(viewer=actor(request), context=access_context(request), filters=filters,
                                      limit=limit)


@router.get("/cases/export", response={200: None, **ERRORS}, summary="Download cases in your scope as CSV",
            description="Every download needs a reason (kept in the access log with every person in the file). "
                        "UTF-8 with a byte-order mark, so that Excel opens it as Korean text.")
def case_export(request: HttpRequest, reason: str = "", status: CaseStatus | None = None,
                dong_id: int | None = None, manager_id: int | None = None, mine: bool = False,
                overdue: bool = False) -> HttpResponse:
    filters = selectors.CaseFilters(status=status or "", dong_id=dong_id, manager_id=manager_id, mine=mine,
                                    overdue=overdue)
    cases = selectors.case_list_export(viewer=actor(request), context=access_context(request, purpose=reason),
                                       filters=filters)
    response = HttpResponse(cases_csv(cases), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dolbom-cases-{timezone.localdate():%Y%m%d}.csv"'
    return response


@router.post("/cases", response={201: CaseOut, **ERRORS}, summary="Open a case on an application")
def case_open(request: HttpRequest, payload: CaseOpenIn, purpose: str | None = Purpose) -> Status[Case]:
    resident = _resident(request, payload.resident_id, purpose, "application")
    case = services.case_open(actor=actor(request), resident=resident, application=payload.to_application(),
                              manager=_optional_staff(payload.manager_id))
    return Status(201, _detail(case))


@router.post("/cases/discover", response={201: CaseOut, **ERRORS},
             summary="Open a discovered case (crisis discovery, community referral, discharge notice)")
def case_discover(request: HttpRequest, payload: CaseDiscoverIn, purpose: str | None = Purpose) -> Status[Case]:
    resident = _resident(request, payload.resident_id, purpose, "discovery")
    case = services.case_discover(actor=actor(request), resident=resident, origin=payload.origin,
                                  note=payload.note, manager=_optional_staff(payload.manager_id))
    return Status(201, _detail(case))


@router.get("/cases/{case_id}", response={200: CaseOut, **ERRORS}, summary="One case")
def case_detail(request: HttpRequest, case_id: int, purpose: str | None = Purpose) -> Case:
    return _case(request, case_id, purpose)


@router.get("/cases/{case_id}/timeline", response={200: list[CaseEventOut], **ERRORS}, summary="The case timeline")
def case_timeline(request: HttpRequest, case_id: int, purpose: str | None = Purpose) -> list[CaseEvent]:
    return list(selectors.case_timeline(case=_case(request, case_id, purpose)))


@router.post("/cases/{case_id}/application", response={200: CaseOut, **ERRORS},
             summary="Record the application for a discovered case")
def case_application(request: HttpRequest, case_id: int, payload: ApplicationIn,
                     purpose: str | None = Purpose) -> Case:
    case = _case(request, case_id, purpose, "application")
    return _detail(services.case_application_record(actor=actor(request), case=case,
                                                    application=payload.to_application()))


@router.put("/cases/{case_id}/manager", response={200: CaseOut, **ERRORS}, summary="Assign the case manager")
def case_manager_assign(request: HttpRequest, case_id: int, payload: ManagerIn, purpose: str | None = Purpose) -> Case:
    case = _case(request, case_id, purpose, "manager assignment")
    return _detail(services.case_manager_assign(actor=actor(request), case=case, manager=_staff(payload.manager_id)))


@router.post("/cases/{case_id}/surveys", response={201: SurveyOut, **ERRORS}, summary="Record a needs survey")
def survey_record(request: HttpRequest, case_id: int, payload: SurveyIn,
                  purpose: str | None = Purpose) -> Status[NeedsSurvey]:
    case = _case(request, case_id, purpose, "survey")
    survey = services.survey_record(
        actor=actor(request), case=case, surveyed_on=payload.surveyed_on,
        household_environment=payload.household_environment, benefits_received=payload.benefits_received,
        adl=payload.adl, iadl=payload.iadl, health=payload.health, needs=payload.needs, other=payload.other,
    )
    return Status(201, survey)


@router.post("/cases/{case_id}/decisions", response={201: DecisionOut, **ERRORS},
             summary="Record the eligibility decision (종합판정)")
def eligibility_decision_record(request: HttpRequest, case_id: int, payload: EligibilityDecisionIn,
                    purpose: str | None = Purpose) -> Status[EligibilityDecision]:
    case = _case(request, case_id, purpose, "decision")
    return Status(201, services.eligibility_decision_record(actor=actor(request), case=case, **payload.dict()))


@router.get("/cases/{case_id}/plans", response={200: list[PlanVersionOut], **ERRORS},
            summary="Support plan versions, newest first")
def plan_list(request: HttpRequest, case_id: int, purpose: str | None = Purpose) -> list[SupportPlan]:
    case = _case(request, case_id, purpose)
    return list(case.plans.select_related("created_by__staff").order_by("-version"))


@router.post("/cases/{case_id}/plans", response={201: SupportPlanOut, **ERRORS},
             summary="Create a new support plan version")
def plan_create(request: HttpRequest, case_id: int, payload: SupportPlanIn,
                purpose: str | None = Purpose) -> Status[SupportPlan]:
    case = _case(request, case_id, purpose, "support plan")
    plan = services.plan_create(
        actor=actor(request), case=case, goals=payload.goals, starts_on=payload.starts_on,
        lines=[services.PlanLine(**line.dict()) for line in payload.lines],
        provider_linkage=payload.provider_linkage, client_opinion=payload.client_opinion,
        family_opinion=payload.family_opinion,
    )
    return Status(201, selectors.plan_get(case=case, version=plan.version))


@router.get("/cases/{case_id}/plans/{version}", response={200: SupportPlanOut, **ERRORS}, summary="One support plan version")
def plan_detail(request: HttpRequest, case_id: int, version: int, purpose: str | None = Purpose) -> SupportPlan:
    return selectors.plan_get(case=_case(request, case_id, purpose), version=version)


@router.post("/cases/{case_id}/meeting", response={200: CaseOut, **ERRORS},
             summary="Mark the case for an integrated support meeting (optional)")
def meeting_request(request: HttpRequest, case_id: int, payload: CaseReasonIn, purpose: str | None = Purpose) -> Case:
    case = _case(request, case_id, purpose, "meeting request")
    return _detail(services.meeting_request(actor=actor(request), case=case, reason=payload.reason))


@router.post("/cases/{case_id}/meeting/outcome", response={200: CaseOut, **ERRORS},
             summary="Note the integrated support meeting's outcome")
def meeting_outcome(request: HttpRequest, case_id: int, payload: MeetingOutcomeIn,
                    purpose: str | None = Purpose) -> Case:
    case = _case(request, case_id, purpose, "meeting outcome")
    return _detail(services.meeting_outcome_note(actor=actor(request), case=case, outcome=payload.outcome))


@router.post("/cases/{case_id}/follow-ups", response={201: FollowUpOut, **ERRORS}, summary="Record a follow-up")
def follow_up_record(request: HttpRequest, case_id: int, payload: FollowUpIn,
                     purpose: str | None = Purpose) -> Status[FollowUp]:
    case = _case(request, case_id, purpose, "follow-up")
    follow_up = services.follow_up_record(actor=actor(request), case=case, done_on=payload.done_on,
                                          outcome=payload.outcome, note=payload.note)
    return Status(201, follow_up)


@router.post("/cases/{case_id}/reassessment", response={200: CaseOut, **ERRORS},
             summary="Start a reassessment after a change")
def reassessment_start(request: HttpRequest, case_id: int, payload: CaseReasonIn, purpose: str | None = Purpose) -> Case:
    case = _case(request, case_id, purpose, "reassessment")
    return _detail(services.reassessment_start(actor=actor(request), case=case, reason=payload.reason))


@router.post("/cases/{case_id}/close", response={200: CaseOut, **ERRORS}, summary="Close with a legal reason")
def case_close(request: HttpRequest, case_id: int, payload: CloseIn, purpose: str | None = Purpose) -> Case:
    case = _case(request, case_id, purpose, "closure")
    return _detail(services.case_close(actor=actor(request), case=case, reason=payload.reason or "",
                                       note=payload.note))


@router.post("/cases/{case_id}/reopen", response={200: CaseOut, **ERRORS}, summary="Reopen a closed case")
def case_reopen(request: HttpRequest, case_id: int, payload: CaseReasonIn, purpose: str | None = Purpose) -> Case:
    case = _case(request, case_id, purpose, "reopening")
    return _detail(services.case_reopen(actor=actor(request), case=case, reason=payload.reason))


# City settings -------------------------------------------------------------------------------

@router.get("/city-settings", response=CitySettingsOut, summary="Follow-up intervals set by the city")
def city_settings_get(request: HttpRequest) -> CitySettings:
    return CitySettings.current()


@router.put("/city-settings", response={200: CitySettingsOut, **ERRORS},
            summary="Change the follow-up intervals (city team only; bounded by law)")
def city_settings_put(request: HttpRequest, payload: CitySettingsIn) -> CitySettings:
    return services.city_settings_update(actor=actor(request), first_follow_up_days=payload.first_follow_up_days,
                                         follow_up_interval_days=payload.follow_up_interval_days)
