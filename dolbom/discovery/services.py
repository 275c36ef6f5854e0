"""Writes of crisis discovery: cycles, imports, scoring into visit lists, outcomes, referrals, objections,
retraining. The columnar work itself is the engine's (``dolbom.discovery.engine``); ``pipeline.py`` moves
data between the database and it."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import can_write_cases, lock_in_scope, role_of
from dolbom.cases.models import Case, CaseOrigin
from dolbom.cases.selectors import OPEN_STATUSES
from dolbom.cases.services import case_discover
from dolbom.discovery import events, pipeline
from dolbom.discovery.engine import file_sha256
from dolbom.discovery.errors import DiscoveryErrorCode
from dolbom.discovery.models import (
    COMMUNITY_SOURCES,
    NEGATIVE_OUTCOMES,
    SUPPORTED_OUTCOMES,
    Cycle,
    CycleKind,
    DiscoverySettings,
    EntrySource,
    ModelVersion,
    Objection,
    Outcome,
    SourceImport,
    VisitListEntry,
)
from dolbom.discovery.selectors import entry_visible, model_version_current, objections_active
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.registry.models import Resident

MIN_LABELS_PER_CLASS = 20
VISIT_WEEKS = 8  # the national list comes every two months with about eight weeks to visit


def _require_city_team(actor: User) -> None:
    if role_of(actor) != Role.CITY_TEAM:
        raise Forbidden(DiscoveryErrorCode.NOT_ALLOWED)


def _require_dong_staff(actor: User) -> None:
    if not can_write_cases(actor):
        raise Forbidden(DiscoveryErrorCode.NOT_ALLOWED)


# Settings and cycles --------------------------------------------------------------------------

@transaction.atomic
def settings_update(*, actor: User, households_per_worker_limit: int) -> DiscoverySettings:
    _require_city_team(actor)
    if households_per_worker_limit < 1:
        raise DomainError(DiscoveryErrorCode.LIMIT_INVALID)
    s = DiscoverySettings.current()
    s.households_per_worker_limit = households_per_worker_limit
    s.save()
    return s


@transaction.atomic
def cycle_create(*, actor: User, name: str, kind: CycleKind | str, starts_on: dt.date,
                 due_on: dt.date | None = None, households_per_worker_limit: int | None = None) -> Cycle:
    _require_city_team(actor)
    if kind not in CycleKind.values:
        raise DomainError(DiscoveryErrorCode.NOT_ALLOWED)
    due_on = due_on or starts_on + dt.timedelta(weeks=VISIT_WEEKS)
    if due_on <= starts_on:
        raise DomainError(DiscoveryErrorCode.CYCLE_DATES)
    limit = households_per_worker_limit or DiscoverySettings.current().households_per_worker_limit
    if limit < 1:
        raise DomainError(DiscoveryErrorCode.LIMIT_INVALID)
    if Cycle.objects.filter(name=name).exists():
        raise DomainError(DiscoveryErrorCode.CYCLE_NAME_TAKEN)
    return Cycle.objects.create(name=name.strip(), kind=kind, starts_on=starts_on, due_on=due_on,
                                households_per_worker_limit=limit, created_by=actor)


def national_cycle_name(day: dt.date) -> str:
    """Six national lists a year, one per two months: 2026-3차 covers May and June."""
    return f"{day.year}-{(day.month - 1) // 2 + 1}차"


# Import ---------------------------------------------------------------------------------------

@dataclass
class FileResult:
    file_name: str
    status: str  # imported, duplicate, invalid
    source: str = ""
    rows: int = 0
    errors: list[Any] = field(default_factory=list)  # engine LineErrors: line, column, code, message
    import_id: int | None = None


def imports_dir() -> Path:
    return Path(settings.DATA_DIR) / "discovery" / "imports"


def cycle_import(*, actor: User, cycle: Cycle, files: list[tuple[str, Path]]) -> list[FileResult]:
    """Imports each file whole or not at all. A file already imported into the cycle (same SHA-256) is
    reported as a duplicate and changes nothing; a file with any error imports nothing and each error
    comes back with its line and column, in Korean."""
    _require_city_team(actor)
    known = pipeline.known_household_ids()
    return [_import_one(actor=actor, cycle=cycle, name=name, path=Path(path), known=known) for name, path in files]


def _import_one(*, actor: User, cycle: Cycle, name: str, path: Path, known: Any) -> FileResult:
    if pipeline.file_format(name) is None:
        return FileResult(file_name=name, status="invalid", errors=[pipeline.format_error(name)])
    digest = file_sha256(path)
    agency = pipeline.agency_code(path)
    if agency and SourceImport.objects.filter(cycle=cycle, source=agency, sha256=digest).exists():
        return FileResult(file_name=name, status="duplicate", source=agency)
    checked = pipeline.check_file(path, name=name, known_household_ids=known, as_of=cycle.starts_on)
    if checked.errors:
        return FileResult(file_name=name, status="invalid", source=checked.source, errors=checked.errors)
    # Content-addressed: written (atomically, by rename) before the row that makes it part of the cycle, so a
    # crash leaves at most an unreferenced file and a retry writes the same name again.
    target = imports_dir() / f"{digest}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    checked.frame.write_parquet(tmp)
    os.replace(tmp, target)
    try:
        with transaction.atomic():
            row = SourceImport.objects.create(
                cycle=cycle, source=checked.source, file_name=name[:200], sha256=digest,
                catalogue_version=checked.catalogue_version, rows=checked.frame.height,
                households=checked.households, stored_path=str(target.relative_to(settings.DATA_DIR)),
                imported_by=actor, imported_at=timezone.now())
    except IntegrityError:  # the same file imported at the same moment by another request
        return FileResult(file_name=name, status="duplicate")
    return FileResult(file_name=name, status="imported", source=checked.source, rows=row.rows, import_id=row.pk)


# Scoring into visit lists -------------------------------------------------------------------------

@dataclass(frozen=True)
class ScoreSummary:
    scored: int
    listed: int
    kept: int
    signalled_cases: int
    objected: int
    model_version: str
    dongs: int


def _open_cases_by_household(household_ids: set[int]) -> dict[int, list[Case]]:
    """Open cases are few beside a city of households: read them all rather than send every id in a query."""
    pairs = [(pk, hh) for pk, hh in Case.objects.filter(status__in=OPEN_STATUSES)
             .values_list("pk", "resident__household_id") if hh in household_ids]
    cases = Case.objects.in_bulk([pk for pk, _ in pairs])
    out: dict[int, list[Case]] = {}
    for pk, hh in pairs:
        out.setdefault(hh, []).append(cases[pk])
    return out


def objecting_household_ids() -> set[int]:
    return set(objections_active().values_list("resident__household_id", flat=True))


ENTRY_COLUMNS = ("cycle_id", "dong_id", "household_id", "resident_id", "source", "rank", "score", "probability",
                 "reasons", "model_version_id", "reporter_name", "report_note", "listed_at", "outcome", "outcome_note")


def _insert_entries(*, cycle: Cycle, model: ModelVersion, frame: pl.DataFrame, at: dt.datetime) -> None:
    """A city's visit lists in one statement stream (COPY on PostgreSQL, executemany on SQLite) inside the
    caller's transaction: tens of thousands of rows without building a model instance for each."""
    connection = transaction.get_connection()
    when = connection.ops.adapt_datetimefield_value(at)
    cols = [frame.get_column(c).to_list() for c in ("dong_id", "household_id", "representative_id", "rank", "score",
                                                     "probability", "reasons")]
    rows = [(cycle.pk, dong, hh, res, EntrySource.MODEL.value, rank, score, prob,
             json.dumps(list(reasons or []), ensure_ascii=False), model.pk, "", "", when, "", "")
            for dong, hh, res, rank, score, prob, reasons in zip(*cols, strict=True)]
    qn = connection.ops.quote_name
    table, columns = qn(VisitListEntry._meta.db_table), ", ".join(qn(c) for c in ENTRY_COLUMNS)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(ENTRY_COLUMNS))})",
                               rows)


