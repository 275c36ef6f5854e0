"""Registry endpoints: residents, households, consents.

Thin: every read of a person goes through registry.selectors, which scope and log it.

No ``from __future__ import annotations`` here: ninja reads the annotations at import time to build
its query and body schemas, and postponed (string) annotations break nested query schemas.
"""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from dolbom.lib.api import ERRORS, Purpose, access_context, actor
from dolbom.lib.errors import DomainError, NotFound
from dolbom.registry import selectors, services
from dolbom.registry.errors import RegistryErrorCode
from dolbom.registry.models import (
    Consent,
    ConsentPurpose,
    Household,
    Resident,
    Sex,
    TargetGroup,
)

router = Router(tags=["registry"])


# Schemas -------------------------------------------------------------------------------------

class DongRef(Schema):
    id: int
    name: str


class HouseholdRef(Schema):
    id: int
    number: str
    road_address: str
    address_detail: str


class ResidentSummaryOut(Schema):
    id: int
    name: str
    birth_date: dt.date
    sex: Sex
    rrn_masked: str = Field(description="Masked registration number, e.g. 480302-2******")
    dong: DongRef
    household_id: int


class ResidentOut(ResidentSummaryOut):
    phone: str
    household: HouseholdRef
    target_groups: list[TargetGroup]
    lives_alone: bool
    deceased_on: dt.date | None


class RrnOut(Schema):
    resident_id: int
    rrn: str


class HouseholdMemberOut(Schema):
    id: int
    name: str
    birth_date: dt.date
    sex: Sex


class HouseholdOut(Schema):
    id: int
    number: str
    road_address: str
    address_detail: str
    dong: DongRef
    size: int
    members: list[HouseholdMemberOut]

    @staticmethod
    def resolve_members(obj: Household) -> list[Resident]:
        return list(obj.members.order_by("birth_date", "pk"))


class ConsentOut(Schema):
    id: int
    resident_id: int
    purpose: ConsentPurpose
    recipient: str
    given_at: dt.datetime
    expires_on: dt.date | None
    withdrawn_at: dt.datetime | None
    method: str
    note: str
    recorded_by: str
    is_active: bool

    @staticmethod
    def resolve_recorded_by(obj: Consent) -> str:
        staff = getattr(obj.recorded_by, "staff", None)
        return staff.display_name if staff else obj.recorded_by.get_username()

    @staticmethod
    def resolve_is_active(obj: Consent) -> bool:
        return obj.is_active_on(timezone.now())


class ConsentIn(Schema):
    purpose: ConsentPurpose
    recipient: str
    given_at: dt.datetime | None = None
    expires_on: dt.date | None = None
    method: str = "written"
    note: str = ""


class ConsentWithdrawIn(Schema):
    withdrawn_at: dt.datetime | None = None


# Residents -----------------------------------------------------------------------------------

class SearchIn(Schema):
    q: str = Field(max_length=50, description="A name, part of a name, initials (ㄱㅁㅅ) or an exact RRN")


@router.get("/residents", response={200: list[ResidentSummaryOut], **ERRORS},
            summary="Search residents by name, part of a name or initials (ㄱㅁㅅ)",
            description="A registration number is refused here (400 rrn_not_in_url): it would be kept in "
                        "server and proxy logs. Search by number with POST /residents/search.")
def resident_search(request: HttpRequest, q: str = Query(..., max_length=50)) -> list[Resident]:
    if any(ch.isdigit() for ch in q):
        raise DomainError(RegistryErrorCode.RRN_NOT_IN_URL)
    return selectors.resident_search(viewer=actor(request), query=q, context=access_context(request))


@router.post("/residents/search", response={200: list[ResidentSummaryOut], **ERRORS},
             summary="Search residents by name, part of a name, initials (ㄱㅁㅅ) or exact RRN, in the body")
def resident_search_post(request: HttpRequest, payload: SearchIn) -> list[Resident]:
    return selectors.resident_search(viewer=actor(request), query=payload.q, context=access_context(request))


@router.get("/residents/{resident_id}", response={200: ResidentOut, **ERRORS}, summary="One resident")
def resident_detail(request: HttpRequest, resident_id: int, purpose: str | None = Purpose) -> Resident:
    return selectors.resident_get(viewer=actor(request), resident_id=resident_id,
                                  context=access_context(request, purpose))


@router.post("/residents/{resident_id}/rrn", response={200: RrnOut, **ERRORS},
             summary="Reveal the full registration number (dong officers only; logged)")
def resident_rrn_reveal(request: HttpRequest, resident_id: int, purpose: str | None = Purpose) -> RrnOut:
    rrn = selectors.resident_rrn_reveal_by_id(viewer=actor(request), resident_id=resident_id,
                                              context=access_context(request, purpose))
    return RrnOut(resident_id=resident_id, rrn=rrn)


@router.get("/residents/{resident_id}/consents", response={200: list[ConsentOut], **ERRORS},
            summary="A resident's consent records, withdrawn ones included")
def consent_list(request: HttpRequest, resident_id: int, purpose: str | None = Purpose) -> list[Consent]:
    resident = selectors.resident_get(viewer=actor(request), resident_id=resident_id,
                                      context=access_context(request, purpose))
    return list(selectors.resident_consents(resident=resident))


@router.post("/residents/{resident_id}/consents", response={201: ConsentOut, **ERRORS}, summary="Record a consent")
def consent_record(request: HttpRequest, resident_id: int, payload: ConsentIn,
                   purpose: str | None = Purpose) -> Status[Consent]:
    resident = selectors.resident_get(viewer=actor(request), resident_id=resident_id,
                                      context=access_context(request, purpose, default_purpose="consent record"))
    consent = services.consent_record(
        actor=actor(request), resident=resident, purpose=payload.purpose, recipient=payload.recipient,
        given_at=payload.given_at, expires_on=payload.expires_on, method=payload.method, note=payload.note,
    )
    return Status(201, consent)


@router.post("/residents/{resident_id}/consents/{consent_id}/withdraw", response={200: ConsentOut, **ERRORS},
             summary="Withdraw a consent (the record is kept)")
def consent_withdraw(request: HttpRequest, resident_id: int, consent_id: int, payload: ConsentWithdrawIn,
                     purpose: str | None = Purpose) -> Consent:
    resident = selectors.resident_get(viewer=actor(request), resident_id=resident_id,
                                      context=access_context(request, purpose, default_purpose="consent withdrawal"))
    consent = selectors.resident_consents(resident=resident).filter(pk=consent_id).first()
    if consent is None:
        raise NotFound(RegistryErrorCode.CONSENT_NOT_FOUND)
    return services.consent_withdraw(actor=actor(request), consent=consent, at=payload.withdrawn_at)


# Households ----------------------------------------------------------------------------------

@router.get("/households/{household_id}", response={200: HouseholdOut, **ERRORS}, summary="One household")
def household_detail(request: HttpRequest, household_id: int, purpose: str | None = Purpose) -> Household:
    return selectors.household_get(viewer=actor(request), household_id=household_id,
                                   context=access_context(request, purpose))
