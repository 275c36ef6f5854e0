"""Writes of the centre's reference data: facilities, inspectors, sanitation contacts, ATP limits and
checklist versions. All of them are the lead's (a centre lead or the city team)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from dolbom.accounts.scope import lock_in_scope
from dolbom.areas.models import BoundaryArea
from dolbom.areas.selectors import area_for_point, dong_for_area
from dolbom.inspections import catalogue, events
from dolbom.inspections.errors import InspectionErrorCode
from dolbom.inspections.models import (
    AtpThreshold,
    CareProgramme,
    ChecklistItem,
    ChecklistTemplate,
    Facility,
    FacilityKind,
    Inspector,
    Instrument,
    RiskLevel,
    SanitationContact,
    Surface,
)
from dolbom.inspections.selectors import facility_visible, is_lead
from dolbom.lib.errors import DomainError, Forbidden

# Landlines (063-…, 02-…), mobiles and 070 numbers: a facility's contact is often the kitchen's landline.
_PHONE = re.compile(r"0\d{1,2}\d{3,4}\d{4}")
_SEPARATORS = re.compile(r"[\s\-.()]")


def require_lead(actor: User) -> None:
    if not is_lead(actor):
        raise Forbidden(InspectionErrorCode.NOT_ALLOWED)


def phone_clean(raw: str) -> str:
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if not _PHONE.fullmatch(digits):
        raise DomainError(InspectionErrorCode.PHONE_INVALID)
    if digits.startswith("02"):
        return f"02-{digits[2:-4]}-{digits[-4:]}"
    return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"


@dataclass
class FacilityFields:
    code: str
    name: str
    kind: str
    operator: str
    road_address: str
    area: BoundaryArea | None
    diners_per_day: int
    contact_name: str
    contact_phone: str
    programmes: list[str] = field(default_factory=list)
    risk_level: str = RiskLevel.MEDIUM
    group_meal_service: bool = False
    has_dietitian: bool = False
    lon: float | None = None
    lat: float | None = None
    synthetic: bool = False
    note: str = ""


def _clean(fields: FacilityFields) -> FacilityFields:
    problems = []
    if not fields.code.strip() or not fields.name.strip() or not fields.operator.strip():
        problems.append("코드·이름·운영자")
    if fields.kind not in FacilityKind.values:
        problems.append("시설 유형")
    if fields.risk_level not in RiskLevel.values:
        problems.append("위험도")
    if any(p not in CareProgramme.values for p in fields.programmes):
        problems.append("돌봄 사업")
    if not 1 <= fields.diners_per_day <= 2000:
        problems.append("하루 급식 인원")
    if not fields.road_address.strip() or not fields.contact_name.strip():
        problems.append("주소·담당자")
    if fields.area is None and fields.lon is not None and fields.lat is not None:
        fields.area = area_for_point(lon=fields.lon, lat=fields.lat)
    if fields.area is None:
        problems.append("행정동(위치)")
    if problems:
        raise DomainError(InspectionErrorCode.FACILITY_INVALID, detail=", ".join(problems))
    fields.contact_phone = phone_clean(fields.contact_phone)
    fields.programmes = sorted(set(fields.programmes))
    return fields


_TRACKED = ("name", "kind", "operator", "road_address", "diners_per_day", "contact_name", "contact_phone",
            "programmes", "group_meal_service", "has_dietitian")


@transaction.atomic
def facility_create(*, actor: User, fields: FacilityFields) -> Facility:
    require_lead(actor)
    f = _clean(fields)
    assert f.area is not None
    dong = dong_for_area(area=f.area, day=timezone.localdate())
    try:
        with transaction.atomic():
            facility = Facility.objects.create(
                code=f.code.strip(), name=f.name.strip(), kind=f.kind, operator=f.operator.strip(),
                road_address=f.road_address.strip(), area=f.area, dong=dong, lon=f.lon, lat=f.lat,
                diners_per_day=f.diners_per_day, group_meal_service=f.group_meal_service,
                has_dietitian=f.has_dietitian, contact_name=f.contact_name.strip(), contact_phone=f.contact_phone,
                programmes=f.programmes, risk_level=f.risk_level, synthetic=f.synthetic, note=f.note.strip())
    except IntegrityError as exc:
        raise DomainError(InspectionErrorCode.CODE_TAKEN) from exc
    events.facility_registered(facility=facility, actor=actor)
    return facility


@transaction.atomic
def facility_update(*, actor: User, facility: Facility, fields: FacilityFields) -> Facility:
    require_lead(actor)
    facility = lock_in_scope(facility_visible(actor), facility.pk, InspectionErrorCode.FACILITY_NOT_FOUND)
    f = _clean(fields)
    old = {k: getattr(facility, k) for k in _TRACKED}
    for k in _TRACKED:
        value = getattr(f, k)
        setattr(facility, k, value.strip() if isinstance(value, str) else value)
    if f.area is not None and f.area.pk != facility.area_id:
        facility.area = f.area
        facility.dong = dong_for_area(area=f.area, day=timezone.localdate())
    facility.lon, facility.lat, facility.note = f.lon, f.lat, f.note.strip()
    facility.save()
    new = {k: getattr(facility, k) for k in _TRACKED}
    changed = {k for k in _TRACKED if old[k] != new[k]}
    if changed:
        events.facility_updated(facility=facility, actor=actor, old={k: old[k] for k in changed},
                                new={k: new[k] for k in changed})
    if f.risk_level != facility.risk_level:
        facility_risk_set(actor=actor, facility=facility, risk_level=f.risk_level, reason="시설 정보 수정")
    return facility


@transaction.atomic
def facility_risk_set(*, actor: User, facility: Facility, risk_level: str, reason: str) -> Facility:
    """The risk level sets how often the kitchen is inspected (models.RISK_INTERVAL_DAYS)."""
    require_lead(actor)
    if risk_level not in RiskLevel.values:
        raise DomainError(InspectionErrorCode.FACILITY_INVALID, detail="위험도")
    facility = lock_in_scope(facility_visible(actor), facility.pk, InspectionErrorCode.FACILITY_NOT_FOUND)
    old = facility.risk_level
    if old != risk_level:
        facility.risk_level = risk_level
        facility.save(update_fields=["risk_level"])
        events.risk_changed(facility=facility, actor=actor, old=old, reason=reason.strip())
    return facility


@transaction.atomic
def inspector_set(*, actor: User | None, user: User, organisation: str, base_lon: float, base_lat: float,
                  lead: bool = False, active: bool = True) -> Inspector:
    """``actor`` None: the command line (``dolbom inspections add-inspector``), which names the first lead."""
    if actor is not None:
        require_lead(actor)
    inspector, _created = Inspector.objects.update_or_create(user=user, defaults={
        "organisation": organisation.strip(), "base_lon": base_lon, "base_lat": base_lat, "lead": lead,
        "active": active,
    })
    return inspector


@transaction.atomic
def sanitation_contact_set(*, actor: User, gu: str, department: str, officer: str, phone: str) -> SanitationContact:
    require_lead(actor)
    from dolbom.integrations.messaging import MessageError, phone_normalise

    try:
        number = phone_normalise(phone)  # the notice goes by SMS/LMS: a work mobile
    except MessageError as exc:
        raise DomainError(InspectionErrorCode.PHONE_INVALID) from exc
    contact, _created = SanitationContact.objects.update_or_create(gu=gu.strip(), defaults={
        "department": department.strip(), "officer": officer.strip(), "phone": number})
    return contact


@transaction.atomic
def instrument_create(*, actor: User, model: str, maker: str) -> Instrument:
    require_lead(actor)
    if not model.strip() or not maker.strip():
        raise DomainError(InspectionErrorCode.INSTRUMENT_UNKNOWN)
    instrument, _created = Instrument.objects.get_or_create(model=model.strip(), defaults={"maker": maker.strip()})
    return instrument


@transaction.atomic
def threshold_set(*, actor: User, instrument: Instrument, surface: str, pass_max: int, caution_max: int,
                  source: str = "") -> AtpThreshold:
    """Limits for readings stored from now on; stored readings keep the limits they were judged by."""
    require_lead(actor)
    if surface not in ("", *Surface.values):
        raise DomainError(InspectionErrorCode.THRESHOLD_INVALID)
    try:
        p, c = catalogue.validate_limits(pass_max, caution_max)
    except catalogue.CatalogueError as exc:
        raise DomainError(InspectionErrorCode.THRESHOLD_INVALID) from exc
    threshold, _created = AtpThreshold.objects.update_or_create(
        instrument=instrument, surface=surface, defaults={"pass_max": p, "caution_max": c, "source": source.strip()})
    return threshold


@transaction.atomic
def template_publish(*, actor: User | None, data: dict) -> ChecklistTemplate:
    """A new checklist version becomes current; inspections keep the version they were answered on.
    ``actor`` None: the command line, run by whoever administers the server."""
    if actor is not None:
        require_lead(actor)
    try:
        return catalogue.write_template(ChecklistTemplate, ChecklistItem, data, published_at=timezone.now())
    except catalogue.CatalogueError as exc:
        raise DomainError(InspectionErrorCode.TEMPLATE_INVALID, detail=str(exc)) from exc