def _signal_open_cases(*, actor: User, cycle: Cycle, model: ModelVersion, scored: pipeline.Scored,
                       open_cases: dict[int, list[Case]]) -> int:
    """The case manager sees the new signals on the case timeline, once per cycle and model version."""
    from dolbom.cases.models import CaseEvent, CaseEventType

    cases = [c for cs in open_cases.values() for c in cs]
    told = set(CaseEvent.objects.filter(case__in=cases, type=CaseEventType.DISCOVERY_SIGNALS, new__cycle=cycle.name,
                                        new__model_version=model.version).values_list("case_id", flat=True))
    written = 0
    for row in scored.only(set(open_cases)).rows():
        for case in open_cases[row.household_id]:
            if case.pk in told:
                continue
            events.discovery_signals(case=case, actor=actor, cycle_name=cycle.name, reasons=row.reasons,
                                     probability=row.probability, model_version=model.version)
            written += 1
    return written


def _scoring_inputs(cycle: Cycle) -> tuple[list[SourceImport], ModelVersion]:
    """The cycle's imported files and the model in force; refused when either is missing."""
    imports = list(cycle.imports.all())
    if not imports:
        raise DomainError(DiscoveryErrorCode.NO_IMPORTS)
    mv = model_version_current()
    if mv is None:
        raise DomainError(DiscoveryErrorCode.NO_MODEL)
    return imports, mv


