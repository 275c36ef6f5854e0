"""Reads for the reports: a facility over time and a round at a glance, each narrowed to the viewer's
facilities (selectors.facility_visible), and the logged export of either.

A download leaves the system, so it needs a reason and writes an EXPORT row to the access log even though
no resident is in it (개인정보의 안전성 확보조치 기준 §8; the files name facility operators and contacts).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Avg
from django.utils import timezone

from dolbom.audit.models import AccessAction
from dolbom.audit.services import access_log_write
from dolbom.inspections import charts
from dolbom.inspections.errors import InspectionErrorCode
from dolbom.inspections.models import (
    ActionStatus,
    AtpReading,
    AtpResult,
    CorrectiveAction,
    Facility,
    Grade,
    Inspection,
    InspectionAnswer,
    InspectionRound,
    InspectionStatus,
    Severity,
    Surface,
)
from dolbom.inspections.selectors import facility_visible, threshold_for
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError

SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.MAJOR: 1, Severity.MINOR: 2}


@dataclass(frozen=True)
class ItemFailure:
    number: int
    code: str
    text: str
    severity: str
    severity_label: str
    legal_basis: str
    failed: int
    applicable: int

    @property
    def rate(self) -> float:
        return round(100 * self.failed / self.applicable, 1) if self.applicable else 0.0


@dataclass(frozen=True)
class SurfaceAtp:
    surface: str
    label: str
    first_swabs: int
    failed: int
    caution: int
    retested: int

    @property
    def fail_rate(self) -> float:
        return round(100 * self.failed / self.first_swabs, 1) if self.first_swabs else 0.0


@dataclass(frozen=True)
class RoundReport:
    round: InspectionRound
    facilities: int
    closed: int
    passed: int
    failed: int
    grades: dict[str, int]
    mean_score: Decimal | None
    items: list[ItemFailure]
    atp: list[SurfaceAtp]
    open_actions: list[CorrectiveAction]
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def not_done(self) -> int:
        return self.facilities - self.closed


def _item_failures(answers: list[InspectionAnswer]) -> list[ItemFailure]:
    failed: Counter[str] = Counter()
    applicable: Counter[str] = Counter()
    items = {}
    for a in answers:
        if a.compliant is None:
            continue
        items[a.item.code] = a.item
        applicable[a.item.code] += 1
        if a.compliant is False:
            failed[a.item.code] += 1
    labels = dict(Severity.choices)
    rows = [ItemFailure(number=i.number, code=code, text=i.text, severity=i.severity,
                        severity_label=str(labels[i.severity]), legal_basis=i.legal_basis, failed=failed[code],
                        applicable=applicable[code]) for code, i in items.items()]
    # Ranked: most often failed first; among equals the graver, then checklist order.
    return sorted(rows, key=lambda r: (-r.failed, SEVERITY_ORDER[r.severity], r.number))


def _atp_summary(readings: list[AtpReading]) -> list[SurfaceAtp]:
    first = [r for r in readings if r.retest_of_id is None]
    retested = {r.retest_of_id for r in readings if r.retest_of_id}
    labels = dict(Surface.choices)
    out = []
    for surface in Surface.values:
        mine = [r for r in first if r.surface == surface]
        if not mine:
            continue
        out.append(SurfaceAtp(surface=surface, label=str(labels[surface]), first_swabs=len(mine),
                              failed=sum(r.result == AtpResult.FAIL for r in mine),
                              caution=sum(r.result == AtpResult.CAUTION for r in mine),
                              retested=sum(r.pk in retested for r in mine)))
    return out


def round_report(*, viewer: User, rnd: InspectionRound) -> RoundReport:
    facilities = facility_visible(viewer)
    inspections = Inspection.objects.filter(round=rnd, facility__in=facilities)
    closed = inspections.filter(status=InspectionStatus.CLOSED)
    grades = Counter(closed.values_list("grade", flat=True))
    answers = list(InspectionAnswer.objects.filter(inspection__in=closed).select_related("item"))
    readings = list(AtpReading.objects.filter(inspection__in=closed))
    open_actions = list(CorrectiveAction.objects.filter(inspection__in=inspections, status=ActionStatus.OPEN)
                        .select_related("facility__dong", "item").order_by("due_on", "facility__name"))
    mean = closed.aggregate(m=Avg("score"))["m"]
    return RoundReport(
        round=rnd, facilities=inspections.values("facility").distinct().count(), closed=closed.count(),
        passed=grades[Grade.GOOD] + grades[Grade.IMPROVE], failed=grades[Grade.FAIL],
        grades={g: grades[g] for g in Grade.values},
        mean_score=Decimal(mean).quantize(Decimal("0.1")) if mean is not None else None,
        items=_item_failures(answers), atp=_atp_summary(readings), open_actions=open_actions)


@dataclass(frozen=True)
class SurfaceTrend:
    surface: str
    label: str
    svg: str
    readings: list[AtpReading]


@dataclass(frozen=True)
class FacilityReport:
    facility: Facility
    inspections: list[Inspection]
    score_svg: str
    surfaces: list[SurfaceTrend]
    open_actions: list[CorrectiveAction]
    readings: list[AtpReading]
    today: dt.date = field(default_factory=timezone.localdate)


def facility_report(*, facility: Facility) -> FacilityReport:
    """The facility over time. The caller has fetched ``facility`` through selectors.facility_get."""
    inspections = list(facility.inspections.filter(status=InspectionStatus.CLOSED)
                       .select_related("inspector__staff", "round").order_by("visited_on", "pk"))
    score_svg = charts.score_trend([(i.visited_on, float(i.score), i.grade) for i in inspections
                                    if i.visited_on and i.score is not None])
    readings = list(AtpReading.objects.filter(inspection__facility=facility)
                    .exclude(inspection__status=InspectionStatus.PLANNED)
                    .select_related("instrument", "inspection").order_by("measured_at", "pk"))
    by_surface: dict[str, list[AtpReading]] = defaultdict(list)
    for r in readings:
        by_surface[r.surface].append(r)
    labels = dict(Surface.choices)
    surfaces = []
    for surface in Surface.values:
        mine = by_surface.get(surface)
        if not mine:
            continue
        latest = mine[-1]
        # Drawn against the limits of the latest instrument used (the centre seldom changes models).
        threshold = threshold_for(instrument=latest.instrument, surface=surface)
        pass_max = threshold.pass_max if threshold else latest.pass_max
        caution_max = threshold.caution_max if threshold else latest.caution_max
        same = [r for r in mine if r.instrument_id == latest.instrument_id]
        surfaces.append(SurfaceTrend(surface=surface, label=str(labels[surface]), readings=mine,
                                     svg=charts.atp_trend(str(labels[surface]),
                                                          [(r.measured_at, r.rlu, r.result) for r in same],
                                                          pass_max=pass_max, caution_max=caution_max)))
    open_actions = list(facility.actions.filter(status=ActionStatus.OPEN).select_related("item")
                        .order_by("due_on"))
    return FacilityReport(facility=facility, inspections=inspections, score_svg=score_svg, surfaces=surfaces,
                          open_actions=open_actions, readings=readings)


def export_logged(*, viewer: User, context: AccessContext, record_type: str, record_id: int | str) -> None:
    """Refuse an export without a reason; log it (EXPORT) with one. No resident is in these files."""
    if len(context.purpose.strip()) < 2:
        raise DomainError(InspectionErrorCode.EXPORT_REASON_REQUIRED)
    access_log_write(actor=viewer, action=AccessAction.EXPORT, record_type=record_type, record_id=record_id,
                     context=context, subject_ids=[])
