"""Reads of the service directory and of referrals. Partner visibility lives here, once.

A partner-institution worker sees a client only while (1) a referral of that client to the worker's
institution is active (requested, accepted or in service), (2) the client's consent to share information
with that institution (recipient_code = the institution's code) is in force, and (3) the case is open.
All three are checked in the query on every request, so withdrawing consent or closing the case ends
access at the next request, before any status bookkeeping runs. Partners never read the full registry
or case records (resident_get, case_get stay closed to them): the referral views below hand them only
the fields the service needs, and every one of those reads is in the access log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.paginator import Page
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import profile
from dolbom.audit.logged import log_list, logged_get
from dolbom.cases.models import CaseStatus
from dolbom.cases.selectors import case_visible
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import NotFound
from dolbom.referrals.errors import ReferralErrorCode
from dolbom.referrals.models import (
    ACTIVE_STATUSES,
    Institution,
    Referral,
    ReferralStatus,
    Service,
)
from dolbom.registry.models import Consent, ConsentPurpose
from dolbom.web.paging import page_of

LIST_LIMIT = 200


# Consent ---------------------------------------------------------------------------------------

def sharing_consents_in_force(*, at: dt.datetime | None = None) -> QuerySet[Consent]:
    at = at or timezone.now()
    return Consent.objects.filter(
        Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at),
        Q(expires_on__isnull=True) | Q(expires_on__gte=timezone.localdate(at)),
        purpose=ConsentPurpose.INFORMATION_SHARING, given_at__lte=at,
    )


def sharing_consent_for(*, resident_id: int, institution: Institution) -> Consent | None:
    """The consent in force to share the client's information with this institution, by its code."""
    return (sharing_consents_in_force().filter(resident_id=resident_id, recipient_code=institution.code)
            .order_by("-given_at").first())


def sharing_consent_missing(*, resident_id: int, institution: Institution) -> tuple[ReferralErrorCode, dict[str, str]]:
    """Why there is no consent in force to share with this institution, for the refusal to say so: none
    recorded, one that starts later, one withdrawn or one expired (the latest of them)."""
    now = timezone.now()
    latest = (Consent.objects.filter(resident_id=resident_id, recipient_code=institution.code,
                                     purpose=ConsentPurpose.INFORMATION_SHARING).order_by("-given_at").first())
    params = {"institution": institution.name}
    if latest is None:
        return ReferralErrorCode.CONSENT_REQUIRED, params
    if latest.given_at > now:
        return ReferralErrorCode.CONSENT_NOT_YET, {
            **params, "since": timezone.localtime(latest.given_at).strftime("%Y-%m-%d %H:%M")}
    if latest.withdrawn_at is not None and latest.withdrawn_at <= now:
        return ReferralErrorCode.CONSENT_WITHDRAWN, {
            **params, "on": timezone.localtime(latest.withdrawn_at).strftime("%Y-%m-%d")}
    return ReferralErrorCode.CONSENT_EXPIRED, {**params, "on": f"{latest.expires_on:%Y-%m-%d}"}


# Visibility ------------------------------------------------------------------------------------

def partner_institution_code(viewer: User) -> str:
    p = profile(viewer)
    return p.institution_code if p is not None and p.role == Role.PARTNER else ""


def referral_visible(viewer: User) -> QuerySet[Referral]:
    p = profile(viewer)
    qs = Referral.objects.all()
    if p is None:
        return qs.none()
    if p.role == Role.PARTNER:
        if not p.institution_code:
            return qs.none()
        consent = sharing_consents_in_force().filter(resident_id=OuterRef("case__resident_id"),
                                                     recipient_code=p.institution_code)
        return qs.filter(Exists(consent), institution__code=p.institution_code, status__in=ACTIVE_STATUSES,
                         ).exclude(case__status=CaseStatus.CLOSED)
    if p.role in (Role.CITY_TEAM, Role.DONG_OFFICER, Role.CASE_MANAGER):
        return qs.filter(case__in=case_visible(viewer))
    return qs.none()


def is_partner(viewer: User) -> bool:
    p = profile(viewer)
    return p is not None and p.role == Role.PARTNER


@dataclass(frozen=True)
class ReferralFilters:
    status: str = ""
    dong_id: int | None = None
    manager_id: int | None = None
    overdue: bool = False
    case_id: int | None = None


def referral_list(*, viewer: User, filters: ReferralFilters | None = None) -> QuerySet[Referral]:
    f = filters or ReferralFilters()
    qs = referral_visible(viewer).select_related(
        "case__resident", "case__dong", "case__manager__staff", "service", "institution", "plan_line")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.dong_id:
        qs = qs.filter(case__dong_id=f.dong_id)
    if f.manager_id:
        qs = qs.filter(case__manager_id=f.manager_id)
    if f.case_id:
        qs = qs.filter(case_id=f.case_id)
    if f.overdue:
        qs = qs.filter(status=ReferralStatus.REQUESTED, respond_by__lt=timezone.localdate())
    return qs


