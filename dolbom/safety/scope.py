"""What safety adds to the registry's scope, registered at start-up (SafetyConfig.ready).

An emergency worker looks after about 360 homes: they see the residents of the homes assigned to them (a
team lead those of their centre), so that the resident page opens for the person whose alarm they answer,
and nothing else. The grant lives here, with the homes that justify it.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q

from dolbom.accounts.models import Role
from dolbom.accounts.scope import scope_grant_register


def _residents_of_assigned_homes(viewer: User) -> Q:
    from dolbom.safety.models import Home, HomeStatus
    from dolbom.safety.selectors import _worker_rule

    homes = Home.objects.filter(_worker_rule(viewer)).exclude(status=HomeStatus.ENDED)
    return Q(pk__in=homes.values("resident_id"))


def register() -> None:
    scope_grant_register(kind="resident", role=Role.EMERGENCY_WORKER, grant=_residents_of_assigned_homes)
