"""Reads of crisis discovery. Visibility (city team: every dong; dong staff: their own dong) lives here,
and every read that shows people is written to the access log."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from dolbom.accounts.models import Role, StaffProfile
from dolbom.accounts.scope import profile, visible_by_role
from dolbom.audit.logged import log_list, logged_get
from dolbom.discovery.errors import DiscoveryErrorCode
from dolbom.discovery.models import (
    NATIONAL_SUPPORT_RATE_2024,
    SUPPORTED_OUTCOMES,
    Cycle,
    ModelVersion,
    Objection,
    VisitListEntry,
)
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import NotFound

LIST_LIMIT = 300

_SUPPORTED = Q(outcome__in=list(SUPPORTED_OUTCOMES))


def is_city_team(user: User) -> bool:
    p = profile(user)
    return p is not None and p.role == Role.CITY_TEAM


def can_see_lists(user: User) -> bool:
    p = profile(user)
    return p is not None and (p.role == Role.CITY_TEAM or (p.role in (Role.DONG_OFFICER, Role.CASE_MANAGER)
                                                          and p.dong_id is not None))


def entry_visible(viewer: User) -> QuerySet[VisitListEntry]:
    # A visit list is the dong team's work list: their own dong, no caseload beyond it.
    return visible_by_role(viewer, VisitListEntry.objects.all(), kind="discovery_entry", dong="dong_id")


def cycle_list() -> QuerySet[Cycle]:
    return Cycle.objects.select_related("model_version").annotate(
        listed=Count("entries", distinct=True), n_imports=Count("imports", distinct=True))


def cycle_get(*, cycle_id: int | None = None, name: str | None = None) -> Cycle:
    qs = Cycle.objects.select_related("model_version")
    cycle = qs.filter(pk=cycle_id).first() if cycle_id is not None else qs.filter(name=name).first()
    if cycle is None:
        raise NotFound(DiscoveryErrorCode.CYCLE_NOT_FOUND)
    return cycle


def visit_list(*, viewer: User, cycle: Cycle, dong_id: int | None = None, open_only: bool = False,
               ) -> QuerySet[VisitListEntry]:
    qs = (entry_visible(viewer).filter(cycle=cycle)
          .select_related("dong", "household", "resident", "model_version", "case", "outcome_by__staff"))
    if dong_id:
        qs = qs.filter(dong_id=dong_id)
    if open_only:
        qs = qs.filter(outcome="")
    return qs.order_by("dong__name", "rank", "pk")


def visit_list_logged(*, viewer: User, context: AccessContext, cycle: Cycle, dong_id: int | None = None,
                      open_only: bool = False, limit: int = LIST_LIMIT) -> list[VisitListEntry]:
    """A visit list names people in crisis: every resident shown is logged like a search."""
    entries = list(visit_list(viewer=viewer, cycle=cycle, dong_id=dong_id, open_only=open_only)[:limit])
    log_list(viewer=viewer, context=context, record_type="discovery_visit_list", record_id=cycle.pk,
             resident_ids=[e.resident_id for e in entries])
    return entries


def entry_get(*, viewer: User, entry_id: int, context: AccessContext) -> VisitListEntry:
    return logged_get(
        entry_visible(viewer).select_related("cycle", "dong", "household", "resident", "model_version", "case"),
        entry_id, viewer=viewer, context=context, record_type="discovery_entry",
        missing=DiscoveryErrorCode.ENTRY_NOT_FOUND, resident="resident_id")


# Load and support rates ---------------------------------------------------------------------

@dataclass(frozen=True)
class DongLoad:
    dong_id: int
    dong: str
    listed: int
    visited: int
    supported: int
    workers: int
    per_worker: float
    over_limit: bool
    support_rate: float | None


def workers_by_dong() -> dict[int, int]:
    """Dong welfare officers per dong: the people who make the visits."""
    rows = (StaffProfile.objects.filter(role=Role.DONG_OFFICER, dong__isnull=False, user__is_active=True)
            .values_list("dong_id").annotate(n=Count("pk")))
    return dict(rows)


def _rate(supported: int, listed: int) -> float | None:
    return supported / listed if listed else None


def dong_loads(*, viewer: User, cycle: Cycle) -> list[DongLoad]:
    """Per dong: households listed, load per worker against the cycle's limit, and the support rate."""
    rows = (entry_visible(viewer).filter(cycle=cycle).values("dong_id", "dong__name")
            .annotate(listed=Count("pk"), visited=Count("pk", filter=~Q(outcome="")),
                      supported=Count("pk", filter=_SUPPORTED))
            .order_by("dong__name"))
    workers = workers_by_dong()
    out = []
    for r in rows:
        n = workers.get(r["dong_id"], 0)
        per_worker = r["listed"] / max(n, 1)
        out.append(DongLoad(dong_id=r["dong_id"], dong=r["dong__name"], listed=r["listed"], visited=r["visited"],
                            supported=r["supported"], workers=n, per_worker=per_worker,
                            over_limit=per_worker > cycle.households_per_worker_limit,
                            support_rate=_rate(r["supported"], r["listed"])))
    return out


@dataclass(frozen=True)
class CycleRate:
    cycle: Cycle
    listed: int
    visited: int
    supported: int
    support_rate: float | None
    national_rate: float = NATIONAL_SUPPORT_RATE_2024


def cycle_rates(*, viewer: User) -> list[CycleRate]:
    visible = entry_visible(viewer)
    counts = {r["cycle_id"]: r for r in visible.values("cycle_id").annotate(
        listed=Count("pk"), visited=Count("pk", filter=~Q(outcome="")), supported=Count("pk", filter=_SUPPORTED))}
    out = []
    for cycle in Cycle.objects.select_related("model_version").order_by("-starts_on", "-pk"):
        r = counts.get(cycle.pk, {"listed": 0, "visited": 0, "supported": 0})
        out.append(CycleRate(cycle=cycle, listed=r["listed"], visited=r["visited"], supported=r["supported"],
                             support_rate=_rate(r["supported"], r["listed"])))
    return out


# Models -------------------------------------------------------------------------------------

def model_version_list() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.defer("artefact").select_related("trained_by__staff")


def model_version_current() -> ModelVersion | None:
    return ModelVersion.objects.order_by("-trained_at", "-pk").first()


def model_version_get(*, version: str) -> ModelVersion:
    mv = ModelVersion.objects.filter(version=version).first()
    if mv is None:
        raise NotFound(DiscoveryErrorCode.MODEL_NOT_FOUND)
    return mv


def objections_active() -> QuerySet[Objection]:
    return Objection.objects.filter(withdrawn_at__isnull=True)


def quality_file_path(*, version: str) -> Path:
    mv = model_version_get(version=version)
    path = (Path(settings.DATA_DIR) / mv.quality_file).resolve() if mv.quality_file else None
    if path is None or not path.is_file() or Path(settings.DATA_DIR).resolve() not in path.parents:
        raise NotFound(DiscoveryErrorCode.MODEL_NOT_FOUND)
    return path
