"""Who may see what. The rules live here once; every app's selectors apply them (visible_by_role).

- dong welfare officer: residents and cases of their own dong
- case manager: their own caseload, plus residents and cases of their own dong
- city integrated-care team: every dong
- partner-institution worker: never the full registry or case records; only the clients referred to their
  institution (StaffProfile.institution_code), while the referral is active, the client's consent to share
  with that institution (Consent.recipient_code) is in force and the case is open, and only the fields the
  service needs (referrals/selectors.py referral_visible, partner_view)
- auditor: the access log only, never personal data
- visiting nurse: the clients of the visits assigned to them (granted by the visits app: visits/apps.py)
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from django.contrib.auth.models import User
from django.db.models import Model, Q, QuerySet

from dolbom.accounts.models import Role, StaffProfile
from dolbom.lib.access import current_user
from dolbom.lib.errors import NotFound
from dolbom.lib.hooks import Hook

M = TypeVar("M", bound=Model)

PERSONAL_DATA_ROLES = frozenset({Role.DONG_OFFICER, Role.CASE_MANAGER, Role.CITY_TEAM})
CASE_WRITE_ROLES = PERSONAL_DATA_ROLES
# The dong office files applications with national systems (행복e음) that need the full number.
FULL_RRN_ROLES = frozenset({Role.DONG_OFFICER})
AUDIT_ROLES = frozenset({Role.AUDITOR})
# A download of people leaves the system (안전성 확보조치 기준 §8: its reason is checked): the roles that work
# with people's records, no one else.
EXPORT_ROLES = PERSONAL_DATA_ROLES
# The second factor is required where a stolen password would do most harm: whoever can reveal an RRN, export
# people or administer accounts (the auditor lifts lockouts); optional for partner workers, nurses and others.
SECOND_FACTOR_ROLES = FULL_RRN_ROLES | EXPORT_ROLES | AUDIT_ROLES


def profile(user: User) -> StaffProfile | None:
    if not user.is_authenticated:
        return None
    return getattr(user, "staff", None)


def role_of(user: User) -> str | None:
    p = profile(user)
    return p.role if p else None


def can_see_personal_data(user: User) -> bool:
    return role_of(user) in PERSONAL_DATA_ROLES


def can_write_cases(user: User) -> bool:
    return role_of(user) in CASE_WRITE_ROLES


def can_see_full_rrn(user: User) -> bool:
    return role_of(user) in FULL_RRN_ROLES


def can_read_access_log(user: User) -> bool:
    return role_of(user) in AUDIT_ROLES


def can_export_people(user: User) -> bool:
    return role_of(user) in EXPORT_ROLES


def needs_second_factor(user: User) -> bool:
    return role_of(user) in SECOND_FACTOR_ROLES


# The role ladder -------------------------------------------------------------------------------
# Every *_visible queryset of a record about people climbs the same ladder (docs/ARCHITECTURE.md,
# "Visibility"): the city team sees all; a dong officer their dong; a case manager their dong and their
# caseload; every other role nothing, unless the owning app or a higher app grants it. Written once here so
# that a new record kind cannot get the ladder subtly wrong.

Grant = Callable[[User], Q]
_GRANTS: dict[tuple[str, str], list[Grant]] = {}


def scope_grant_register(*, kind: str, role: Role, grant: Grant) -> None:
    """Let a higher app widen a lower app's scope without the lower app importing it.

    Example: the visits app grants a visiting nurse the residents and cases of the visits assigned to her
    (``kind="resident"``, ``role=Role.NURSE``); registry and cases never import visits. Called from the
    granting app's ``AppConfig.ready()``; registering the same function twice has no effect."""
    grants = _GRANTS.setdefault((kind, str(role)), [])
    if grant not in grants:
        grants.append(grant)


_CASELOADS: dict[str, list[Grant]] = {}


def caseload_register(*, kind: str, caseload: Grant) -> None:
    """Let a higher app say which records of a lower app are a case manager's own caseload.

    Example: cases says a resident is in a manager's caseload when one of the resident's cases is theirs;
    registry uses it for visibility and for "opened outside the caseload" without importing cases."""
    loads = _CASELOADS.setdefault(kind, [])
    if caseload not in loads:
        loads.append(caseload)


def caseload_q(viewer: User, *, kind: str, caseload: Q | None = None) -> Q | None:
    """The viewer's own records of ``kind``: the owning app's rule and every registered one, or None."""
    q = caseload
    for fn in _CASELOADS.get(kind, ()):
        q = fn(viewer) if q is None else q | fn(viewer)
    return q


def visible_by_role(
    viewer: User, qs: QuerySet[M], *, kind: str, dong: str | None,
    caseload: Q | None = None, roles: dict[Role, Q] | None = None,
) -> QuerySet[M]:
    """``qs`` narrowed to what ``viewer`` may see.

    ``dong``: the lookup of the record's dong (``"dong_id"``, ``"resident__dong_id"``), None where the
    dong ladder does not apply; ``caseload``: the case manager's own records (with those registered by
    caseload_register); ``roles``: the owning app's
    rule for another role (a nurse's own visits); plus every grant registered for ``kind``."""
    p = profile(viewer)
    if p is None:
        return qs.none()
    if p.role == Role.CITY_TEAM:
        return qs
    allowed: Q | None = None

    def widen(q: Q) -> None:
        nonlocal allowed
        allowed = q if allowed is None else allowed | q

    if p.role in (Role.DONG_OFFICER, Role.CASE_MANAGER) and dong is not None and p.dong_id:
        widen(Q(**{dong: p.dong_id}))
    if p.role == Role.CASE_MANAGER and (own := caseload_q(viewer, kind=kind, caseload=caseload)) is not None:
        widen(own)
    if roles and p.role in roles:
        widen(roles[p.role])
    for grant in _GRANTS.get((kind, p.role), ()):
        widen(grant(viewer))
    return qs.none() if allowed is None else qs.filter(allowed)


# Run when a write is refused because its row lies outside the actor's scope, with the row's people; the
# audit app connects the DENIED row of the access log (audit/apps.py), which accounts may not import.
scope_refused = Hook("scope_refused", "lock_in_scope refused an existing row: actor, record_type, record_id, "
                                      "resident_id, subject_ids")


def lock_in_scope(qs: QuerySet[M], pk: int, missing: StrEnum, *, actor: User | None = None,
                  record_type: str | None = None, resident: str | None = None, subjects: str | None = None) -> M:
    """The row ``pk`` of a visible queryset, locked for the rest of the transaction, or NotFound.

    Services lock through the actor's scope rather than the bare table, so that a write is never a way
    around the selectors, and two officers pressing the same button serialise on the row. A refused write
    on a row that exists is an access attempt like a refused read (안전성 확보조치 기준 §8): ``record_type``
    names it in the access log and ``resident`` (``"case__resident_id"``) or ``subjects`` (``"members__id"``)
    is the lookup of the people it is about, as for audit.logged_get. Every service passes ``actor`` and
    ``record_type``; a caller that does not is still logged, as the request's user and the model's label."""
    row = qs.select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None:
        manager = qs.model._default_manager
        if manager.filter(pk=pk).exists():
            lookup = resident or subjects
            ids = sorted({v for v in manager.filter(pk=pk).values_list(lookup, flat=True) if v is not None}) \
                if lookup else []
            actor = actor or current_user()
            if actor is not None:
                scope_refused.run(actor=actor, record_type=record_type or qs.model._meta.label_lower, record_id=pk,
                                  resident_id=ids[0] if resident and ids else None,
                                  subject_ids=ids if subjects else [])
        raise NotFound(missing)
    return row
