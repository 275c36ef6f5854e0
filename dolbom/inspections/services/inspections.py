"""Closing an inspection, planning inspections and the summer special round."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dolbom.accounts.scope import lock_in_scope
from dolbom.inspections import events
from dolbom.inspections.atp import unresolved_failures
from dolbom.inspections.errors import InspectionErrorCode
from dolbom.inspections.models import (
    ActionStatus,
    Facility,
    FacilityVisit,
    FacilityVisitKind,
    FacilityVisitStatus,
    Grade,
    Inspection,
    InspectionKind,
    InspectionRound,
    InspectionStatus,
    RiskLevel,
    RoundKind,
    Severity,
    Surface,
)
from dolbom.inspections.selectors import current_template, facility_visible, inspection_visible, is_lead
from dolbom.inspections.services.facilities import require_lead
from dolbom.inspections.services.sync import inspection_rescore
from dolbom.lib.errors import DomainError, Forbidden

# A failed critical or major item needs a corrective action with an owner and a date before the
# inspection closes; a minor one may be settled by coaching on the spot.
ACTION_REQUIRED_FOR = (Severity.CRITICAL, Severity.MAJOR)


def _can_close(actor: User, inspection: Inspection) -> bool:
    return inspection.inspector_id == actor.pk or is_lead(actor)


@transaction.atomic
def inspection_close(*, actor: User, inspection: Inspection, today: dt.date | None = None) -> Inspection:
    """Close a finished inspection: every item answered, every failed swab re-cleaned and re-tested,
    every failed critical or major item given a corrective action. Closing a failed inspection raises
    the kitchen to high risk, and a kitchen that needs it gets a re-inspection visit for the route planner."""
    inspection = lock_in_scope(inspection_visible(actor).select_related("facility", "template"), inspection.pk,
                               InspectionErrorCode.INSPECTION_NOT_FOUND)
    if not _can_close(actor, inspection):
        raise Forbidden(InspectionErrorCode.NOT_ALLOWED)
    if inspection.status == InspectionStatus.CLOSED:
        raise DomainError(InspectionErrorCode.INSPECTION_CLOSED)
    result = inspection_rescore(inspection)
    if not result.complete:
        numbers = sorted(i.number for i in inspection.template.items.all() if i.code in result.missing)
        raise DomainError(InspectionErrorCode.INSPECTION_INCOMPLETE, items=", ".join(map(str, numbers)))
    readings = list(inspection.readings.all())
    pending = unresolved_failures([(str(r.pk), r.result, str(r.retest_of_id) if r.retest_of_id else None)
                                   for r in readings])
    if pending:
        labels = dict(Surface.choices)
        surfaces = sorted({str(labels[r.surface]) for r in readings if str(r.pk) in pending})
        raise DomainError(InspectionErrorCode.ATP_RETEST_REQUIRED, surfaces=", ".join(surfaces))
    severe = {i.code: i for i in inspection.template.items.all()
              if i.code in result.failed and i.severity in ACTION_REQUIRED_FOR}
    covered = set(inspection.actions.filter(item__code__in=list(severe)).values_list("item__code", flat=True))
    uncovered = sorted(severe[c].number for c in set(severe) - covered)
    if uncovered:
        raise DomainError(InspectionErrorCode.ACTION_REQUIRED, items=", ".join(map(str, uncovered)))
    inspection.status = InspectionStatus.CLOSED
    inspection.closed_at = timezone.now()
    inspection.closed_by = actor
    inspection.save()
    events.inspection_closed(inspection=inspection, actor=actor)
    facility = inspection.facility
    if inspection.grade == Grade.FAIL and facility.risk_level != RiskLevel.HIGH:
        # Raised at once; lowering it again is a person's decision (facility_risk_set).
        old = facility.risk_level
        facility.risk_level = RiskLevel.HIGH
        facility.save(update_fields=["risk_level"])
        events.risk_changed(facility=facility, actor=actor, old=old, reason="부적합 판정", inspection=inspection)
    # This visit covered the kitchen: the visits still open for it (a routine one falling due, the
    # re-inspection of an earlier inspection) are done with it.
    FacilityVisit.objects.filter(facility=facility, status=FacilityVisitStatus.OPEN).update(
        status=FacilityVisitStatus.DONE)
    _reinspection_for(actor, inspection, today or timezone.localdate())
    return inspection


def _reinspection_for(actor: User, inspection: Inspection, today: dt.date) -> FacilityVisit | None:
    """A re-inspection once the actions are due, where the kitchen failed, needs improvement or missed a
    critical item; a good kitchen's remaining actions are settled by the proof it sends (action_done)."""
    open_actions = inspection.actions.filter(status=ActionStatus.OPEN)
    needs_visit = inspection.grade in (Grade.FAIL, Grade.IMPROVE) or open_actions.filter(
        item__severity=Severity.CRITICAL).exists()
    latest = open_actions.aggregate(d=Max("due_on"))["d"]
    if not needs_visit or latest is None or FacilityVisit.objects.filter(follows=inspection).exists():
        return None
    due = max(latest, today + dt.timedelta(days=1))
    visit = FacilityVisit.objects.create(facility=inspection.facility, kind=FacilityVisitKind.REINSPECTION,
                                         follows=inspection, due_on=due, duration_minutes=40, created_by=actor)
    events.visit_planned(visit=visit, actor=actor)
    return visit