def cycle_score(*, actor: User, cycle: Cycle, engine: str = "local") -> ScoreSummary:
    """Scores every household of the cycle's files and writes each dong's ranked visit list.

    The model only orders the list: every household with an indicator is listed, none is dropped for a
    low score. Households whose member objected to automated processing (PIPA §37-2) are not scored.
    Households already in an open case are not listed again; their case timeline gets the new signals.

    Scoring a city takes seconds and holds no transaction, so others keep writing meanwhile (on SQLite a
    transaction holds the one write lock); only writing the result is one transaction, which reads the
    objections and open cases again: one recorded while the scores were computed still counts."""
    _require_city_team(actor)
    cycle = Cycle.objects.get(pk=cycle.pk)
    imports, mv = _scoring_inputs(cycle)
    objected = objecting_household_ids()
    scored = pipeline.score_imports(imports=imports, model=mv, as_of=cycle.starts_on, exclude=objected,
                                    engine=engine)
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        objected_now = objecting_household_ids()
        scored = scored.without(objected_now - objected)
        ids = scored.household_ids
        open_cases = _open_cases_by_household(set(ids))
        # Entries already worked on (an outcome, a case, a community report) stay as they are.
        VisitListEntry.objects.filter(cycle=cycle, source=EntrySource.MODEL, outcome="", case__isnull=True).delete()
        kept = set(VisitListEntry.objects.filter(cycle=cycle).values_list("household_id", flat=True))
        now = timezone.now()
        signalled = _signal_open_cases(actor=actor, cycle=cycle, model=mv, scored=scored, open_cases=open_cases)
        # Ranked among every household on the list, entries kept from an earlier run included.
        listed = scored.ranked(not_listed=set(open_cases)).without(kept)
        _insert_entries(cycle=cycle, model=mv, frame=listed.frame, at=now)
        cycle.scored_at, cycle.scored_by, cycle.model_version = now, actor, mv
        cycle.save(update_fields=["scored_at", "scored_by", "model_version"])
    return ScoreSummary(scored=len(ids), listed=listed.frame.height, kept=len(kept), signalled_cases=signalled,
                        objected=len(objected_now), model_version=mv.version,
                        dongs=listed.frame.get_column("dong_id").n_unique())


