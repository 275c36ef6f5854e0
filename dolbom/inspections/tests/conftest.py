"""Personas and builders of the inspections tests: the centre's inspector (윤서연) and lead (강민호), a
kitchen in 서신동, and an inspection document as the tablet sends it."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.areas.models import BoundaryArea
from dolbom.inspections import services
from dolbom.inspections.catalogue import shipped, write_instruments, write_template
from dolbom.inspections.models import (
    AtpThreshold,
    ChecklistItem,
    ChecklistTemplate,
    Facility,
    FacilityKind,
    Instrument,
    Surface,
)
from dolbom.inspections.selectors import current_template
from dolbom.testing import personas

CENTRE = "전주시 사회복지급식관리지원센터"
_serial = itertools.count(1)


@pytest.fixture
def shipped_catalogue(db):
    """The checklist and instruments the data migration loads; put back after a transactional test's flush."""
    if not ChecklistTemplate.objects.filter(code="welfare-kitchen", version=1).exists():
        write_template(ChecklistTemplate, ChecklistItem, shipped("checklist_v1.json"), published_at=timezone.now())
    write_instruments(Instrument, AtpThreshold, shipped("instruments.json"))


@pytest.fixture
def lead(shipped_catalogue) -> User:
    """강민호, the centre's hygiene team lead (a partner-institution worker with a lead Inspector row)."""
    user = personas.make_staff("minho", "강민호", Role.PARTNER, institution=CENTRE)
    services.inspector_set(actor=None, user=user, organisation=CENTRE, base_lon=127.148, base_lat=35.824, lead=True)
    return user


@pytest.fixture
def inspector(lead) -> User:
    """윤서연, the centre's inspector who works on the tablet."""
    user = personas.make_staff("seoyeon", "윤서연", Role.PARTNER, institution=CENTRE)
    services.inspector_set(actor=lead, user=user, organisation=CENTRE, base_lon=127.148, base_lat=35.824)
    return user


def make_facility(lead: User, area: str = "서신동", *, group_meal_service: bool = False, **extra) -> Facility:
    n = next(_serial)
    fields = dict(code=f"T-K{n:04d}", name=f"시험 경로당 {n}", kind=FacilityKind.SENIOR_CENTRE, operator="(사)시험복지회",
                  road_address="전주시 완산구 서신로 10", area=BoundaryArea.objects.get(name=area), diners_per_day=30,
                  contact_name="시설장", contact_phone="063-000-1234", programmes=["free_lunch"],
                  group_meal_service=group_meal_service, lon=127.118, lat=35.830)
    fields.update(extra)
    return services.facility_create(actor=lead, fields=services.FacilityFields(**fields))


@pytest.fixture
def facility(lead) -> Facility:
    return make_facility(lead)


@pytest.fixture
def hygiena(shipped_catalogue) -> Instrument:
    return Instrument.objects.get(model="Hygiena EnSURE Touch")


@pytest.fixture
def kikkoman(shipped_catalogue) -> Instrument:
    return Instrument.objects.get(model="Kikkoman Lumitester Smart")


def answers(*, failing: dict[str, object] | None = None, skip: tuple[str, ...] = ()) -> list[services.AnswerDoc]:
    """Every item of the current checklist met (values within their limits), except ``failing``: item code ->
    "no" or a measured value."""
    failing = failing or {}
    out = []
    for item in current_template().items.all():
        if item.code in skip:
            continue
        if item.code in failing:
            v = failing[item.code]
            out.append(services.AnswerDoc(item=item.code, answer="no") if v == "no" else
                       services.AnswerDoc(item=item.code, answer="na") if v == "na" else
                       services.AnswerDoc(item=item.code, answer="value", value=Decimal(str(v))))
        elif item.answer_kind == "measured":
            good = item.limit_value - 2 if item.limit_op == "le" else item.limit_value + 5
            out.append(services.AnswerDoc(item=item.code, answer="value", value=good))
        else:
            out.append(services.AnswerDoc(item=item.code, answer="yes"))
    return out


def reading(instrument: Instrument, rlu: int, *, surface: str = Surface.CUTTING_BOARD,
            retest_of: uuid.UUID | None = None, after_cleaning: bool = True,
            client_id: uuid.UUID | None = None) -> services.ReadingDoc:
    return services.ReadingDoc(client_id=client_id or uuid.uuid4(), surface=surface, instrument_id=instrument.pk,
                               rlu=rlu, measured_at=timezone.now(), after_cleaning=after_cleaning, retest_of=retest_of)


def action(item: str | None, *, days: int = 7, client_id: uuid.UUID | None = None) -> services.ActionDoc:
    return services.ActionDoc(client_id=client_id or uuid.uuid4(), item=item, description="냉장고 온도 조정",
                              owner="조리원", due_on=timezone.localdate() + dt.timedelta(days=days))


def doc(facility: Facility, *, client_id: uuid.UUID | None = None, submit: bool = False,
        visited_on: dt.date | None = None, **parts) -> services.InspectionDoc:
    parts.setdefault("answers", answers())
    return services.InspectionDoc(client_id=client_id or uuid.uuid4(), facility_id=facility.pk,
                                  template_id=current_template().pk, visited_on=visited_on or timezone.localdate(),
                                  submit=submit, **parts)
