"""Writes of the service directory: institutions and their services (the city team keeps it)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction

from dolbom.accounts.models import Role
from dolbom.accounts.scope import role_of
from dolbom.areas.models import Dong
from dolbom.lib.errors import DomainError, Forbidden
from dolbom.referrals.categories import categories
from dolbom.referrals.errors import ReferralErrorCode
from dolbom.referrals.models import (
    Institution,
    InstitutionKind,
    Service,
)


def _require_city(actor: User) -> None:
    if role_of(actor) != Role.CITY_TEAM:
        raise Forbidden(ReferralErrorCode.NOT_ALLOWED)


# Directory (city team) ---------------------------------------------------------------------------

@transaction.atomic
def institution_save(
    *, actor: User, code: str, name: str, kind: InstitutionKind | str, phone: str = "", contact_person: str = "",
    email: str = "", address: str = "", dongs: Iterable[Dong] = (), active: bool = True,
    institution: Institution | None = None,
) -> Institution:
    _require_city(actor)
    code, name = code.strip(), name.strip()
    if not code:
        raise DomainError(ReferralErrorCode.FIELD_REQUIRED, field="code")
    if not name:
        raise DomainError(ReferralErrorCode.FIELD_REQUIRED, field="name")
    if kind not in InstitutionKind.values:
        raise DomainError(ReferralErrorCode.FIELD_REQUIRED, field="kind")
    clash = Institution.objects.filter(code=code)
    if institution is not None:
        clash = clash.exclude(pk=institution.pk)
    if clash.exists():
        raise DomainError(ReferralErrorCode.CODE_TAKEN)
    inst = institution or Institution()
    inst.code, inst.name, inst.kind, inst.phone = code, name, kind, phone.strip()
    inst.contact_person, inst.email, inst.address, inst.active = contact_person.strip(), email.strip(), address, active
    inst.save()
    inst.dongs.set(list(dongs))
    return inst


@transaction.atomic
def service_save(
    *, actor: User, institution: Institution, code: str, name: str, category_code: str, eligibility: str = "",
    dongs: Iterable[Dong] = (), citywide: bool = False, capacity: int = 0, waiting: int = 0, active: bool = True,
    service: Service | None = None,
) -> Service:
    _require_city(actor)
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise DomainError(ReferralErrorCode.FIELD_REQUIRED, field="code" if not code else "name")
    if category_code not in categories().minors:
        raise DomainError(ReferralErrorCode.CATEGORY_UNKNOWN)
    clash = Service.objects.filter(code=code)
    if service is not None:
        clash = clash.exclude(pk=service.pk)
    if clash.exists():
        raise DomainError(ReferralErrorCode.CODE_TAKEN)
    svc = service or Service()
    svc.institution, svc.code, svc.name, svc.category_code = institution, code, name, category_code
    svc.eligibility, svc.citywide, svc.active = eligibility, citywide, active
    svc.capacity, svc.waiting = max(0, capacity), max(0, waiting)
    svc.save()
    svc.dongs.set(list(dongs))
    return svc