def cycle_export(*, actor: User, cycle: Cycle, out_dir: Path) -> dict[str, Path]:
    """The cycle's inputs for ``engine/spark_cycle.py`` on a cluster (``docs/SPARK.md``): households,
    stored agency files, the current model, and the households to leave out (objections and open cases,
    which the cluster's lists then skip as the service's lists do). Writes files only, no rows."""
    _require_city_team(actor)
    imports, mv = _scoring_inputs(cycle)
    in_case = set(Case.objects.filter(status__in=OPEN_STATUSES).values_list("resident__household_id", flat=True))
    return pipeline.cycle_export(imports=imports, model=mv, as_of=cycle.starts_on,
                                 exclude=objecting_household_ids() | in_case, out_dir=Path(out_dir))


# Outcomes and cases -----------------------------------------------------------------------------

def _lock_entry(actor: User, entry: VisitListEntry) -> VisitListEntry:
    return lock_in_scope(entry_visible(actor).select_related("cycle"), entry.pk, DiscoveryErrorCode.ENTRY_NOT_FOUND,
                         actor=actor, record_type="discovery_entry", resident="resident_id")


@transaction.atomic
def entry_outcome_record(*, actor: User, entry: VisitListEntry, outcome: Outcome | str, note: str = "",
                         ) -> VisitListEntry:
    """A person records what the visit found; the model never decides an outcome."""
    _require_dong_staff(actor)
    if outcome not in Outcome.values:
        raise DomainError(DiscoveryErrorCode.OUTCOME_INVALID)
    entry = _lock_entry(actor, entry)
    old = entry.outcome
    entry.outcome, entry.outcome_note = outcome, note.strip()
    entry.outcome_at, entry.outcome_by = timezone.now(), actor
    entry.save(update_fields=["outcome", "outcome_note", "outcome_at", "outcome_by"])
    if entry.case_id:
        events.discovery_outcome(case=entry.case, actor=actor, cycle_name=entry.cycle.name, old_outcome=old,
                                 outcome=entry.outcome, outcome_label=str(Outcome(outcome).label), note=entry.outcome_note)
    return entry


@transaction.atomic
def entry_open_case(*, actor: User, entry: VisitListEntry) -> Case:
    """'Needs support': opens a discovered case for the listed person in one step."""
    _require_dong_staff(actor)
    entry = _lock_entry(actor, entry)
    if entry.case_id:
        return entry.case
    if Case.objects.filter(resident__household_id=entry.household_id, status__in=OPEN_STATUSES).exists():
        raise DomainError(DiscoveryErrorCode.ALREADY_IN_CASE)
    origin = CaseOrigin.CRISIS_DISCOVERY if entry.source == EntrySource.MODEL else CaseOrigin.COMMUNITY_REFERRAL
    if entry.source == EntrySource.MODEL:
        note = f"{entry.cycle.name} 발굴: " + ", ".join(entry.reasons[:3])
    else:
        note = f"{entry.cycle.name} {EntrySource(entry.source).label} 신고 ({entry.reporter_name}): {entry.report_note}"
    case = case_discover(actor=actor, resident=entry.resident, origin=origin, note=note[:300])
    entry.case = case
    entry.save(update_fields=["case"])
    if entry.source == EntrySource.MODEL:
        events.discovery_signals(case=case, actor=actor, cycle_name=entry.cycle.name, reasons=entry.reasons,
                                 probability=entry.probability,
                                 model_version=entry.model_version.version if entry.model_version else "")
    return case


# Community referrals ------------------------------------------------------------------------------

