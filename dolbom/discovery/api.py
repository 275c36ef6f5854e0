"""Crisis-discovery endpoints: cycles and their loads, visit lists, outcomes, one-step cases, community
referrals, scoring and model versions. Thin: one selector or service per call; lists are access-logged.

No ``from __future__ import annotations`` here: ninja reads the annotations at import time.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from dolbom.discovery import selectors, services
from dolbom.discovery.errors import DiscoveryErrorCode
from dolbom.discovery.models import Cycle, CycleKind, EntrySource, Outcome, VisitListEntry
from dolbom.lib.api import ERRORS, access_context, actor
from dolbom.lib.errors import Forbidden, NotFound
from dolbom.registry.models import Resident
from dolbom.registry.selectors import resident_visible

router = Router(tags=["discovery"])


class CycleOut(Schema):
    id: int
    name: str
    kind: CycleKind
    starts_on: dt.date
    due_on: dt.date
    households_per_worker_limit: int
    scored_at: dt.datetime | None
    model_version: str | None

    @staticmethod
    def resolve_model_version(obj: Cycle) -> str | None:
        return obj.model_version.version if obj.model_version_id else None


class CycleIn(Schema):
    name: str
    kind: CycleKind = CycleKind.NATIONAL
    starts_on: dt.date
    due_on: dt.date | None = None
    households_per_worker_limit: int | None = None


class DongLoadOut(Schema):
    dong_id: int
    dong: str
    listed: int
    visited: int
    supported: int
    workers: int
    per_worker: float
    over_limit: bool
    support_rate: float | None


class CycleRateOut(Schema):
    cycle: CycleOut
    listed: int
    visited: int
    supported: int
    support_rate: float | None
    national_rate: float


class EntryOut(Schema):
    id: int
    cycle_id: int
    dong_id: int
    dong: str
    household_id: int
    resident_id: int
    resident_name: str
    source: EntrySource
    rank: int | None
    score: float | None
    probability: float | None = Field(description="calibrated probability of needing support")
    reasons: list[str] = Field(description="Korean, the model's strongest per-household contributions first")
    model_version: str | None
    reporter_name: str
    report_note: str
    outcome: Outcome | None
    outcome_note: str
    case_id: int | None

    @staticmethod
    def resolve_dong(obj: VisitListEntry) -> str:
        return obj.dong.name

    @staticmethod
    def resolve_resident_name(obj: VisitListEntry) -> str:
        return obj.resident.name

    @staticmethod
    def resolve_model_version(obj: VisitListEntry) -> str | None:
        return obj.model_version.version if obj.model_version_id else None

    @staticmethod
    def resolve_outcome(obj: VisitListEntry) -> str | None:
        return obj.outcome or None


class EntryOutcomeIn(Schema):
    outcome: Outcome
    note: str = ""


class EntryReferralIn(Schema):
    resident_id: int
    source: EntrySource
    reporter_name: str
    note: str


class CaseRef(Schema):
    id: int
    number: str


class ScoreOut(Schema):
    scored: int
    listed: int
    kept: int
    signalled_cases: int
    objected: int
    model_version: str
    dongs: int


class ModelVersionOut(Schema):
    version: str
    trained_at: dt.datetime
    label_source: str
    training_rows: int
    metrics: dict
    feature_names: list[str]


def _require_lists(request: HttpRequest) -> None:
    if not selectors.can_see_lists(actor(request)):
        raise Forbidden(DiscoveryErrorCode.NOT_ALLOWED)


def _entry(request: HttpRequest, entry_id: int) -> VisitListEntry:
    return selectors.entry_get(viewer=actor(request), entry_id=entry_id, context=access_context(request))


@router.get("/discovery/cycles", response={200: list[CycleRateOut], **ERRORS})
def cycles(request: HttpRequest):
    """Every cycle with its support rate (supported ÷ listed) within your scope, beside the national 58.4 %."""
    _require_lists(request)
    return selectors.cycle_rates(viewer=actor(request))


@router.post("/discovery/cycles", response={201: CycleOut, **ERRORS})
def cycle_create(request: HttpRequest, payload: CycleIn):
    return 201, services.cycle_create(actor=actor(request), **payload.dict())


@router.get("/discovery/cycles/{cycle_id}/loads", response={200: list[DongLoadOut], **ERRORS})
def cycle_loads(request: HttpRequest, cycle_id: int):
    """Per dong: households listed, households per dong welfare officer (warning above the limit), support rate."""
    _require_lists(request)
    return selectors.dong_loads(viewer=actor(request), cycle=selectors.cycle_get(cycle_id=cycle_id))


@router.post("/discovery/cycles/{cycle_id}/score", response={200: ScoreOut, **ERRORS})
def cycle_score(request: HttpRequest, cycle_id: int, engine: str = Query("local", pattern="^(local|spark)$")):
    return services.cycle_score(actor=actor(request), cycle=selectors.cycle_get(cycle_id=cycle_id), engine=engine)


@router.get("/discovery/cycles/{cycle_id}/list", response={200: list[EntryOut], **ERRORS})
def visit_list(request: HttpRequest, cycle_id: int, dong_id: int | None = None, open_only: bool = False,
               limit: int = Query(selectors.LIST_LIMIT, ge=1, le=selectors.LIST_LIMIT)):
    """The ranked visit list (your dong, or every dong for the city team). Logged with every person shown."""
    _require_lists(request)
    return selectors.visit_list_logged(viewer=actor(request), context=access_context(request),
                                       cycle=selectors.cycle_get(cycle_id=cycle_id), dong_id=dong_id,
                                       open_only=open_only, limit=limit)


@router.post("/discovery/cycles/{cycle_id}/referrals", response={201: EntryOut, 200: CaseRef, **ERRORS})
def referral_create(request: HttpRequest, cycle_id: int, payload: EntryReferralIn):
    """A community referral joins the visit list (201). A household already in an open case is not listed
    again: the report goes on that case's timeline and the case comes back (200)."""
    resident = resident_visible(actor(request)).filter(pk=payload.resident_id).first()
    if resident is None:
        raise NotFound(DiscoveryErrorCode.RESIDENT_NOT_FOUND)
    result = services.referral_record(actor=actor(request), cycle=selectors.cycle_get(cycle_id=cycle_id),
                                      resident=resident, source=payload.source,
                                      reporter_name=payload.reporter_name, note=payload.note)
    return (201, result) if isinstance(result, VisitListEntry) else (200, result)


