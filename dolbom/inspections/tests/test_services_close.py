"""Closing an inspection: what it needs, and what follows from it (risk level, re-inspection visit)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from dolbom.inspections import services
from dolbom.inspections.errors import InspectionErrorCode
from dolbom.inspections.models import (
    FacilityVisit,
    FacilityVisitKind,
    FacilityVisitStatus,
    InspectionStatus,
    RiskLevel,
)
from dolbom.inspections.tests.conftest import action, answers, doc, reading
from dolbom.lib.errors import DomainError, Forbidden

pytestmark = pytest.mark.django_db


def _synced(inspector, facility, **parts):
    return services.inspection_sync(actor=inspector, doc=doc(facility, **parts)).inspection


def test_closing_needs_every_item_answered(inspector, facility):
    i = _synced(inspector, facility, answers=answers(skip=("labelling", "pest_control")))
    with pytest.raises(DomainError) as exc:
        services.inspection_close(actor=inspector, inspection=i)
    assert exc.value.code == InspectionErrorCode.INSPECTION_INCOMPLETE and "14, 15" in exc.value.message


def test_closing_needs_a_re_test_after_every_failed_swab(inspector, facility, hygiena):
    i = _synced(inspector, facility, readings=[reading(hygiena, 31)])
    with pytest.raises(DomainError) as exc:
        services.inspection_close(actor=inspector, inspection=i)
    assert exc.value.code == InspectionErrorCode.ATP_RETEST_REQUIRED
    i.refresh_from_db()
    assert i.status == InspectionStatus.IN_PROGRESS


def test_closing_needs_an_action_for_a_failed_major_item_but_not_for_a_minor_one(inspector, facility):
    i = _synced(inspector, facility, answers=answers(failing={"fridge_temperature": 13, "caps_and_masks": "no"}))
    with pytest.raises(DomainError) as exc:
        services.inspection_close(actor=inspector, inspection=i)
    assert exc.value.code == InspectionErrorCode.ACTION_REQUIRED and "4" in exc.value.message
    d = doc(facility, client_id=i.client_id, answers=answers(failing={"fridge_temperature": 13, "caps_and_masks": "no"}),
            actions=[action("fridge_temperature")])
    services.inspection_sync(actor=inspector, doc=d)
    closed = services.inspection_close(actor=inspector, inspection=i)
    # 44 of 48 weighted points: a major and a minor item missed.
    assert closed.status == InspectionStatus.CLOSED and (str(closed.score), closed.grade) == ("91.7", "good")


def test_a_failed_inspection_raises_the_kitchen_to_high_risk_and_plans_a_re_inspection(inspector, facility):
    assert facility.risk_level == RiskLevel.MEDIUM
    i = _synced(inspector, facility, submit=True, answers=answers(failing={"retained_sample": "no"}),
                actions=[action("retained_sample", days=10)])
    assert (i.status, i.grade) == (InspectionStatus.CLOSED, "fail")
    facility.refresh_from_db()
    assert facility.risk_level == RiskLevel.HIGH and facility.interval_days == 90
    visit = FacilityVisit.objects.get(follows=i)
    assert visit.kind == FacilityVisitKind.REINSPECTION
    assert visit.due_on == timezone.localdate() + dt.timedelta(days=10)


def test_a_re_inspection_from_its_visit_closes_the_visit_and_links_back(lead, inspector, facility):
    first = _synced(inspector, facility, submit=True, answers=answers(failing={"no_expired_food": "no"}),
                    actions=[action("no_expired_food")])
    visit = FacilityVisit.objects.get(follows=first)
    again = services.inspection_sync(actor=inspector, doc=doc(facility, visit_id=visit.pk, submit=True)).inspection
    assert (again.kind, again.previous_id, again.status) == ("reinspection", first.pk, InspectionStatus.CLOSED)
    visit.refresh_from_db()
    assert visit.status == FacilityVisitStatus.DONE and visit.inspection_id == again.pk


def test_closing_covers_every_visit_still_open_for_the_kitchen(lead, inspector, facility):
    routine = services.facility_visit_create(actor=lead, facility=facility, kind="routine",
                                             due_on=timezone.localdate())
    _synced(inspector, facility, submit=True)
    routine.refresh_from_db()
    assert routine.status == FacilityVisitStatus.DONE


def test_another_inspector_cannot_close_but_the_lead_can(lead, inspector, facility, officer):
    i = _synced(inspector, facility)
    with pytest.raises(Forbidden):
        services.inspection_close(actor=officer, inspection=i)
    assert services.inspection_close(actor=lead, inspection=i).closed_by_id == lead.pk


def test_the_summer_round_plans_an_inspection_for_every_active_kitchen(lead, facility):
    from dolbom.inspections.tests.conftest import make_facility

    make_facility(lead, "효자1동")
    closed = make_facility(lead)
    closed.active = False
    closed.save()
    rnd = services.summer_round_create(actor=lead, year=2026)
    assert rnd.inspections.count() == 2 and set(rnd.inspections.values_list("kind", flat=True)) == {"special"}
    assert (rnd.starts_on, rnd.ends_on) == (dt.date(2026, 6, 1), dt.date(2026, 8, 31))
    with pytest.raises(DomainError):
        services.summer_round_create(actor=lead, year=2026)


def test_a_closed_inspection_cannot_be_closed_twice(inspector, facility):
    i = _synced(inspector, facility, submit=True)
    with pytest.raises(DomainError) as exc:
        services.inspection_close(actor=inspector, inspection=i)
    assert exc.value.code == InspectionErrorCode.INSPECTION_CLOSED


def test_an_unknown_reading_parent_is_not_a_way_to_skip_the_re_test(inspector, facility, hygiena):
    first = uuid.uuid4()
    i = _synced(inspector, facility, readings=[reading(hygiena, 300, client_id=first),
                                               reading(hygiena, 200, retest_of=first)])
    with pytest.raises(DomainError) as exc:
        services.inspection_close(actor=inspector, inspection=i)
    assert exc.value.code == InspectionErrorCode.ATP_RETEST_REQUIRED


def test_a_good_kitchens_remaining_action_is_settled_by_proof_without_a_re_inspection(inspector, facility):
    i = _synced(inspector, facility, submit=True, answers=answers(failing={"boards_by_use": "no"}),
                actions=[action("boards_by_use")])
    assert i.grade == "good" and i.actions.count() == 1
    assert not FacilityVisit.objects.filter(follows=i).exists()
