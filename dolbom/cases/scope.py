"""What cases adds to the registry's scope, registered at start-up (CasesConfig.ready).

A case manager's caseload is the residents of their own cases: they see them outside their dong, and
opening them needs no stated purpose. The registry cannot import cases (layers), so cases says it here.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q

from dolbom.accounts.scope import caseload_register


def _residents_of_own_cases(viewer: User) -> Q:
    from dolbom.cases.models import Case

    return Q(Exists(Case.objects.filter(resident=OuterRef("pk"), manager=viewer)))


def register() -> None:
    caseload_register(kind="resident", caseload=_residents_of_own_cases)
