"""Reads of the registry. Visibility (role, dong, caseload) is enforced here and nowhere else."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value, prefetch_related_objects
from django.db.models.functions import Concat

from dolbom.accounts.scope import can_see_full_rrn, caseload_q, visible_by_role
from dolbom.audit.logged import logged_get
from dolbom.audit.models import AccessAction
from dolbom.audit.services import access_denied_write, access_log_write
from dolbom.lib import rrn as rrn_lib
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError, Forbidden
from dolbom.lib.hangul import is_initials_query, nfc, syllables_starting_with
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

# A name search on a registry of a million people must use an index. Three letters or more: anywhere in the
# name, through the trigram indexes (registry migration 0008; pg_trgm indexes no shorter string). One or two
# letters (the search box asks after each syllable typed): the start of the name (a surname, 김; 김민), and
# for two, its end too (a given name, 민수); a middle match of one letter is tens of thousands of people, of
# no use to anyone looking for one. The start of a name is asked as a range, so that the ordered name index
# is walked from the prefix and the walk stops at the first page (a LIKE prefix is no index condition under a
# non-C collation). With a codepoint collation (C.UTF-8, SQLite's) the range is exactly the prefix; under any
# other, resident_search keeps only the names that do start with it (name_fits). The prefix is not also asked
# in SQL: PostgreSQL multiplies the two conditions' shares as if independent (김민: 1.3% squared, 16 rows
# expected of 12,702) and sorts a bitmap scan of every match instead of walking the index (100-200 ms).
SHORT_QUERY = 3
_LAST_CHAR = chr(0x10FFFF)


def name_matches(*, text: str) -> list[Q]:
    """The conditions of a name or initials search for ``text``, one query each (see SHORT_QUERY): two
    letters are the start and the end, asked apart so that each has its index (an OR of the two walked the
    whole name index: 5 s for the city team's ㅂㅇ) and the two first pages merged."""
    field = "name_initials" if is_initials_query(text) else "name"
    if len(text) >= SHORT_QUERY:
        return [Q(**{f"{field}__contains": text})]
    if field == "name":
        start = Q(name__gte=text, name__lt=text + _LAST_CHAR)
        return [start, Q(name__endswith=text)] if len(text) > 1 else [start]
    start = Q(**{f"{field}__startswith": text})
    if block := syllables_starting_with(text[0]):
        # Initials that start with ㅂ are names that start with a syllable of ㅂ's block (바..빟): the same
        # walk of the name index from there.
        start &= Q(name__gte=block[0], name__lt=block[1])
    return [start, Q(**{f"{field}__endswith": text})] if len(text) > 1 else [start]


def name_fits(*, text: str, name: str) -> bool:
    """Whether ``name`` answers a name query of one or two letters (name_matches asks the start as a range,
    which a collation other than codepoint order may widen)."""
    return name.startswith(text) or (len(text) > 1 and name.endswith(text))


def name_order(text: str, *, start: bool = True) -> list[Any]:
    """The order of a name search's answer: by name, birth date, id. A contains-match (three letters or
    more) and the end of a name (``start=False``: the second condition of two letters) sort on ``name || ''``,
    the same order: sorting on the bare column invites the planner to walk the name index and filter,
    expecting the matches spread over the alphabet, while they cluster (initials ㅂㅇㅅ are all 박.., 배..,
    백..: the walk read 370,000 rows, 4.9 s) or lie outside the viewer's scope (a manager's 서준: 5,768 in the
    city, 40 in their dong, the walk read all 999,603 names, 2.5 s); the trigram index then finds them."""
    name = Concat("name", Value("")) if len(text) >= SHORT_QUERY or not start else F("name")
    return [name.asc(), "birth_date", "pk"]


def resident_search(*, viewer: User, query: str, context: AccessContext, limit: int = SEARCH_LIMIT) -> list[Resident]:
    """Search by full name, part of a name, initial consonants ('ㄱㅁㅅ') or an exact RRN (see SHORT_QUERY for
    queries of one or two letters).

    Every search that returns people is logged with the ids it returned.
    """
    query = nfc(query.strip())  # a name typed as decomposed jamo finds the same person
    if not query:
        raise DomainError(RegistryErrorCode.QUERY_TOO_SHORT)
    # The household (the address shown) is fetched for the answer alone, not joined into each part: joined,
    # an end-of-name match the planner expects in thousands was hashed against all 472,000 households.
    qs = resident_visible(viewer).select_related("dong")
    digits = query.replace("-", "").replace(" ", "")
    short: str | None = None  # a name of one or two letters, whose start is asked as a range (name_matches)
    if digits.isdigit():
        # Names hold no digits: a number is an RRN, and a mistyped one is said to be so, rather than
        # answered "nobody found" (which reads as "this person is not registered").
        try:
            number = rrn_lib.parse(digits)
        except rrn_lib.InvalidRRN as exc:
            raise DomainError(RegistryErrorCode.RRN_QUERY_INVALID) from exc
        # Every key of the index ring: a rotation under way leaves some rows on the old key's index.
        parts = [qs.filter(rrn_index__in=rrn_lib.blind_indexes(number.digits, settings.RRN_INDEX_KEYS))
                 .order_by("name", "birth_date", "pk")]
    else:
        text = query.replace(" ", "")
        parts = [qs.filter(q).order_by(*name_order(text, start=i == 0))
                 for i, q in enumerate(name_matches(text=text))]
        if len(text) < SHORT_QUERY and not is_initials_query(text):
            short = text
    # The first page of each part, merged: the first page of them all.
    found = {r.pk: r for part in parts for r in part[:limit] if short is None or name_fits(text=short, name=r.name)}
    results = sorted(found.values(), key=lambda r: (r.name, r.birth_date, r.pk))[:limit]
    prefetch_related_objects(results, "household")
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
