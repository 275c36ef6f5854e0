"""Reads of the registry. Visibility (role, dong, caseload) is enforced here and nowhere else."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet

from dolbom.accounts.scope import can_see_full_rrn, caseload_q, visible_by_role
from dolbom.audit.logged import logged_get
from dolbom.audit.models import AccessAction
from dolbom.audit.services import access_denied_write, access_log_write
from dolbom.lib import rrn as rrn_lib
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError, Forbidden
from dolbom.lib.hangul import is_initials_query, nfc
from dolbom.registry.errors import RegistryErrorCode
from dolbom.registry.models import Consent, Household, RegistryChange, Resident

SEARCH_LIMIT = 50


# Scope ---------------------------------------------------------------------------------------

def resident_visible(viewer: User) -> QuerySet[Resident]:
    # Partner-institution workers never read full records: they reach referred clients only through
    # referrals/selectors.py (referral_visible, partner_view: the fields the service needs). Auditors: none.
    # A case manager's caseload is registered by cases, a nurse's clients by visits (accounts/scope.py).
    return visible_by_role(viewer, Resident.objects.all(), kind="resident", dong="dong_id")


def resident_in_caseload(*, viewer: User, resident: Resident) -> bool:
    own = caseload_q(viewer, kind="resident")
    return own is not None and Resident.objects.filter(own, pk=resident.pk).exists()


def household_visible(viewer: User) -> QuerySet[Household]:
    return Household.objects.filter(Exists(resident_visible(viewer).filter(household=OuterRef("pk"))))


# Reads that are logged -----------------------------------------------------------------------

def resident_search(*, viewer: User, query: str, context: AccessContext, limit: int = SEARCH_LIMIT) -> list[Resident]:
    """Search by full name, part of a name, initial consonants ('ㄱㅁㅅ') or an exact RRN.

    Every search that returns people is logged with the ids it returned.
    """
    query = nfc(query.strip())  # a name typed as decomposed jamo finds the same person
    if not query:
        raise DomainError(RegistryErrorCode.QUERY_TOO_SHORT)
    qs = resident_visible(viewer).select_related("dong", "household")
    digits = query.replace("-", "").replace(" ", "")
    if digits.isdigit():
        # Names hold no digits: a number is an RRN, and a mistyped one is said to be so, rather than
        # answered "nobody found" (which reads as "this person is not registered").
        try:
            number = rrn_lib.parse(digits)
        except rrn_lib.InvalidRRN as exc:
            raise DomainError(RegistryErrorCode.RRN_QUERY_INVALID) from exc
        # Every key of the index ring: a rotation under way leaves some rows on the old key's index.
        qs = qs.filter(rrn_index__in=rrn_lib.blind_indexes(number.digits, settings.RRN_INDEX_KEYS))
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
    return logged_get(resident_visible(viewer).select_related("dong", "household"), resident_id, viewer=viewer,
                      context=context, record_type="resident", missing=RegistryErrorCode.RESIDENT_NOT_FOUND,
                      resident="id", in_caseload=lambda r: resident_in_caseload(viewer=viewer, resident=r),
                      purpose_required=True)


def resident_rrn_reveal(*, viewer: User, resident: Resident, context: AccessContext) -> str:
    if not can_see_full_rrn(viewer):
        # A refused reveal is an access attempt on the number itself: DENIED, never a VIEW.
        access_denied_write(actor=viewer, record_type="resident_rrn", record_id=resident.pk,
                            resident_id=resident.pk, context=context)
        raise Forbidden(RegistryErrorCode.NOT_ALLOWED)
    access_log_write(
        actor=viewer, action=AccessAction.REVEAL_RRN, record_type="resident", record_id=resident.pk,
        resident_id=resident.pk, context=context,
        in_caseload=resident_in_caseload(viewer=viewer, resident=resident),
    )
    return rrn_lib.RRN(resident.rrn_plain()).formatted


def resident_rrn_reveal_by_id(*, viewer: User, resident_id: int, context: AccessContext) -> str:
    """The pages' and the API's reveal. The right to reveal is checked before the record is opened, so a
    refusal leaves one DENIED row and no VIEW; a reveal leaves its REVEAL_RRN row (the record's access row).
    Out of scope: NotFound, as for every read."""
    visible = resident_visible(viewer).select_related("dong", "household")
    if not can_see_full_rrn(viewer) and visible.filter(pk=resident_id).exists():
        return resident_rrn_reveal(viewer=viewer, resident=visible.get(pk=resident_id), context=context)
    resident = logged_get(visible, resident_id, viewer=viewer, context=context, record_type="resident",
                          missing=RegistryErrorCode.RESIDENT_NOT_FOUND, resident="id",
                          in_caseload=lambda r: resident_in_caseload(viewer=viewer, resident=r),
                          purpose_required=True, log_view=False)
    return resident_rrn_reveal(viewer=viewer, resident=resident, context=context)


def resident_consents(*, resident: Resident) -> QuerySet[Consent]:
    """Consents of a resident already obtained through resident_get (which did the logging)."""
    return resident.consents.select_related("recorded_by__staff").order_by("-given_at")


def household_get(*, viewer: User, household_id: int, context: AccessContext) -> Household:
    # Direct access to a household out of scope is refused like a resident's, and logged with its members.
    return logged_get(household_visible(viewer).select_related("dong"), household_id, viewer=viewer,
                      context=context, record_type="household", missing=RegistryErrorCode.HOUSEHOLD_NOT_FOUND,
                      subjects="members__id")


def resident_history(*, resident: Resident) -> QuerySet[RegistryChange]:
    """The changes of a resident already opened through resident_get: their own and their household's."""
    return (RegistryChange.objects.filter(Q(resident_id=resident.pk) | Q(household_id=resident.household_id,
                                                                         resident__isnull=True))
            .select_related("actor__staff").order_by("-at", "-pk"))


def household_by_number(*, viewer: User, number: str) -> Household | None:
    """A household of the viewer's scope by its number, to register a new member into it."""
    return household_visible(viewer).select_related("dong").filter(number=number.strip()).first()
