"""Referral endpoints: the service directory, closed-loop referrals, the provider's reports, discharge notices.

Thin: reads go through referrals.selectors (scope, access log), writes are one service call each.
Partner workers reach clients only here, and only with the fields the service needs.

No ``from __future__ import annotations``: ninja reads the annotations at import time.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from dolbom.areas.models import BoundaryArea, Dong
from dolbom.cases.models import SupportPlanLine
from dolbom.cases.selectors import case_get
from dolbom.lib.api import ERRORS, Purpose, access_context, actor
from dolbom.lib.errors import DomainError, NotFound
from dolbom.referrals import selectors, services
from dolbom.referrals.categories import categories
from dolbom.referrals.errors import ReferralErrorCode
from dolbom.referrals.models import (
    Institution,
    InstitutionKind,
    Referral,
    ReferralActivity,
    ReferralStatus,
    Service,
)

router = Router(tags=["referrals"])

LIMIT = Query(100, ge=1, le=200)


# Schemas -------------------------------------------------------------------------------------

class MinorCategoryOut(Schema):
    code: str
    name: str
    major_code: str
    major_name: str


class CategoriesOut(Schema):
    version: str
    majors: dict[str, str]
    minors: list[MinorCategoryOut]


class InstitutionIn(Schema):
    code: str
    name: str
    kind: InstitutionKind
    phone: str = ""
    contact_person: str = ""
    email: str = ""
    address: str = ""
    dong_ids: list[int] = []
    active: bool = True


class InstitutionOut(Schema):
    id: int
    code: str
    name: str
    kind: InstitutionKind
    phone: str
    contact_person: str
    address: str
    active: bool
    dong_ids: list[int]

    @staticmethod
    def resolve_dong_ids(obj: Institution) -> list[int]:
        return sorted(d.pk for d in obj.dongs.all())


class InstitutionRef(Schema):
    code: str
    name: str
    kind: InstitutionKind


class ServiceIn(Schema):
    institution_code: str
    code: str
    name: str
    category_code: str = Field(description="A minor resource-category code, e.g. A02 (see /referrals/categories)")
    eligibility: str = ""
    dong_ids: list[int] = []
    citywide: bool = False
    capacity: int = Field(0, ge=0)
    waiting: int = Field(0, ge=0)
    active: bool = True


class ServiceOut(Schema):
    id: int
    code: str
    name: str
    category_code: str
    category_label: str
    institution: InstitutionRef
    eligibility: str
    citywide: bool
    dong_ids: list[int]
    capacity: int
    waiting: int
    active: bool

    @staticmethod
    def resolve_dong_ids(obj: Service) -> list[int]:
        return sorted(d.pk for d in obj.dongs.all())


class ServiceRef(Schema):
    id: int
    code: str
    name: str
    category_code: str


class ClientOut(Schema):
    """Only what the service needs: no registration number, no needs survey."""

    name: str
    age: int
    sex: str
    address: str
    phone: str


class ActivityOut(Schema):
    id: int
    kind: str
    on: dt.date
    note: str


class ReferralOut(Schema):
    id: int
    case_id: int
    case_number: str
    status: ReferralStatus
    service: ServiceRef
    institution: InstitutionRef
    client: ClientOut
    plan_line: str | None = Field(description="The support-plan line the referral serves")
    note: str
    created_at: dt.datetime
    respond_by: dt.date
    overdue: bool
    responded_at: dt.datetime | None
    decline_reason: str
    started_on: dt.date | None
    completed_on: dt.date | None
    outcome: str
    end_reason: str


class ReferralDetailOut(ReferralOut):
    activities: list[ActivityOut]


class ReferralIn(Schema):
    case_id: int
    service_id: int
    plan_line_id: int | None = None
    note: str = ""
    due_days: int | None = Field(None, description="Days the institution has to answer (default 3)")


class ReferralReasonIn(Schema):
    reason: str


class ReferralStartIn(Schema):
    started_on: dt.date | None = None


class ActivityIn(Schema):
    note: str
    on: dt.date | None = None


class CompleteIn(Schema):
    outcome: str
    completed_on: dt.date | None = None


class DischargeIn(Schema):
    # Lengths of the registry's columns: a longer value is refused here, not by the database.
    name: str = Field(min_length=1, max_length=50)
    birth_date: dt.date
    rrn: str = Field(max_length=14, description="The person's registration number (checked against the name and "
                                                "birth date)")
    phone: str = Field("", max_length=20)
    road_address: str = Field(max_length=200)
    address_detail: str = Field("", max_length=100)
    area_code: str = Field(description="KOSTAT code of the boundary area of the address (see /dongs/areas)")
    discharge_on: dt.date | None = None
    consent_given: bool = Field(description="The person consented to the notice being sent to the city")
    note: str = ""


class DischargeOut(Schema):
    """Received, and nothing about the person: not whether they were registered, nor their dong."""

    id: int
    sent_at: dt.datetime
    received: bool = True


def _out(r: Referral, today: dt.date) -> dict:
    view = selectors.partner_view(r, today)
    line: SupportPlanLine | None = r.plan_line
    return {
        "id": r.pk, "case_id": r.case_id, "case_number": r.case.number, "status": r.status,
        "service": r.service, "institution": r.institution, "client": view.__dict__,
        "plan_line": f"{line.content} · {line.method} · {line.quantity}" if line else None,
        "note": r.note, "created_at": r.created_at, "respond_by": r.respond_by, "overdue": r.is_overdue_on(today),
        "responded_at": r.responded_at, "decline_reason": r.decline_reason, "started_on": r.started_on,
        "completed_on": r.completed_on, "outcome": r.outcome, "end_reason": r.end_reason,
    }


def _detail(request: HttpRequest, referral_id: int, purpose: str | None = None, step: str = "view") -> dict:
    r = _get(request, referral_id, purpose, step)
    activities: list[ReferralActivity] = list(selectors.referral_activities(referral=r))
    return {**_out(r, timezone.localdate()), "activities": activities}


def _get(request: HttpRequest, referral_id: int, purpose: str | None, step: str) -> Referral:
    # Reading states its purpose like a case read; a step names itself, as the case endpoints do.
    context = access_context(request, purpose, default_purpose="" if step == "view" else f"referral {step}")
    return selectors.referral_get(viewer=actor(request), referral_id=referral_id, context=context)


# Directory -----------------------------------------------------------------------------------

@router.get("/referrals/categories", response=CategoriesOut, summary="The national resource categories")
def category_list(request: HttpRequest) -> dict:
    c = categories()
    return {"version": c.version, "majors": c.majors, "minors": [m.__dict__ for m in c.minors.values()]}


@router.get("/referrals/institutions", response=list[InstitutionOut], summary="Partner institutions")
def institution_list(request: HttpRequest, kind: InstitutionKind | None = None) -> list[Institution]:
    return list(selectors.institution_list(kind=kind or ""))


def _dongs(ids: list[int]) -> list[Dong]:
    return list(Dong.objects.filter(pk__in=ids))


@router.post("/referrals/institutions", response={201: InstitutionOut, **ERRORS}, summary="Add an institution")
def institution_create(request: HttpRequest, payload: InstitutionIn) -> Status[Institution]:
    data = payload.dict()
    inst = services.institution_save(actor=actor(request), dongs=_dongs(data.pop("dong_ids")), **data)
    return Status(201, inst)


@router.put("/referrals/institutions/{code}", response={200: InstitutionOut, **ERRORS},
            summary="Change an institution")
def institution_update(request: HttpRequest, code: str, payload: InstitutionIn) -> Institution:
    data = payload.dict()
    return services.institution_save(actor=actor(request), institution=selectors.institution_get(code=code),
                                     dongs=_dongs(data.pop("dong_ids")), **data)


@router.get("/referrals/services", response=list[ServiceOut], summary="The service catalogue")
def service_list(request: HttpRequest, category: str = "", dong_id: int | None = None, q: str = "",
                 include_inactive: bool = False) -> list[Service]:
    filters = selectors.ServiceFilters(category=category, dong_id=dong_id, query=q, active_only=not include_inactive)
    return list(selectors.service_list(filters=filters))


def _service_kwargs(payload: ServiceIn) -> dict:
    data = payload.dict()
    data["institution"] = selectors.institution_get(code=data.pop("institution_code"))
    data["dongs"] = _dongs(data.pop("dong_ids"))
    return data


@router.post("/referrals/services", response={201: ServiceOut, **ERRORS}, summary="Add a service")
def service_create(request: HttpRequest, payload: ServiceIn) -> Status[Service]:
    svc = services.service_save(actor=actor(request), **_service_kwargs(payload))
    return Status(201, selectors.service_get(service_id=svc.pk))


@router.put("/referrals/services/{service_id}", response={200: ServiceOut, **ERRORS}, summary="Change a service")
def service_update(request: HttpRequest, service_id: int, payload: ServiceIn) -> Service:
    svc = services.service_save(actor=actor(request), service=selectors.service_get(service_id=service_id),
                                **_service_kwargs(payload))
    return selectors.service_get(service_id=svc.pk)


# Referrals -----------------------------------------------------------------------------------

@router.get("/referrals", response={200: list[ReferralOut], **ERRORS},
            summary="Referrals in your scope (a partner worker: those to their institution)")
def referral_list(request: HttpRequest, status: ReferralStatus | None = None, dong_id: int | None = None,
                  manager_id: int | None = None, case_id: int | None = None, overdue: bool = False,
                  limit: int = LIMIT) -> list[dict]:
    filters = selectors.ReferralFilters(status=status or "", dong_id=dong_id, manager_id=manager_id,
                                        case_id=case_id, overdue=overdue)
    rows = selectors.referral_list_logged(viewer=actor(request), context=access_context(request), filters=filters,
                                          limit=limit)
    today = timezone.localdate()
    return [_out(r, today) for r in rows]


@router.post("/referrals", response={201: ReferralDetailOut, **ERRORS},
             summary="Refer a client to a service (needs consent to share with the institution)")
def referral_create(request: HttpRequest, payload: ReferralIn, purpose: str | None = Purpose) -> Status[dict]:
    user: User = actor(request)
    case = case_get(viewer=user, case_id=payload.case_id,
                    context=access_context(request, purpose, default_purpose="referral"))
    line = None
    if payload.plan_line_id is not None:
        line = SupportPlanLine.objects.filter(pk=payload.plan_line_id, plan__case=case).first()
        if line is None:
            raise DomainError(ReferralErrorCode.PLAN_LINE_NOT_IN_CASE)
    referral = services.referral_create(actor=user, case=case, service=selectors.service_get(service_id=payload.service_id),
                                        plan_line=line, note=payload.note, due_days=payload.due_days)
    return Status(201, _detail(request, referral.pk, purpose, "created"))


@router.get("/referrals/overdue", response={200: list[ReferralOut], **ERRORS},
            summary="Referrals past their response deadline, in your scope")
def referral_overdue(request: HttpRequest, limit: int = LIMIT) -> list[dict]:
    rows = selectors.referral_list_logged(viewer=actor(request), context=access_context(request),
                                          filters=selectors.ReferralFilters(overdue=True), limit=limit)
    today = timezone.localdate()
    return [_out(r, today) for r in rows]


# Discharge notices ---------------------------------------------------------------------------

@router.post("/referrals/discharges", response={201: DischargeOut, **ERRORS},
             summary="A hospital, long-term-care facility or disability residence notifies a discharge")
def discharge_notify(request: HttpRequest, payload: DischargeIn) -> Status[dict]:
    data = payload.dict()
    area = BoundaryArea.objects.filter(kostat_code=data.pop("area_code")).first()
    if area is None:
        raise NotFound(ReferralErrorCode.AREA_UNKNOWN)
    notice = services.discharge_notify(actor=actor(request), area=area, **data)
    return Status(201, {"id": notice.pk, "sent_at": notice.sent_at})


@router.get("/referrals/{referral_id}", response={200: ReferralDetailOut, **ERRORS}, summary="One referral")
def referral_detail(request: HttpRequest, referral_id: int, purpose: str | None = Purpose) -> dict:
    return _detail(request, referral_id, purpose)


@router.post("/referrals/{referral_id}/accept", response={200: ReferralDetailOut, **ERRORS},
             summary="The institution accepts the referral")
def referral_accept(request: HttpRequest, referral_id: int) -> dict:
    services.referral_accept(actor=actor(request), referral=_get(request, referral_id, None, "accept"))
    return _detail(request, referral_id)


@router.post("/referrals/{referral_id}/decline", response={200: ReferralDetailOut, **ERRORS},
             summary="The institution declines, with a reason")
def referral_decline(request: HttpRequest, referral_id: int, payload: ReferralReasonIn) -> dict:
    r = services.referral_decline(actor=actor(request), referral=_get(request, referral_id, None, "decline"),
                                  reason=payload.reason)
    return _out(r, timezone.localdate()) | {"activities": []}


@router.post("/referrals/{referral_id}/start", response={200: ReferralDetailOut, **ERRORS},
             summary="The service started")
def referral_start(request: HttpRequest, referral_id: int, payload: ReferralStartIn) -> dict:
    services.referral_start(actor=actor(request), referral=_get(request, referral_id, None, "start"),
                            started_on=payload.started_on)
    return _detail(request, referral_id)


@router.post("/referrals/{referral_id}/deliveries", response={201: ActivityOut, **ERRORS},
             summary="Record one delivery or visit")
def referral_delivery(request: HttpRequest, referral_id: int, payload: ActivityIn) -> Status[ReferralActivity]:
    return Status(201, services.delivery_record(actor=actor(request), referral=_get(request, referral_id, None,
                                                                                    "delivery"), **payload.dict()))


@router.post("/referrals/{referral_id}/changes", response={201: ActivityOut, **ERRORS},
             summary="Report a change in the service to the city")
def referral_change(request: HttpRequest, referral_id: int, payload: ActivityIn) -> Status[ReferralActivity]:
    return Status(201, services.change_report(actor=actor(request), referral=_get(request, referral_id, None,
                                                                                  "change"), **payload.dict()))


@router.post("/referrals/{referral_id}/complete", response={200: ReferralOut, **ERRORS},
             summary="The service ended, with its outcome")
def referral_complete(request: HttpRequest, referral_id: int, payload: CompleteIn) -> dict:
    # After completion the partner's access ends, so the answer is built from the service's row.
    r = services.referral_complete(actor=actor(request), referral=_get(request, referral_id, None, "complete"),
                                   **payload.dict())
    return _out(Referral.objects.select_related("case__resident__household", "service", "institution",
                                                "plan_line").get(pk=r.pk), timezone.localdate())


@router.post("/referrals/{referral_id}/cancel", response={200: ReferralOut, **ERRORS},
             summary="The case manager ends a referral")
def referral_cancel(request: HttpRequest, referral_id: int, purpose: str | None = Purpose) -> dict:
    r = services.referral_cancel(actor=actor(request), referral=_get(request, referral_id, purpose, "cancel"))
    return _out(Referral.objects.select_related("case__resident__household", "service", "institution",
                                                "plan_line").get(pk=r.pk), timezone.localdate())