def referral_list_logged(*, viewer: User, context: AccessContext, filters: ReferralFilters | None = None,
                         limit: int = LIST_LIMIT) -> list[Referral]:
    """A referral list shows clients' names: every list that returns people is logged with them."""
    referrals = list(referral_list(viewer=viewer, filters=filters)[:limit])
    log_list(viewer=viewer, context=context, record_type="referral_list",
             resident_ids=[r.case.resident_id for r in referrals])
    return referrals


def referral_page_logged(*, viewer: User, context: AccessContext, filters: ReferralFilters | None = None,
                         page: object = None, per_page: int = 50) -> Page:
    """One page of the referral list with the total of the whole list; only the people on the page shown are
    logged (a page is what the viewer saw), as for the case list."""
    rows = page_of(referral_list(viewer=viewer, filters=filters), page, per_page)
    log_list(viewer=viewer, context=context, record_type="referral_list",
             resident_ids=[r.case.resident_id for r in rows])
    return rows


def referral_get(*, viewer: User, referral_id: int, context: AccessContext) -> Referral:
    """One referral (with the client's minimal details). Out of scope: 404 and a DENIED row."""
    # A partner's referral is their caseload; staff outside their caseload state a purpose, as for a case.
    partner = is_partner(viewer)
    return logged_get(
        referral_visible(viewer).select_related("case__resident__household", "case__dong", "case__manager__staff",
                                                "service", "institution", "plan_line"),
        referral_id, viewer=viewer, context=context, record_type="referral",
        missing=ReferralErrorCode.REFERRAL_NOT_FOUND, resident="case__resident_id",
        in_caseload=lambda r: partner or r.case.manager_id == viewer.pk, purpose_required=True)


def referral_case_id(referral_id: int) -> int | None:
    """The case a referral belongs to (a number, no personal data): pages look up the purpose stated for it."""
    return Referral.objects.filter(pk=referral_id).values_list("case_id", flat=True).first()


def referral_activities(*, referral: Referral):
    return referral.activities.select_related("recorded_by__staff").order_by("on", "pk")


def case_referrals(*, case) -> QuerySet[Referral]:
    """Referrals of a case already opened through case_get (which did the scoping and the logging)."""
    return case.referrals.select_related("service", "institution", "plan_line").order_by("-created_at", "-pk")


@dataclass(frozen=True)
class PartnerView:
    """What a partner worker is shown of a client: only what the service needs (no RRN, no survey)."""

    name: str
    age: int
    sex: str
    address: str
    phone: str


def partner_view(referral: Referral, today: dt.date | None = None) -> PartnerView:
    r = referral.case.resident
    h = r.household
    return PartnerView(name=r.name, age=r.age_on(today or timezone.localdate()), sex=r.get_sex_display(),
                       address=f"{h.road_address} {h.address_detail}".strip(), phone=r.phone)


# Reminders -------------------------------------------------------------------------------------

def referrals_awaiting_response(*, today: dt.date | None = None, institution_code: str = "") -> QuerySet[Referral]:
    """Referrals due or past their response deadline (for reminders; no personal data beyond the case number)."""
    today = today or timezone.localdate()
    qs = Referral.objects.filter(status=ReferralStatus.REQUESTED, respond_by__lte=today).select_related(
        "institution", "service", "case")
    if institution_code:
        qs = qs.filter(institution__code=institution_code)
    return qs.order_by("respond_by", "pk")


# Directory -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ServiceFilters:
    category: str = ""
    dong_id: int | None = None
    institution_id: int | None = None
    query: str = ""
    active_only: bool = True


def service_list(*, filters: ServiceFilters | None = None) -> QuerySet[Service]:
    """The catalogue is public information about institutions, not personal data: every staff role reads it."""
    f = filters or ServiceFilters()
    qs = Service.objects.select_related("institution").prefetch_related("dongs")
    if f.active_only:
        qs = qs.filter(active=True, institution__active=True)
    if f.category:
        qs = qs.filter(category_code__startswith=f.category)
    if f.dong_id:
        qs = qs.filter(Q(citywide=True) | Q(dongs__id=f.dong_id)).distinct()
    if f.institution_id:
        qs = qs.filter(institution_id=f.institution_id)
    if f.query:
        qs = qs.filter(Q(name__contains=f.query) | Q(institution__name__contains=f.query))
    return qs.order_by("category_code", "name")


def service_get(*, service_id: int) -> Service:
    service = Service.objects.select_related("institution").filter(pk=service_id).first()
    if service is None:
        raise NotFound(ReferralErrorCode.SERVICE_NOT_FOUND)
    return service


def institution_list(*, kind: str = "") -> QuerySet[Institution]:
    qs = Institution.objects.prefetch_related("dongs")
    return qs.filter(kind=kind) if kind else qs


def institution_get(*, code: str) -> Institution:
    inst = Institution.objects.filter(code=code).first()
    if inst is None:
        raise NotFound(ReferralErrorCode.INSTITUTION_NOT_FOUND)
    return inst


def institution_of(viewer: User) -> Institution | None:
    code = partner_institution_code(viewer)
    return Institution.objects.filter(code=code).first() if code else None