@transaction.atomic
def referral_record(*, actor: User, cycle: Cycle, resident: Resident, source: EntrySource | str,
                    reporter_name: str, note: str) -> VisitListEntry | Case:
    """A neighbour, postal worker, landlord or volunteer reports someone: the household joins the same
    visit list with its source (a person reported it, so an objection to automated processing does not
    keep them off). A household already in an open case is not listed again: the report goes on that
    case's timeline and the case is returned."""
    from dolbom.registry.selectors import resident_visible

    _require_dong_staff(actor)
    if source not in [s.value for s in COMMUNITY_SOURCES]:
        raise DomainError(DiscoveryErrorCode.SOURCE_INVALID)
    if not reporter_name.strip() or not note.strip():
        raise DomainError(DiscoveryErrorCode.REPORTER_REQUIRED)
    if not resident_visible(actor).filter(pk=resident.pk).exists():
        raise NotFound(DiscoveryErrorCode.RESIDENT_NOT_FOUND)
    if VisitListEntry.objects.filter(cycle=cycle, household_id=resident.household_id).exists():
        raise DomainError(DiscoveryErrorCode.ALREADY_LISTED)
    open_case = (Case.objects.filter(resident__household_id=resident.household_id, status__in=OPEN_STATUSES)
                 .order_by("-opened_at").first())
    if open_case is not None:
        label = EntrySource(source).label
        events.discovery_signals(case=open_case, actor=actor, cycle_name=cycle.name,
                                 reasons=[f"{label} 신고 ({reporter_name.strip()}): {note.strip()[:100]}"],
                                 probability=None, model_version="", source=str(source))
        return open_case
    return VisitListEntry.objects.create(
        cycle=cycle, dong_id=resident.dong_id, household_id=resident.household_id, resident=resident, source=source,
        rank=None, reporter_name=reporter_name.strip()[:50], report_note=note.strip(), listed_at=timezone.now())


# Objections (PIPA §37-2) ------------------------------------------------------------------------

@transaction.atomic
def objection_record(*, actor: User, resident: Resident, note: str = "") -> Objection:
    """From now on the resident's household is neither scored nor listed by the model. Entries not yet
    visited are taken off the open lists at once."""
    from dolbom.registry.selectors import resident_visible

    _require_dong_staff(actor)
    if not resident_visible(actor).filter(pk=resident.pk).exists():
        raise NotFound(DiscoveryErrorCode.RESIDENT_NOT_FOUND)
    if objections_active().filter(resident=resident).exists():
        raise DomainError(DiscoveryErrorCode.OBJECTION_EXISTS)
    objection = Objection.objects.create(resident=resident, at=timezone.now(), note=note.strip()[:300],
                                         recorded_by=actor)
    VisitListEntry.objects.filter(household_id=resident.household_id, source=EntrySource.MODEL, outcome="",
                                  case__isnull=True).delete()
    return objection


@transaction.atomic
def objection_withdraw(*, actor: User, objection: Objection) -> Objection:
    _require_dong_staff(actor)
    objection.withdrawn_at = timezone.now()
    objection.save(update_fields=["withdrawn_at"])
    return objection


# Retraining -------------------------------------------------------------------------------------

def _outcome_labels() -> list[pipeline.LabelledCycle]:
    """Visit outcomes as labels: supported (or a case opened) = 1; closed after counselling, not a
    target, rejected = 0. Still-open and cannot-be-located outcomes say nothing and are left out."""
    rows = (VisitListEntry.objects.filter(Q(outcome__in=[*SUPPORTED_OUTCOMES, *NEGATIVE_OUTCOMES])
                                          | Q(outcome="", case__isnull=False))
            .values_list("cycle_id", "household_id", "outcome"))
    by_cycle: dict[int, list[tuple[int, int]]] = {}
    for cycle_id, hh, outcome in rows:
        by_cycle.setdefault(cycle_id, []).append((hh, 0 if outcome in NEGATIVE_OUTCOMES else 1))
    out = []
    for cycle in Cycle.objects.filter(pk__in=by_cycle).prefetch_related("imports").order_by("starts_on", "pk"):
        pairs = by_cycle[cycle.pk]
        labels = pl.DataFrame({"household_id": [p[0] for p in pairs], "needs_support": [p[1] for p in pairs]},
                              schema={"household_id": pl.Int64, "needs_support": pl.Int8})
        out.append(pipeline.LabelledCycle(paths=pipeline.stored_paths(list(cycle.imports.all())),
                                          as_of=cycle.starts_on, labels=labels))
    return out


