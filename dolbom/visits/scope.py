"""What visits adds to the registry's and cases' scope, registered at start-up (VisitsConfig.ready).

A visiting nurse works across dongs: she sees the residents, households and cases of the visits assigned
to her (recent or to come), and nothing else. The grant lives here, with the visits that justify it.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q

from dolbom.accounts.models import Role
from dolbom.accounts.scope import scope_grant_register


def _residents_of_assigned_visits(viewer: User) -> Q:
    from dolbom.visits.selectors import nurse_assigned_visits

    return Q(household_id__in=nurse_assigned_visits(viewer).values("household_id"))


def _cases_of_assigned_visits(viewer: User) -> Q:
    from dolbom.visits.selectors import nurse_assigned_visits

    return Q(pk__in=nurse_assigned_visits(viewer).filter(case__isnull=False).values("case_id"))


def register() -> None:
    scope_grant_register(kind="resident", role=Role.NURSE, grant=_residents_of_assigned_visits)
    scope_grant_register(kind="case", role=Role.NURSE, grant=_cases_of_assigned_visits)
