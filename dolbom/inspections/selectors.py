"""Reads of facilities, inspections and their follow-up. Visibility is enforced here and nowhere else.

- inspectors of the meal-support centre (an active ``Inspector`` row) and the city's integrated-care team:
  every facility, since the centre serves the whole city;
- dong welfare officers and case managers: the facilities of their dong (the kitchens their clients eat
  from), read only;
- partner workers, nurses, auditors without an Inspector row: none.

A facility record names its operator and a contact person with a phone number, so the pages of one
facility or inspection go through ``logged_get`` (DENIED and 404 out of scope). No resident is named
anywhere in this app: diners are counted, never listed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import profile, visible_by_role
from dolbom.audit.logged import logged_get
from dolbom.inspections import atp
from dolbom.inspections.errors import InspectionErrorCode
from dolbom.inspections.models import (
    ActionStatus,
    AtpReading,
    AtpThreshold,
    ChecklistTemplate,
    CoachingRecord,
    CorrectiveAction,
    Escalation,
    Facility,
    FacilityDayPlan,
    FacilityVisit,
    FacilityVisitStatus,
    Inspection,
    InspectionAnswer,
    InspectionEvent,
    InspectionRound,
    InspectionStatus,
    Inspector,
    Instrument,
    Photo,
    SanitationContact,
)
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import NotFound

TEMPLATE_CODE = "welfare-kitchen"


# Who is who ----------------------------------------------------------------------------------------

def inspector_of(user: User) -> Inspector | None:
    if not user.is_authenticated:
        return None
    try:
        inspector = user.inspector  # type: ignore[attr-defined]
    except Inspector.DoesNotExist:
        return None
    return inspector if inspector.active else None


def is_inspector(user: User) -> bool:
    return inspector_of(user) is not None


def is_lead(user: User) -> bool:
    """Manages facilities, checklists, thresholds, rounds, escalations: a centre lead or the city team."""
    p = profile(user)
    if p is not None and p.role == Role.CITY_TEAM:
        return True
    inspector = inspector_of(user)
    return inspector is not None and inspector.lead


def can_see_inspections(user: User) -> bool:
    p = profile(user)
    return is_inspector(user) or (p is not None and p.role in (Role.CITY_TEAM, Role.DONG_OFFICER,
                                                               Role.CASE_MANAGER))


# Facilities --------------------------------------------------------------------------------------

def facility_visible(viewer: User) -> QuerySet[Facility]:
    if is_inspector(viewer):
        return Facility.objects.all()
    return visible_by_role(viewer, Facility.objects.all(), kind="facility", dong="dong_id")


@dataclass(frozen=True)
class FacilityRow:
    facility: Facility
    last_visited_on: dt.date | None
    last_score: object
    last_grade: str
    next_due_on: dt.date
    open_actions: int
    overdue_actions: int

    @property
    def overdue(self) -> bool:
        return self.next_due_on < timezone.localdate()


def facility_list(*, viewer: User, dong_id: int | None = None, risk: str = "", query: str = "",
                  due_within_days: int | None = None, today: dt.date | None = None) -> list[FacilityRow]:
    """Facilities in scope with their last result, next due date and open actions: three queries
    however many facilities (the list page asserts it)."""
    today = today or timezone.localdate()
    qs = facility_visible(viewer).filter(active=True).select_related("dong")
    if dong_id:
        qs = qs.filter(dong_id=dong_id)
    if risk:
        qs = qs.filter(risk_level=risk)
    if query.strip():
        q = query.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(road_address__icontains=q))
    qs = qs.annotate(
        last_visit=Max("inspections__visited_on", filter=Q(inspections__status=InspectionStatus.CLOSED)),
        open_actions=Count("actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True),
        overdue_actions=Count("actions", filter=Q(actions__status=ActionStatus.OPEN, actions__due_on__lt=today),
                              distinct=True),
    )
    facilities = list(qs)
    last = {}
    closed = (Inspection.objects.filter(facility__in=[f.pk for f in facilities], status=InspectionStatus.CLOSED)
              .order_by("facility_id", "-visited_on", "-pk").values("facility_id", "score", "grade"))
    for row in closed:
        last.setdefault(row["facility_id"], row)
    rows = []
    for f in facilities:
        base = f.last_visit or timezone.localtime(f.created_at).date() - dt.timedelta(days=f.interval_days)
        next_due = base + dt.timedelta(days=f.interval_days)
        rows.append(FacilityRow(facility=f, last_visited_on=f.last_visit,
                                last_score=last.get(f.pk, {}).get("score"), last_grade=last.get(f.pk, {}).get("grade", ""),
                                next_due_on=next_due, open_actions=f.open_actions, overdue_actions=f.overdue_actions))
    if due_within_days is not None:
        rows = [r for r in rows if r.next_due_on <= today + dt.timedelta(days=due_within_days)]
    return rows


def facility_get(*, viewer: User, facility_id: int, context: AccessContext) -> Facility:
    return logged_get(facility_visible(viewer).select_related("dong", "area"), facility_id, viewer=viewer,
                      context=context, record_type="facility", missing=InspectionErrorCode.FACILITY_NOT_FOUND)


def facility_next_due(facility: Facility) -> dt.date:
    last = facility.inspections.filter(status=InspectionStatus.CLOSED).aggregate(d=Max("visited_on"))["d"]
    base = last or timezone.localtime(facility.created_at).date() - dt.timedelta(days=facility.interval_days)
    return base + dt.timedelta(days=facility.interval_days)


def facility_history(*, facility: Facility) -> list[Inspection]:
    return list(facility.inspections.exclude(status=InspectionStatus.PLANNED)
                .select_related("inspector__staff", "round", "template").order_by("-visited_on", "-pk"))


def facility_events(*, facility: Facility, limit: int = 50) -> list[InspectionEvent]:
    return list(facility.events.select_related("actor__staff", "inspection")[:limit])


def facility_coaching(*, facility: Facility) -> list[CoachingRecord]:
    return list(facility.coaching.select_related("given_by__staff"))


# Inspections ---------------------------------------------------------------------------------------

def inspection_visible(viewer: User) -> QuerySet[Inspection]:
    return Inspection.objects.filter(facility__in=facility_visible(viewer))


def inspection_get(*, viewer: User, inspection_id: int, context: AccessContext) -> Inspection:
    return logged_get(inspection_visible(viewer).select_related("facility__dong", "template", "round",
                                                                "inspector__staff", "closed_by__staff"),
                      inspection_id, viewer=viewer, context=context, record_type="inspection",
                      missing=InspectionErrorCode.INSPECTION_NOT_FOUND)


def inspection_answers(*, inspection: Inspection) -> list[InspectionAnswer]:
    return list(inspection.answers.select_related("item"))


def inspection_readings(*, inspection: Inspection) -> list[AtpReading]:
    return list(inspection.readings.select_related("instrument"))


def inspection_list(*, viewer: User, status: str = "", round_id: int | None = None, since: dt.date | None = None,
                    limit: int = 300) -> list[Inspection]:
    qs = inspection_visible(viewer).select_related("facility__dong", "inspector__staff", "round")
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=InspectionStatus.PLANNED)
    if round_id:
        qs = qs.filter(round_id=round_id)
    if since:
        qs = qs.filter(Q(synced_at__date__gte=since) | Q(visited_on__gte=since))
    return list(qs.order_by("-synced_at", "-visited_on", "-pk")[:limit])


def inspections_planned_for(*, viewer: User) -> list[Inspection]:
    """What the inspector's tablet offers to start: planned inspections assigned to them or to nobody."""
    if not is_inspector(viewer):
        return []
    return list(Inspection.objects.filter(status=InspectionStatus.PLANNED)
                .filter(Q(inspector=viewer) | Q(inspector__isnull=True))
                .select_related("facility__dong", "round").order_by("due_on", "facility__name")[:500])