@transaction.atomic
def inspection_plan(*, actor: User, facility: Facility, due_on: dt.date, inspector: User | None = None,
                    round: InspectionRound | None = None, kind: str = InspectionKind.ROUTINE) -> Inspection:
    """A planned inspection the tablet offers to start."""
    require_lead(actor)
    facility = lock_in_scope(facility_visible(actor), facility.pk, InspectionErrorCode.FACILITY_NOT_FOUND)
    template = round.template if round is not None else current_template()
    inspection = Inspection.objects.create(facility=facility, round=round, template=template, kind=kind,
                                           status=InspectionStatus.PLANNED, inspector=inspector, due_on=due_on,
                                           created_by=actor)
    events.inspection_planned(inspection=inspection, actor=actor)
    return inspection


@transaction.atomic
def round_create(*, actor: User, name: str, kind: str, starts_on: dt.date, ends_on: dt.date,
                 facilities: list[Facility] | None = None) -> InspectionRound:
    """A round with a planned inspection for each of its facilities; the summer special round takes every
    active facility (all 77 kitchens), whatever their risk level."""
    require_lead(actor)
    if kind not in RoundKind.values or not name.strip():
        raise DomainError(InspectionErrorCode.ROUND_INVALID, detail="이름·종류")
    if ends_on < starts_on:
        raise DomainError(InspectionErrorCode.ROUND_INVALID, detail="기간")
    if InspectionRound.objects.filter(name=name.strip()).exists():
        raise DomainError(InspectionErrorCode.ROUND_INVALID, detail="같은 이름의 점검 회차가 이미 있습니다")
    template = current_template()
    chosen = (facilities if facilities is not None else
              list(facility_visible(actor).filter(active=True).order_by("dong__name", "name")))
    rnd = InspectionRound.objects.create(name=name.strip(), kind=kind, starts_on=starts_on, ends_on=ends_on,
                                         template=template, created_by=actor)
    inspection_kind = InspectionKind.SPECIAL if kind == RoundKind.SUMMER else InspectionKind.ROUTINE
    for facility in chosen:
        planned = Inspection.objects.create(facility=facility, round=rnd, template=template, kind=inspection_kind,
                                            status=InspectionStatus.PLANNED, due_on=ends_on, created_by=actor)
        events.inspection_planned(inspection=planned, actor=actor)
    return rnd


def summer_round_create(*, actor: User, year: int) -> InspectionRound:
    """하절기 특별점검: June to August, before and through the food-poisoning season."""
    return round_create(actor=actor, name=f"{year}년 하절기 특별위생점검", kind=RoundKind.SUMMER,
                        starts_on=dt.date(year, 6, 1), ends_on=dt.date(year, 8, 31))

