"""The tablet's sync: an inspection filled in a kitchen without signal arrives, once, however often it is sent.

The tablet sends the whole inspection as one document, named by a UUID it made when the inspection was
started (``client_id``), and every reading, corrective action and coaching record in it carries its own.
The server upserts by those ids, so a sync repeated after a dropped answer, a double tap or a retry from
two tabs stores one inspection: the unique constraint on ``client_id`` settles two syncs that race (the
loser's insert fails and it updates the row the winner created), and a document identical to the one
last applied changes nothing. Nothing the tablet once sent is deleted by a later sync, so a stale tablet
cannot erase what the office added.

Photos travel separately (``photo_upload``), after the document, each by its own UUID.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import uuid
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from dolbom.inspections import events, scoring
from dolbom.inspections.atp import Limits, classify
from dolbom.inspections.errors import InspectionErrorCode
from dolbom.inspections.models import (
    ActionStatus,
    Answer,
    AnswerKind,
    AtpReading,
    ChecklistItem,
    ChecklistTemplate,
    CoachingMaterial,
    CoachingRecord,
    CoachingTopic,
    CorrectiveAction,
    Facility,
    FacilityVisit,
    FacilityVisitStatus,
    Inspection,
    InspectionAnswer,
    InspectionKind,
    InspectionStatus,
    Instrument,
    Photo,
    Surface,
)
from dolbom.inspections.selectors import (
    facility_visible,
    inspection_visible,
    is_inspector,
    is_lead,
    threshold_for,
)
from dolbom.lib.errors import DomainError, Forbidden, NotFound

PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_SIDE = 1600
RLU_MAX = 1_000_000
SYNC_MAX_AGE_DAYS = 60  # luminometers read up to 6 digits; more is a typing slip


@dataclass(frozen=True)
class AnswerDoc:
    item: str
    answer: str
    value: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class ReadingDoc:
    client_id: uuid.UUID
    surface: str
    instrument_id: int
    rlu: int
    measured_at: dt.datetime
    after_cleaning: bool = True
    retest_of: uuid.UUID | None = None
    note: str = ""


@dataclass(frozen=True)
class ActionDoc:
    client_id: uuid.UUID
    description: str
    owner: str
    due_on: dt.date
    item: str | None = None
    reading: uuid.UUID | None = None


@dataclass(frozen=True)
class CoachingDoc:
    client_id: uuid.UUID
    topics: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)
    attendees: int = 0
    note: str = ""


@dataclass(frozen=True)
class InspectionDoc:
    client_id: uuid.UUID
    facility_id: int
    template_id: int
    visited_on: dt.date
    started_at: dt.datetime | None = None
    planned_id: int | None = None
    visit_id: int | None = None
    answers: list[AnswerDoc] = field(default_factory=list)
    readings: list[ReadingDoc] = field(default_factory=list)
    actions: list[ActionDoc] = field(default_factory=list)
    coaching: CoachingDoc | None = None
    note: str = ""
    submit: bool = False

    def digest(self) -> str:
        canonical = json.dumps(asdict(self), sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SyncResult:
    inspection: Inspection
    created: bool
    changed: bool
    problems: list[str]  # why a submitted inspection could not close yet (error messages)


# The document -----------------------------------------------------------------------------------

def _find_or_create(actor: User, doc: InspectionDoc, facility: Facility, template: ChecklistTemplate
                    ) -> tuple[Inspection, bool]:
    """The inspection named by the document's client id, locked; created (or taken over from the planned
    one the tablet started from) on the first sync."""
    found = Inspection.objects.select_for_update().filter(client_id=doc.client_id).first()
    if found is not None:
        return found, False
    planned = None
    if doc.planned_id is not None:
        planned = (Inspection.objects.select_for_update().filter(pk=doc.planned_id, facility=facility,
                                                                 status=InspectionStatus.PLANNED).first())
    try:
        with transaction.atomic():
            if planned is not None:
                planned.client_id = doc.client_id
                planned.template = template
                planned.inspector = actor
                planned.status = InspectionStatus.IN_PROGRESS
                planned.save(update_fields=["client_id", "template", "inspector", "status"])
                return planned, True
            kind, previous = InspectionKind.ROUTINE, None
            visit = _visit_for(actor, doc, facility)
            if visit is not None and visit.follows_id:
                kind, previous = InspectionKind.REINSPECTION, visit.follows
            created = Inspection.objects.create(
                client_id=doc.client_id, facility=facility, template=template, kind=kind, previous=previous,
                status=InspectionStatus.IN_PROGRESS, inspector=actor, created_by=actor)
            if visit is not None:
                visit.inspection = created
                visit.save(update_fields=["inspection"])
            return created, True
    except IntegrityError:
        # Another sync of the same document inserted it first; wait for its lock and update that row.
        return Inspection.objects.select_for_update().get(client_id=doc.client_id), False


def _visit_for(actor: User, doc: InspectionDoc, facility: Facility) -> FacilityVisit | None:
    if doc.visit_id is None:
        return None
    return (FacilityVisit.objects.select_for_update().filter(pk=doc.visit_id, facility=facility,
                                                             status=FacilityVisitStatus.OPEN,
                                                             inspection__isnull=True).first())


def _items(template: ChecklistTemplate) -> dict[str, ChecklistItem]:
    return {i.code: i for i in template.items.all()}


def rule_of(item: ChecklistItem) -> scoring.ItemRule:
    return scoring.ItemRule(code=item.code, severity=item.severity, answer_kind=item.answer_kind,
                            limit_op=item.limit_op, limit_value=item.limit_value, na_allowed=item.na_allowed)


def _apply_answers(inspection: Inspection, items: dict[str, ChecklistItem], answers: list[AnswerDoc]) -> int:
    stored = {a.item_id: a for a in inspection.answers.all()}
    written = 0
    for doc in answers:
        item = items.get(doc.item)
        if item is None:
            raise DomainError(InspectionErrorCode.ITEM_UNKNOWN, item=doc.item)
        value = scoring.as_decimal(doc.value) if doc.value is not None else None
        answer = doc.answer if doc.answer in Answer.values else ""
        if item.answer_kind == AnswerKind.MEASURED and answer != Answer.NOT_APPLICABLE:
            answer = Answer.VALUE
        try:
            met = scoring.compliant(rule_of(item), scoring.AnswerIn(answer=answer, value=value))
        except ValueError:
            detail = "측정값을 숫자로 입력하세요" if item.answer_kind == AnswerKind.MEASURED else "예/아니오/해당 없음 중 하나"
            raise DomainError(InspectionErrorCode.ANSWER_INVALID, item=item.number, detail=detail) from None
        fields = {"answer": answer, "value": value if answer == Answer.VALUE else None, "compliant": met,
                  "note": doc.note.strip()[:500]}
        row = stored.get(item.pk)
        if row is None:
            InspectionAnswer.objects.create(inspection=inspection, item=item, **fields)
            written += 1
        elif any(getattr(row, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(row, k, v)
            row.save(update_fields=list(fields))
            written += 1
    return written


def _ordered(readings: list[ReadingDoc]) -> list[ReadingDoc]:
    """Parents before their re-tests, so a re-test can point at a reading of the same document."""
    by_id = {r.client_id: r for r in readings}
    done: set[uuid.UUID] = set()
    out: list[ReadingDoc] = []

    def visit(r: ReadingDoc, depth: int = 0) -> None:
        if r.client_id in done or depth > len(readings):
            return
        if r.retest_of in by_id:
            visit(by_id[r.retest_of], depth + 1)
        done.add(r.client_id)
        out.append(r)

    for r in readings:
        visit(r)
    return out


def _reading_error(detail: str) -> DomainError:
    return DomainError(InspectionErrorCode.READING_INVALID, detail=detail)


def _apply_readings(inspection: Inspection, readings: list[ReadingDoc]) -> int:
    stored = {r.client_id: r for r in AtpReading.objects.filter(client_id__in=[d.client_id for d in readings]
                                                                + [d.retest_of for d in readings if d.retest_of])}
    instruments = {i.pk: i for i in Instrument.objects.filter(pk__in={d.instrument_id for d in readings})}
    written = 0
    for doc in _ordered(readings):
        if doc.surface not in Surface.values:
            raise _reading_error("표면을 고르세요")
        if not 0 <= doc.rlu <= RLU_MAX:
            raise _reading_error("RLU 값을 확인하세요")
        instrument = instruments.get(doc.instrument_id)
        if instrument is None:
            raise DomainError(InspectionErrorCode.INSTRUMENT_UNKNOWN)
        parent = None
        if doc.retest_of is not None:
            parent = stored.get(doc.retest_of)
            if (parent is None or parent.inspection_id != inspection.pk or parent.surface != doc.surface
                    or parent.instrument_id != doc.instrument_id or not doc.after_cleaning
                    or parent.client_id == doc.client_id):
                raise DomainError(InspectionErrorCode.RETEST_INVALID)
        row = stored.get(doc.client_id)
        if row is not None and row.inspection_id != inspection.pk:
            raise DomainError(InspectionErrorCode.CLIENT_ID_CONFLICT)
        measured = doc.measured_at if timezone.is_aware(doc.measured_at) else timezone.make_aware(doc.measured_at)
        if row is None:
            threshold = threshold_for(instrument=instrument, surface=doc.surface)
            if threshold is None:
                raise DomainError(InspectionErrorCode.NO_THRESHOLD)
            limits = Limits(threshold.pass_max, threshold.caution_max)
            row = AtpReading.objects.create(
                client_id=doc.client_id, inspection=inspection, surface=doc.surface, instrument=instrument,
                rlu=doc.rlu, measured_at=measured, after_cleaning=doc.after_cleaning, retest_of=parent,
                result=classify(doc.rlu, limits), pass_max=limits.pass_max, caution_max=limits.caution_max,
                note=doc.note.strip()[:300])
            written += 1
        else:
            # A typing slip corrected on the tablet before the inspection closed: judged again, by the
            # limits in force now when the surface or instrument changed, else by those it was judged by.
            limits = Limits(row.pass_max, row.caution_max)
            if (row.surface, row.instrument_id) != (doc.surface, doc.instrument_id):
                threshold = threshold_for(instrument=instrument, surface=doc.surface)
                if threshold is None:
                    raise DomainError(InspectionErrorCode.NO_THRESHOLD)
                limits = Limits(threshold.pass_max, threshold.caution_max)
            fields = {"surface": doc.surface, "instrument_id": instrument.pk, "rlu": doc.rlu, "measured_at": measured,
                      "after_cleaning": doc.after_cleaning, "retest_of_id": parent.pk if parent else None,
                      "result": classify(doc.rlu, limits), "pass_max": limits.pass_max,
                      "caution_max": limits.caution_max, "note": doc.note.strip()[:300]}
            if any(getattr(row, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(row, k, v)
                row.save(update_fields=[k.removesuffix("_id") if k.endswith("_id") else k for k in fields])
                written += 1
        stored[doc.client_id] = row
    return written


def _apply_actions(actor: User, inspection: Inspection, items: dict[str, ChecklistItem], actions: list[ActionDoc],
                   visited_on: dt.date) -> int:
    stored = {a.client_id: a for a in CorrectiveAction.objects.filter(client_id__in=[d.client_id for d in actions])}
    readings = {r.client_id: r for r in inspection.readings.all()}
    written = 0
    for doc in actions:
        if not doc.description.strip() or not doc.owner.strip():
            raise DomainError(InspectionErrorCode.ACTION_INVALID, detail="내용과 담당자를 적으세요")
        if doc.due_on < visited_on:
            raise DomainError(InspectionErrorCode.ACTION_INVALID, detail="기한은 점검일 이후여야 합니다")
        item = None
        if doc.item:
            item = items.get(doc.item)
            if item is None:
                raise DomainError(InspectionErrorCode.ITEM_UNKNOWN, item=doc.item)
        reading = readings.get(doc.reading) if doc.reading else None
        if doc.reading and reading is None:
            raise DomainError(InspectionErrorCode.ACTION_INVALID, detail="ATP 측정값을 찾을 수 없습니다")
        fields = {"item": item, "reading": reading, "description": doc.description.strip()[:500],
                  "owner": doc.owner.strip()[:50], "due_on": doc.due_on}
        row = stored.get(doc.client_id)
        if row is None:
            CorrectiveAction.objects.create(client_id=doc.client_id, inspection=inspection,
                                            facility_id=inspection.facility_id, created_by=actor, **fields)
            written += 1
            continue
        if row.inspection_id != inspection.pk:
            raise DomainError(InspectionErrorCode.CLIENT_ID_CONFLICT)
        if row.status != ActionStatus.OPEN:
            continue  # the office recorded its proof already: the tablet's older copy does not undo that
        if any(getattr(row, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(row, k, v)
            row.save(update_fields=list(fields))
            written += 1
    return written


def _apply_coaching(actor: User, inspection: Inspection, doc: CoachingDoc | None, given_on: dt.date) -> int:
    if doc is None:
        return 0
    if (any(t not in CoachingTopic.values for t in doc.topics)
            or any(m not in CoachingMaterial.values for m in doc.materials) or not 0 <= doc.attendees <= 500):
        raise DomainError(InspectionErrorCode.COACHING_INVALID, detail="주제·자료·인원을 확인하세요")
    if not doc.topics and not doc.materials:
        return 0
    fields = {"topics": sorted(set(doc.topics)), "materials": sorted(set(doc.materials)), "attendees": doc.attendees,
              "note": doc.note.strip(), "given_on": given_on}
    row = CoachingRecord.objects.filter(client_id=doc.client_id).first()
    if row is None:
        record = CoachingRecord.objects.create(client_id=doc.client_id, facility_id=inspection.facility_id,
                                               inspection=inspection, given_by=actor, **fields)
        events.coaching_given(record=record, actor=actor)
        return 1
    if row.inspection_id != inspection.pk:
        raise DomainError(InspectionErrorCode.CLIENT_ID_CONFLICT)
    if any(getattr(row, k) != v for k, v in fields.items()):
        CoachingRecord.objects.filter(pk=row.pk).update(**fields)
        return 1
    return 0


def inspection_rescore(inspection: Inspection) -> scoring.Score:
    items = list(inspection.template.items.all())
    answers = {a.item.code: scoring.AnswerIn(answer=a.answer, value=a.value)
               for a in inspection.answers.select_related("item")}
    result = scoring.score([rule_of(i) for i in items], answers)
    inspection.score = result.score if result.complete else None
    inspection.grade = result.grade
    return result


@transaction.atomic
def inspection_sync(*, actor: User, doc: InspectionDoc, today: dt.date | None = None) -> SyncResult:
    """Store the tablet's inspection document (create or update by its client id); with ``submit``, close
    it when it may be closed, else report why not. ``today``: the server's date (tests and the demo's
    past season)."""
    if not is_inspector(actor):
        raise Forbidden(InspectionErrorCode.NOT_INSPECTOR)
    facility = facility_visible(actor).filter(pk=doc.facility_id, active=True).first()
    if facility is None:
        raise NotFound(InspectionErrorCode.FACILITY_NOT_FOUND)
    template = ChecklistTemplate.objects.filter(pk=doc.template_id).first()
    if template is None:
        raise DomainError(InspectionErrorCode.TEMPLATE_NOT_CURRENT)
    today = today or timezone.localdate()
    # A tablet may stay offline for weeks, not for a season: an older date is a slip of the date picker.
    if doc.visited_on > today or doc.visited_on < today - dt.timedelta(days=SYNC_MAX_AGE_DAYS):
        raise DomainError(InspectionErrorCode.DATE_INVALID)
    digest = doc.digest()
    inspection, created = _find_or_create(actor, doc, facility, template)
    if inspection.facility_id != facility.pk or (inspection.inspector_id not in (None, actor.pk)
                                                 and not is_lead(actor)):
        raise DomainError(InspectionErrorCode.CLIENT_ID_CONFLICT)
    if inspection.payload_sha256 == digest and not created:
        return SyncResult(inspection=inspection, created=False, changed=False, problems=[])
    if inspection.status == InspectionStatus.CLOSED:
        raise DomainError(InspectionErrorCode.INSPECTION_CLOSED)
    if inspection.template_id != template.pk:
        raise DomainError(InspectionErrorCode.TEMPLATE_NOT_CURRENT)
    items = _items(template)
    counts = {
        "answers": _apply_answers(inspection, items, doc.answers),
        "readings": _apply_readings(inspection, doc.readings),
    }
    counts["actions"] = _apply_actions(actor, inspection, items, doc.actions, doc.visited_on)
    counts["coaching"] = _apply_coaching(actor, inspection, doc.coaching, doc.visited_on)
    status_before = inspection.status
    inspection.visited_on = doc.visited_on
    inspection.started_at = doc.started_at or inspection.started_at
    inspection.note = doc.note.strip()
    inspection.status = InspectionStatus.SUBMITTED if doc.submit else InspectionStatus.IN_PROGRESS
    inspection.synced_at = timezone.now()
    inspection.sync_count += 1
    inspection.payload_sha256 = digest
    inspection_rescore(inspection)
    inspection.save()
    if created or inspection.status != status_before:
        # Not every autosave: the facility's history shows arrivals and submissions, not keystrokes.
        events.inspection_synced(inspection=inspection, actor=actor, created=created, counts=counts)
    problems: list[str] = []
    if doc.submit:
        from dolbom.inspections.services.inspections import inspection_close

        try:
            with transaction.atomic():
                inspection_close(actor=actor, inspection=inspection, today=today)
        except DomainError as exc:
            problems.append(exc.message)
        inspection.refresh_from_db()
    return SyncResult(inspection=inspection, created=created, changed=True, problems=problems)


# Photos -----------------------------------------------------------------------------------------

def _normalised_jpeg(data: bytes) -> tuple[bytes, int, int]:
    """The photo re-encoded as a JPEG of at most PHOTO_MAX_SIDE pixels: proves it is an image, and drops
    the camera's metadata (location, device) that the record does not need."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in ("JPEG", "PNG", "WEBP"):
                raise DomainError(InspectionErrorCode.PHOTO_INVALID)
            img = ImageOps.exif_transpose(img)
            img.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            img.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
            return out.getvalue(), img.width, img.height
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise DomainError(InspectionErrorCode.PHOTO_INVALID) from exc