@router.get("/discovery/entries/{entry_id}", response={200: EntryOut, **ERRORS})
def entry_detail(request: HttpRequest, entry_id: int):
    return _entry(request, entry_id)


@router.post("/discovery/entries/{entry_id}/outcome", response={200: EntryOut, **ERRORS})
def entry_outcome(request: HttpRequest, entry_id: int, payload: EntryOutcomeIn):
    """Record the coded visit outcome. A person decides it; it becomes a label for retraining."""
    entry = services.entry_outcome_record(actor=actor(request), entry=_entry(request, entry_id),
                                          outcome=payload.outcome, note=payload.note)
    return _entry(request, entry.pk)


@router.post("/discovery/entries/{entry_id}/case", response={201: CaseRef, **ERRORS})
def entry_case(request: HttpRequest, entry_id: int):
    """'Needs support': opens a discovered case for the listed person in one step."""
    return 201, services.entry_open_case(actor=actor(request), entry=_entry(request, entry_id))


@router.post("/discovery/objections", response={201: dict, **ERRORS})
def objection_create(request: HttpRequest, resident_id: int, note: str = ""):
    """PIPA §37-2: the resident refuses automated processing; their household is no longer scored."""
    resident: Resident | None = resident_visible(actor(request)).filter(pk=resident_id).first()
    if resident is None:
        raise NotFound(DiscoveryErrorCode.RESIDENT_NOT_FOUND)
    objection = services.objection_record(actor=actor(request), resident=resident, note=note)
    return 201, {"id": objection.pk, "resident_id": resident.pk, "at": objection.at.isoformat()}


@router.get("/discovery/models", response={200: list[ModelVersionOut], **ERRORS})
def model_versions(request: HttpRequest):
    _require_lists(request)
    return list(selectors.model_version_list())


@router.get("/discovery/models/{version}/quality", response={200: dict, **ERRORS})
def model_quality(request: HttpRequest, version: str):
    """The engine's quality report of a model version (model against the indicator-count rule, by group)."""
    _require_lists(request)
    return selectors.model_version_get(version=version).quality