def current_template() -> ChecklistTemplate:
    template = (ChecklistTemplate.objects.filter(code=TEMPLATE_CODE, current=True).prefetch_related("items")
                .first())
    if template is None:
        raise NotFound(InspectionErrorCode.TEMPLATE_NOT_CURRENT)
    return template


def template_list() -> list[ChecklistTemplate]:
    return list(ChecklistTemplate.objects.prefetch_related("items").order_by("code", "-version"))


# ATP ---------------------------------------------------------------------------------------------

def instrument_list(*, active_only: bool = True) -> list[Instrument]:
    qs = Instrument.objects.prefetch_related("thresholds")
    if active_only:
        qs = qs.filter(active=True)
    return list(qs)


def threshold_for(*, instrument: Instrument, surface: str) -> AtpThreshold | None:
    """The surface's own limits, else the instrument's default."""
    rows = {t.surface: t for t in AtpThreshold.objects.filter(instrument=instrument, surface__in=[surface, ""])}
    return rows.get(surface) or rows.get("")


@dataclass(frozen=True)
class BaselineRow:
    instrument: Instrument
    surface: str
    surface_label: str
    baseline: atp.Baseline | None
    readings: int
    pass_max: int | None


def facility_baselines(*, facility: Facility) -> list[BaselineRow]:
    """Mean + 3 SD of the facility's clean readings per instrument and surface, beside the limit in use."""
    from dolbom.inspections.models import Surface

    values: dict[tuple[int, str], list[int]] = defaultdict(list)
    instruments: dict[int, Instrument] = {}
    for r in (AtpReading.objects.filter(inspection__facility=facility, after_cleaning=True)
              .select_related("instrument").order_by("measured_at")):
        values[(r.instrument_id, r.surface)].append(r.rlu)
        instruments[r.instrument_id] = r.instrument
    limits = {(t.instrument_id, t.surface): t.pass_max for t in
              AtpThreshold.objects.filter(instrument_id__in=list(instruments))}
    labels = dict(Surface.choices)
    rows = []
    for (iid, surface), rlus in sorted(values.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        rows.append(BaselineRow(instrument=instruments[iid], surface=surface, surface_label=str(labels[surface]),
                                baseline=atp.baseline(rlus), readings=len(rlus),
                                pass_max=limits.get((iid, surface), limits.get((iid, "")))))
    return rows


# Follow-up ---------------------------------------------------------------------------------------

def action_visible(viewer: User) -> QuerySet[CorrectiveAction]:
    return CorrectiveAction.objects.filter(facility__in=facility_visible(viewer))


def action_list(*, viewer: User, status: str = ActionStatus.OPEN, overdue_only: bool = False,
                facility_id: int | None = None, today: dt.date | None = None) -> list[CorrectiveAction]:
    today = today or timezone.localdate()
    qs = action_visible(viewer).select_related("facility__dong", "item", "inspection")
    if status:
        qs = qs.filter(status=status)
    if overdue_only:
        qs = qs.filter(status=ActionStatus.OPEN, due_on__lt=today)
    if facility_id:
        qs = qs.filter(facility_id=facility_id)
    return list(qs.prefetch_related(Prefetch("photos", queryset=Photo.objects.only("client_id", "action_id")))
                .order_by("due_on", "pk")[:500])


def action_get(*, viewer: User, action_id: int, context: AccessContext) -> CorrectiveAction:
    return logged_get(action_visible(viewer).select_related("facility", "item", "inspection"), action_id,
                      viewer=viewer, context=context, record_type="inspection_action",
                      missing=InspectionErrorCode.ACTION_NOT_FOUND)


def photo_get(*, viewer: User, client_id: str) -> Photo:
    photo = Photo.objects.filter(client_id=client_id, inspection__in=inspection_visible(viewer)).first()
    if photo is None:
        raise NotFound(InspectionErrorCode.PHOTO_NOT_FOUND)
    return photo


def escalation_list(*, viewer: User, limit: int = 200) -> list[Escalation]:
    return list(Escalation.objects.filter(facility__in=facility_visible(viewer))
                .select_related("facility", "contact", "inspection", "created_by__staff")[:limit])


def sanitation_contacts() -> list[SanitationContact]:
    return list(SanitationContact.objects.all())


# Rounds ------------------------------------------------------------------------------------------

def round_list() -> list[InspectionRound]:
    return list(InspectionRound.objects.select_related("template").annotate(
        total=Count("inspections"),
        closed=Count("inspections", filter=Q(inspections__status=InspectionStatus.CLOSED)),
    ))


def round_get(*, round_id: int) -> InspectionRound:
    found = InspectionRound.objects.select_related("template").filter(pk=round_id).first()
    if found is None:
        raise NotFound(InspectionErrorCode.ROUND_NOT_FOUND)
    return found


# Facility visits ---------------------------------------------------------------------------------

def facility_visit_visible(viewer: User) -> QuerySet[FacilityVisit]:
    return FacilityVisit.objects.filter(facility__in=facility_visible(viewer))


def facility_visits_open(*, viewer: User, until: dt.date) -> QuerySet[FacilityVisit]:
    return (facility_visit_visible(viewer).filter(status=FacilityVisitStatus.OPEN, due_on__lte=until)
            .select_related("facility__dong", "follows", "assigned_to__staff"))


def facility_day_plan_latest(*, date: dt.date) -> FacilityDayPlan | None:
    return FacilityDayPlan.objects.filter(date=date).first()


def inspector_list() -> list[Inspector]:
    return list(Inspector.objects.filter(active=True).select_related("user__staff"))


def my_facility_visits(*, viewer: User, date: dt.date) -> list[FacilityVisit]:
    return list(FacilityVisit.objects.filter(assigned_to=viewer, planned_on=date)
                .select_related("facility__dong", "follows").order_by("planned_order", "pk"))


# What the tablet keeps for a day without signal -------------------------------------------------

def field_data(*, viewer: User, today: dt.date | None = None) -> dict:
    """The facilities, the current checklist, the instruments with their limits and the inspector's
    planned work, as the field page embeds them (and caches them with the page for offline use).
    No contact names or phone numbers: the tablet does not need them to inspect."""
    from dolbom.inspections.models import CoachingMaterial, CoachingTopic, Severity, Surface

    today = today or timezone.localdate()
    template = current_template()
    severities = dict(Severity.choices)
    items = [{"code": i.code, "number": i.number, "section": i.section, "text": i.text, "severity": i.severity,
              "severity_label": str(severities[i.severity]), "answer_kind": i.answer_kind, "unit": i.unit,
              "limit_op": i.limit_op, "limit_value": str(i.limit_value) if i.limit_value is not None else None,
              "limit_display": i.limit_display, "na_allowed": i.na_allowed, "legal_basis": i.legal_basis,
              "guidance": i.guidance} for i in template.items.all()]
    facilities = [{"id": f.pk, "code": f.code, "name": f.name, "dong": f.dong.name, "address": f.road_address}
                  for f in facility_visible(viewer).filter(active=True).select_related("dong")
                  .order_by("dong__name", "name")]
    instruments = [{"id": i.pk, "model": i.model,
                    "limits": {t.surface: [t.pass_max, t.caution_max] for t in i.thresholds.all()}}
                   for i in instrument_list()]
    planned = [{"id": p.pk, "facility_id": p.facility_id, "due_on": p.due_on.isoformat() if p.due_on else None,
                "round": p.round.name if p.round else "", "kind": p.kind}
               for p in inspections_planned_for(viewer=viewer)]
    visits = [{"id": v.pk, "facility_id": v.facility_id, "kind": v.kind, "kind_label": v.get_kind_display(),
               "planned_on": v.planned_on.isoformat() if v.planned_on else None,
               "planned_start": v.planned_start.strftime("%H:%M") if v.planned_start else None}
              for v in FacilityVisit.objects.filter(assigned_to=viewer, status=FacilityVisitStatus.OPEN,
                                                    inspection__isnull=True, planned_on__gte=today)
              .order_by("planned_on", "planned_order")]
    return {
        "today": today.isoformat(),
        "template": {"id": template.pk, "version": template.version, "title": template.title, "items": items},
        "facilities": facilities, "instruments": instruments, "planned": planned, "visits": visits,
        "surfaces": [[v, str(label)] for v, label in Surface.choices],
        "topics": [[v, str(label)] for v, label in CoachingTopic.choices],
        "materials": [[v, str(label)] for v, label in CoachingMaterial.choices],
    }