@transaction.atomic
def photo_upload(*, actor: User, client_id: uuid.UUID, inspection_client_id: uuid.UUID, data: bytes,
                 item_code: str = "", action_client_id: uuid.UUID | None = None) -> tuple[Photo, bool]:
    """Store a photo of a checklist item or of a corrective action's proof; the same photo sent again
    (same client id) is stored once. Returns the photo and whether it was new."""
    if not (is_inspector(actor) or is_lead(actor)):
        raise Forbidden(InspectionErrorCode.NOT_INSPECTOR)
    if len(data) > PHOTO_MAX_BYTES:
        raise DomainError(InspectionErrorCode.PHOTO_TOO_LARGE, limit=PHOTO_MAX_BYTES // (1024 * 1024))
    inspection = inspection_visible(actor).filter(client_id=inspection_client_id).first()
    if inspection is None:
        raise NotFound(InspectionErrorCode.INSPECTION_NOT_FOUND)
    existing = Photo.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.inspection_id != inspection.pk:
            raise DomainError(InspectionErrorCode.CLIENT_ID_CONFLICT)
        return existing, False
    item = None
    if item_code:
        item = inspection.template.items.filter(code=item_code).first()
        if item is None:
            raise DomainError(InspectionErrorCode.ITEM_UNKNOWN, item=item_code)
    action = None
    if action_client_id is not None:
        action = inspection.actions.filter(client_id=action_client_id).first()
        if action is None:
            raise NotFound(InspectionErrorCode.ACTION_NOT_FOUND)
    jpeg, width, height = _normalised_jpeg(data)
    try:
        with transaction.atomic():
            photo = Photo.objects.create(
                client_id=client_id, inspection=inspection, item=item, action=action, content_type="image/jpeg",
                data=jpeg, size=len(jpeg), width=width, height=height,
                sha256=hashlib.sha256(jpeg).hexdigest(), uploaded_by=actor)
    except IntegrityError:
        return Photo.objects.get(client_id=client_id), False
    return photo, True
