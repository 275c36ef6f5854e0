"""Writes to the registry."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import can_write_cases, lock_in_scope, profile
from dolbom.areas.models import BoundaryArea
from dolbom.areas.selectors import dong_for_area
from dolbom.lib import rrn as rrn_lib
from dolbom.lib.errors import DomainError, Forbidden
from dolbom.lib.hangul import initials, nfc
from dolbom.registry import hooks
from dolbom.registry.errors import RegistryErrorCode
from dolbom.registry.models import ChangeKind, Consent, ConsentPurpose, Household, RegistryChange, Resident
from dolbom.registry.selectors import household_visible, resident_visible

CONSENT_CLOCK_SKEW = dt.timedelta(minutes=5)


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
    # The unique index catches a duplicate under the current index key; while the index key rotates, the
    # same number may still sit under an old key's index (lib/rrn.py blind_indexes).
    if Resident.objects.filter(rrn_index__in=rrn_lib.blind_indexes(parsed.digits, settings.RRN_INDEX_KEYS)).exists():
        raise DomainError(RegistryErrorCode.RRN_DUPLICATE)
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
    # A consent is evidence of what the person said: it cannot have been given later than now (a few
    # minutes of clock difference between the officer's PC and the server aside). A future time would
    # also leave a referral refused "without consent" right after the consent was recorded.
    if given_at > timezone.now() + CONSENT_CLOCK_SKEW:
        raise DomainError(RegistryErrorCode.CONSENT_IN_FUTURE)
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


# Registering and changing people and households -------------------------------------------------------
# Every change keeps the previous values in RegistryChange, in the same transaction, with who and why.

@dataclass(frozen=True)
class TargetGroups:
    is_older: bool | None = None  # None: from the age (65 or over)
    has_severe_disability: bool = False
    has_mental_illness: bool = False
    is_other_target: bool = False


@dataclass(frozen=True)
class Address:
    road_address: str
    area: BoundaryArea
    address_detail: str = ""


def _household_number() -> str:
    return f"H-{timezone.localdate():%y%m%d}-{uuid.uuid4().hex[:8]}"


def _group_labels(r: Resident) -> str:
    from dolbom.registry.models import TargetGroup

    return ", ".join(str(TargetGroup(g).label) for g in r.target_groups)


@transaction.atomic
def resident_register(*, actor: User, name: str, rrn: str, phone: str = "", groups: TargetGroups = TargetGroups(),
                      household: Household | None = None, address: Address | None = None) -> Resident:
    """A new resident, into an existing household (in the actor's scope) or a new one at ``address``.

    All or nothing: a refused registration number leaves no empty household behind."""
    if not name.strip():
        raise DomainError(RegistryErrorCode.NAME_REQUIRED)
    if household is not None:
        household = lock_in_scope(household_visible(actor), household.pk, RegistryErrorCode.HOUSEHOLD_NOT_FOUND)
    else:
        if address is None or not address.road_address.strip():
            raise DomainError(RegistryErrorCode.HOUSEHOLD_NOT_FOUND)
        household = household_create(actor=actor, number=_household_number(), road_address=address.road_address.strip(),
                                     address_detail=address.address_detail.strip(), area=address.area)
    resident = resident_create(actor=actor, name=name, rrn=rrn, household=household, phone=phone.strip(),
                               is_older=groups.is_older, has_severe_disability=groups.has_severe_disability,
                               has_mental_illness=groups.has_mental_illness, is_other_target=groups.is_other_target)
    household.refresh_from_db(fields=["size"])
    RegistryChange.objects.create(
        resident=resident, household=household, kind=ChangeKind.REGISTERED, actor=actor, at=timezone.now(),
        changes={"household": ["", household.number], "address": ["", f"{household.road_address} "
                                                                       f"{household.address_detail}".strip()],
                 "dong": ["", household.dong.name]})
    return resident


@transaction.atomic
def resident_details_change(*, actor: User, resident: Resident, phone: str, groups: TargetGroups,
                            reason: str) -> Resident:
    """Phone and target groups; the previous values stay in the history."""
    _require_writer(actor)
    resident = lock_in_scope(resident_visible(actor), resident.pk, RegistryErrorCode.RESIDENT_NOT_FOUND)
    if len(reason.strip()) < 2:
        raise DomainError(RegistryErrorCode.REASON_REQUIRED)
    before = {"phone": resident.phone, "target_groups": _group_labels(resident)}
    resident.phone = phone.strip()
    if groups.is_older is not None:
        resident.is_older = groups.is_older
    resident.has_severe_disability = groups.has_severe_disability
    resident.has_mental_illness = groups.has_mental_illness
    resident.is_other_target = groups.is_other_target
    after = {"phone": resident.phone, "target_groups": _group_labels(resident)}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        raise DomainError(RegistryErrorCode.NOTHING_CHANGED)
    resident.save(update_fields=["phone", "is_older", "has_severe_disability", "has_mental_illness",
                                 "is_other_target"])
    RegistryChange.objects.create(resident=resident, household_id=resident.household_id, kind=ChangeKind.DETAILS,
                                  changes=changes, reason=reason.strip()[:200], actor=actor, at=timezone.now())
    return resident


@transaction.atomic
def household_move(*, actor: User, household: Household, address: Address, reason: str,
                   on: dt.date | None = None) -> Household:
    """A household's new address; when it lies in another dong the household and its members move there.

    Recorded by the dong the household lives in now (or the city team), which is where the person reports
    the move; afterwards the new dong sees them and the old one no longer does, except for a case manager's
    own cases. Cases keep the dong they were opened in (statistics stay true)."""
    household = lock_in_scope(household_visible(actor).select_related("dong"), household.pk,
                              RegistryErrorCode.HOUSEHOLD_NOT_FOUND)
    _require_dong(actor, household.dong_id)
    if len(reason.strip()) < 2:
        raise DomainError(RegistryErrorCode.REASON_REQUIRED)
    new_dong = dong_for_area(area=address.area, day=on or timezone.localdate())
    old = {"address": f"{household.road_address} {household.address_detail}".strip(), "dong": household.dong.name}
    new_address = f"{address.road_address.strip()} {address.address_detail.strip()}".strip()
    if new_address == old["address"] and address.area.pk == household.area_id:
        raise DomainError(RegistryErrorCode.SAME_ADDRESS)
    household.road_address, household.address_detail = address.road_address.strip(), address.address_detail.strip()
    household.area, household.dong = address.area, new_dong
    # The coordinates were those of the old address; the map places the household at its dong until the
    # new address is located.
    household.lon = household.lat = None
    household.save(update_fields=["road_address", "address_detail", "area", "dong", "lon", "lat"])
    Resident.objects.filter(household=household).update(dong=new_dong)
    changes = {"address": [old["address"], new_address]}
    if old["dong"] != new_dong.name:
        changes["dong"] = [old["dong"], new_dong.name]
    RegistryChange.objects.create(household=household, kind=ChangeKind.ADDRESS, changes=changes,
                                  reason=reason.strip()[:200], actor=actor, at=timezone.now())
    return household
