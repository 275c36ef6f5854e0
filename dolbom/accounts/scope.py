"""Who may see what. The rules live here once; registry and cases selectors apply them.

- dong welfare officer: residents and cases of their own dong
- case manager: their own caseload, plus residents and cases of their own dong
- city integrated-care team: every dong
- partner-institution worker: never the full registry or case records; only the clients referred to their
  institution (StaffProfile.institution_code), while the referral is active, the client's consent to share
  with that institution (Consent.recipient_code) is in force and the case is open, and only the fields the
  service needs (referrals/selectors.py referral_visible, partner_view)
- auditor: the access log only, never personal data
- visiting nurse: the clients of the visits assigned to them (visits/selectors.py nurse_assigned_visits)
"""

from __future__ import annotations

from django.contrib.auth.models import User

from dolbom.accounts.models import Role, StaffProfile

PERSONAL_DATA_ROLES = frozenset({Role.DONG_OFFICER, Role.CASE_MANAGER, Role.CITY_TEAM})
CASE_WRITE_ROLES = PERSONAL_DATA_ROLES
# The dong office files applications with national systems (행복e음) that need the full number.
FULL_RRN_ROLES = frozenset({Role.DONG_OFFICER})
AUDIT_ROLES = frozenset({Role.AUDITOR})


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
