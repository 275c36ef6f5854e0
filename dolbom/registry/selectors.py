"""Reads of the registry. Visibility (role, dong, caseload) is enforced here and nowhere else."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet

from dolbom.accounts.models import Role
from dolbom.accounts.scope import can_see_full_rrn, profile
from dolbom.audit.models import AccessAction
from dolbom.audit.services import access_log_write
from dolbom.lib import rrn as rrn_lib
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.lib.hangul import is_initials_query
from dolbom.registry.errors import RegistryErrorCode
from dolbom.registry.models import Consent, Household, Resident

SEARCH_LIMIT = 50


# Scope ---------------------------------------------------------------------------------------

def _caseload_q(viewer: User) -> Q:
    from dolbom.cases.models import Case

    return Q(Exists(Case.objects.filter(resident=OuterRef("pk"), manager=viewer)))


def resident_visible(viewer: User) -> QuerySet[Resident]:
    p = profile(viewer)
    qs = Resident.objects.all()
    if p is None:
        return qs.none()
    if p.role == Role.CITY_TEAM:
        return qs
    if p.role == Role.DONG_OFFICER:
        return qs.filter(dong_id=p.dong_id) if p.dong_id else qs.none()
    if p.role == Role.CASE_MANAGER:
        own_dong = Q(dong_id=p.dong_id) if p.dong_id else Q(pk__in=[])
        return qs.filter(own_dong | _caseload_q(viewer))
    if p.role == Role.NURSE:
        from dolbom.visits.selectors import nurse_assigned_visits

        return qs.filter(household_id__in=nurse_assigned_visits(viewer).values("household_id"))
    # Partner-institution workers never read full records: they reach referred clients only through
    # referrals/selectors.py (referral_visible, partner_view: the fields the service needs). Auditors: none.
    return qs.none()


def resident_in_caseload(*, viewer: User, resident: Resident) -> bool:
    return resident.cases.filter(manager=viewer).exists()


def household_visible(viewer: User) -> QuerySet[Household]:
    return Household.objects.filter(Exists(resident_visible(viewer).filter(household=OuterRef("pk"))))


# Reads that are logged -----------------------------------------------------------------------

def resident_search(*, viewer: User, query: str, context: AccessContext, limit: int = SEARCH_LIMIT) -> list[Resident]:
    """Search by full name, part of a name, initial consonants ('ㄱㅁㅅ') or an exact RRN.

    Every search that returns people is logged with the ids it returned.
    """
    query = query.strip()
    if not query:
        raise DomainError(RegistryErrorCode.QUERY_TOO_SHORT)
    qs = resident_visible(viewer).select_related("dong", "household")
    digits = query.replace("-", "")
    if digits.isdigit() and len(digits) == 13:
        qs = qs.filter(rrn_index=rrn_lib.blind_index(digits, settings.RRN_INDEX_KEY))
    elif is_initials_query(query):
        qs = qs.filter(name_initials__contains=query.replace(" ", ""))
    else:
        qs = qs.filter(name__contains=query.replace(" ", ""))
    results = list(qs.order_by("name", "birth_date", "pk")[:limit])
    if results:
        access_log_write(
            actor=viewer, action=AccessAction.SEARCH, record_type="resident", context=context,
            subject_ids=[r.pk for r in results], query="(RRN)" if digits.isdigit() else query,
        )
    return results


def resident_get(*, viewer: User, resident_id: int, context: AccessContext) -> Resident:
    """One person's record. Out of scope: refused and logged. Outside caseload: purpose required."""
    resident = resident_visible(viewer).select_related("dong", "household").filter(pk=resident_id).first()
    if resident is None:
        if Resident.objects.filter(pk=resident_id).exists():
            access_log_write(
                actor=viewer, action=AccessAction.DENIED, record_type="resident", record_id=resident_id,
                resident_id=resident_id, context=context,
            )
        raise NotFound(RegistryErrorCode.RESIDENT_NOT_FOUND)
    in_caseload = resident_in_caseload(viewer=viewer, resident=resident)
    if not in_caseload and not context.purpose:
        raise DomainError(RegistryErrorCode.PURPOSE_REQUIRED)
    access_log_write(
        actor=viewer, action=AccessAction.VIEW, record_type="resident", record_id=resident.pk,
        resident_id=resident.pk, context=context, in_caseload=in_caseload,
    )
    return resident


def resident_rrn_reveal(*, viewer: User, resident: Resident, context: AccessContext) -> str:
    if not can_see_full_rrn(viewer):
        raise Forbidden(RegistryErrorCode.NOT_ALLOWED)
    access_log_write(
        actor=viewer, action=AccessAction.REVEAL_RRN, record_type="resident", record_id=resident.pk,
        resident_id=resident.pk, context=context,
        in_caseload=resident_in_caseload(viewer=viewer, resident=resident),
    )
    return rrn_lib.RRN(resident.rrn_plain()).formatted


def resident_consents(*, resident: Resident) -> QuerySet[Consent]:
    """Consents of a resident already obtained through resident_get (which did the logging)."""
    return resident.consents.select_related("recorded_by__staff").order_by("-given_at")


def household_get(*, viewer: User, household_id: int, context: AccessContext) -> Household:
    household = household_visible(viewer).select_related("dong").filter(pk=household_id).first()
    if household is None:
        # Direct access to a household out of scope is refused like a resident's, and logged too.
        members = list(Resident.objects.filter(household_id=household_id).values_list("pk", flat=True))
        if members:
            access_log_write(actor=viewer, action=AccessAction.DENIED, record_type="household",
                             record_id=household_id, subject_ids=members, context=context)
        raise NotFound(RegistryErrorCode.HOUSEHOLD_NOT_FOUND)
    members = list(household.members.values_list("pk", flat=True))
    access_log_write(
        actor=viewer, action=AccessAction.VIEW, record_type="household", record_id=household.pk,
        subject_ids=members, context=context,
    )
    return household
