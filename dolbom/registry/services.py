"""Writes to the registry."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import can_write_cases, profile
from dolbom.areas.models import BoundaryArea
from dolbom.areas.selectors import dong_for_area
from dolbom.lib import rrn as rrn_lib
from dolbom.lib.errors import DomainError, Forbidden
from dolbom.lib.hangul import initials, nfc
from dolbom.registry import hooks
from dolbom.registry.errors import RegistryErrorCode
from dolbom.registry.models import Consent, ConsentPurpose, Household, Resident
from dolbom.registry.selectors import resident_visible


def _require_writer(actor: User) -> None:
    if not can_write_cases(actor):
        raise Forbidden(RegistryErrorCode.NOT_ALLOWED)


def _require_dong(actor: User, dong_id: int | None) -> None:
    """Dong staff register people of their own dong only; the city team registers anywhere.
    The pages and the API never offer more, but a write must not rely on the screen that called it."""
    _require_writer(actor)
    p = profile(actor)
    if p is not None and p.role != Role.CITY_TEAM and (p.dong_id is None or p.dong_id != dong_id):
        raise Forbidden(RegistryErrorCode.OUTSIDE_DONG)


def _require_resident_in_scope(actor: User, resident: Resident) -> None:
    _require_writer(actor)
    if not resident_visible(actor).filter(pk=resident.pk).exists():
        raise Forbidden(RegistryErrorCode.NOT_ALLOWED)


@transaction.atomic
def household_create(
    *, actor: User, number: str, road_address: str, area: BoundaryArea, address_detail: str = "",
    lon: float | None = None, lat: float | None = None, on: dt.date | None = None,
) -> Household:
    dong = dong_for_area(area=area, day=on or timezone.localdate())
    _require_dong(actor, dong.pk)
    return Household.objects.create(
        number=number, road_address=road_address, address_detail=address_detail, area=area, dong=dong,
        lon=lon, lat=lat, size=0,
    )


@transaction.atomic
def resident_create(
    *, actor: User, name: str, rrn: str, household: Household, phone: str = "",
    is_older: bool | None = None, has_severe_disability: bool = False, has_mental_illness: bool = False,
    is_other_target: bool = False,
) -> Resident:
    _require_dong(actor, household.dong_id)
    try:
        parsed = rrn_lib.parse(rrn)
    except rrn_lib.InvalidRRN as exc:
        raise DomainError(RegistryErrorCode.RRN_INVALID) from exc
    today = timezone.localdate()
    birth = parsed.birth_date
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    resident = Resident(
        # Composed Hangul (NFC), whatever the keyboard sent: search and initials work on composed syllables.
        name=nfc(name.strip()), name_initials=initials(nfc(name.strip())), birth_date=birth, sex=parsed.sex,
        rrn_encrypted=rrn_lib.encrypt(parsed.digits, settings.RRN_ENCRYPTION_KEY),
        rrn_index=rrn_lib.blind_index(parsed.digits, settings.RRN_INDEX_KEY),
        phone=phone, household=household, dong_id=household.dong_id,
        # Older person under the Act: 65 or over (노인복지법 기준).
        is_older=age >= 65 if is_older is None else is_older,
        has_severe_disability=has_severe_disability, has_mental_illness=has_mental_illness,
        is_other_target=is_other_target,
    )
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError as exc:
        raise DomainError(RegistryErrorCode.RRN_DUPLICATE) from exc
    size = household.members.count()
    Household.objects.filter(pk=household.pk).update(size=size)
    household.members.update(lives_alone=size == 1)
    resident.lives_alone = size == 1
    return resident


@transaction.atomic
def consent_record(
    *, actor: User, resident: Resident, purpose: ConsentPurpose, recipient: str,
    given_at: dt.datetime | None = None, expires_on: dt.date | None = None, method: str = "written",
    note: str = "", recipient_code: str = "",
) -> Consent:
    _require_resident_in_scope(actor, resident)
    if purpose not in ConsentPurpose.values or not recipient.strip():
        raise DomainError(RegistryErrorCode.CONSENT_INVALID)
    given_at = given_at or timezone.now()
    if expires_on is not None and expires_on < given_at.date():
        raise DomainError(RegistryErrorCode.CONSENT_INVALID)
    return Consent.objects.create(
        resident=resident, purpose=purpose, recipient=recipient.strip(), recipient_code=recipient_code.strip(),
        given_at=given_at,
        expires_on=expires_on, method=method, recorded_by=actor, note=note,
    )


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent, at: dt.datetime | None = None) -> Consent:
    _require_resident_in_scope(actor, consent.resident)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise DomainError(RegistryErrorCode.CONSENT_ALREADY_WITHDRAWN)
    consent.withdrawn_at = at or timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    # Every caller (page, API, script) ends what relied on this consent (the referrals app's referrals)
    # in the same transaction.
    hooks.consent_withdrawn.run(actor=actor, consent=consent)
    return consent


@transaction.atomic
def dong_assignments_refresh(*, on: dt.date) -> int:
    """Re-point every household and resident to the dong valid on a date (run when a change takes effect).

    Set-based: one UPDATE per boundary area, not a loop over residents. Cases keep the dong they were
    opened in, so history and statistics stay as they were.
    """
    changed = 0
    for area in BoundaryArea.objects.select_related("original_dong"):
        dong = dong_for_area(area=area, day=on)
        changed += Household.objects.filter(area=area).exclude(dong=dong).update(dong=dong)
        Resident.objects.filter(household__area=area).exclude(dong=dong).update(dong=dong)
    return changed