# A dong with no welfare officer recorded in dolbom is taken to visit this share of its households per
# cycle, about the reach of a national list; with officers recorded, their capacity decides.
UNSTAFFED_VISIT_SHARE = 0.05


def capacity_shares() -> dict[str, float]:
    """The share of its households each dong can visit in a cycle: its officers times the city's
    per-worker limit over its households. The quality report cuts both rankings there."""
    from django.db.models import Count

    from dolbom.areas.models import Dong
    from dolbom.discovery.selectors import workers_by_dong
    from dolbom.registry.models import Household

    limit = DiscoverySettings.current().households_per_worker_limit
    workers = workers_by_dong()
    households = dict(Household.objects.values_list("dong_id").annotate(n=Count("pk")))
    return {d.name: (min(1.0, workers[d.pk] * limit / households[d.pk]) if workers.get(d.pk) and households.get(d.pk)
                     else UNSTAFFED_VISIT_SHARE)
            for d in Dong.objects.filter(valid_to__isnull=True)}


@transaction.atomic
def model_retrain(*, actor: User | None, seed: int = 0, truth_path: Path | None = None,
                  truth_cycle: Cycle | None = None) -> ModelVersion:
    """Trains a new model version and keeps it beside every earlier one.

    Labels are the recorded visit outcomes, with features rebuilt from each entry's own cycle files.
    ``truth_path`` (with ``truth_cycle``) trains instead on a labelled file, such as the synthetic city's
    hidden truth: how a city without visit outcomes yet gets its first model. Retraining on the same
    labels gives the same artefact, and the existing version is returned."""
    if actor is not None:
        _require_city_team(actor)
    if truth_path is not None:
        if truth_cycle is None or not truth_cycle.imports.exists():
            raise DomainError(DiscoveryErrorCode.NO_IMPORTS)
        labels = pl.read_parquet(truth_path).select("household_id", "needs_support")
        cycles = [pipeline.LabelledCycle(paths=pipeline.stored_paths(list(truth_cycle.imports.all())),
                                         as_of=truth_cycle.starts_on, labels=labels)]
        label_source = f"synthetic truth: {Path(truth_path).name} ({truth_cycle.name})"
    else:
        cycles = _outcome_labels()
        positive = sum(int(c.labels.get_column("needs_support").sum()) for c in cycles)
        total = sum(c.labels.height for c in cycles)
        if min(positive, total - positive) < MIN_LABELS_PER_CLASS:
            raise DomainError(DiscoveryErrorCode.TOO_FEW_LABELS, minimum=MIN_LABELS_PER_CLASS, positive=positive,
                              negative=total - positive)
        label_source = f"visit outcomes: {total} households in {len(cycles)} cycle(s)"
    try:
        trained = pipeline.train(cycles=cycles, seed=seed, capacity_shares=capacity_shares())
    except pipeline.TooFewLabels as exc:
        raise DomainError(DiscoveryErrorCode.TOO_FEW_LABELS, minimum=MIN_LABELS_PER_CLASS, positive="?",
                          negative="?") from exc
    existing = ModelVersion.objects.filter(version=trained.version).first()
    if existing is not None:
        return existing
    return ModelVersion.objects.create(
        version=trained.version, artefact=trained.artefact, feature_names=trained.feature_names,
        metrics=trained.metrics, quality=trained.quality, quality_file=trained.quality_file,
        label_source=label_source[:200], training_rows=trained.training_rows, seed=seed, trained_by=actor,
        trained_at=timezone.now())
