"""Benchmark: the tablet's sync (validated, idempotent upsert) against writing the same rows blind, the repeated
sync that must change nothing, and the facility list as kitchens grow.

    .venv/bin/python bench/inspections.py                          # 200 inspections, lists of 77 and 770 kitchens
    .venv/bin/python bench/inspections.py --inspections 1000 --facilities 77 770 3000

Runs on a fresh SQLite database under a temporary DOLBOM_DATA_DIR (or DATABASE_URL if set). The baseline is what a
sync without its guarantees would do: bulk_create the inspection's answers, readings and actions with no lookup
by client id, no scope check, no validation and no re-scoring; a repeat of it would store a second copy.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DOLBOM_DATA_DIR", tempfile.mkdtemp(prefix="dolbom-bench-inspections-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dolbom.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from dolbom.accounts.models import Role  # noqa: E402
from dolbom.accounts.services import staff_create  # noqa: E402
from dolbom.areas.models import BoundaryArea  # noqa: E402
from dolbom.inspections import selectors, services  # noqa: E402
from dolbom.inspections.models import (  # noqa: E402
    AtpReading,
    CorrectiveAction,
    Facility,
    Inspection,
    InspectionAnswer,
    InspectionStatus,
    Instrument,
)


def documents(facilities: list[Facility], n: int, seed: int) -> list[services.InspectionDoc]:
    rng = random.Random(seed)
    template = selectors.current_template()
    items = list(template.items.all())
    instrument = Instrument.objects.get(model="Hygiena EnSURE Touch")
    today = timezone.localdate()
    out = []
    for k in range(n):
        answers = []
        for i in items:
            if i.answer_kind == "measured":
                value = i.limit_value - Decimal("2") if i.limit_op == "le" else i.limit_value + Decimal("5")
                answers.append(services.AnswerDoc(item=i.code, answer="value", value=value))
            else:
                answers.append(services.AnswerDoc(item=i.code, answer="no" if rng.random() < 0.05 else "yes"))
        readings = [services.ReadingDoc(client_id=uuid.uuid4(), surface=s, instrument_id=instrument.pk,
                                        rlu=rng.randint(0, 9), measured_at=timezone.now())
                    for s in ("cutting_board", "knife", "counter", "hands", "plates")]
        actions = [services.ActionDoc(client_id=uuid.uuid4(), description="조치", owner="조리원", due_on=today,
                                      item=items[-1].code) for _ in range(2)]
        out.append(services.InspectionDoc(client_id=uuid.uuid4(), facility_id=facilities[k % len(facilities)].pk,
                                          template_id=template.pk, visited_on=today, answers=answers,
                                          readings=readings, actions=actions))
    return out


@transaction.atomic
def blind_write(actor, doc: services.InspectionDoc) -> None:
    template = selectors.current_template()
    items = {i.code: i for i in template.items.all()}
    i = Inspection.objects.create(client_id=uuid.uuid4(), facility_id=doc.facility_id, template=template,
                                  status=InspectionStatus.IN_PROGRESS, inspector=actor, created_by=actor,
                                  visited_on=doc.visited_on)
    InspectionAnswer.objects.bulk_create([InspectionAnswer(inspection=i, item=items[a.item], answer=a.answer,
                                                           value=a.value) for a in doc.answers])
    AtpReading.objects.bulk_create([AtpReading(client_id=uuid.uuid4(), inspection=i, surface=r.surface,
                                               instrument_id=r.instrument_id, rlu=r.rlu, measured_at=r.measured_at,
                                               result="pass", pass_max=10, caution_max=30) for r in doc.readings])
    CorrectiveAction.objects.bulk_create([CorrectiveAction(client_id=uuid.uuid4(), inspection=i,
                                                           facility_id=doc.facility_id, description=a.description,
                                                           owner=a.owner, due_on=a.due_on, created_by=actor)
                                          for a in doc.actions])


def make_facilities(lead, n: int, offset: int) -> list[Facility]:
    areas = list(BoundaryArea.objects.all())
    return [services.facility_create(actor=lead, fields=services.FacilityFields(
        code=f"B-{offset + k:05d}", name=f"벤치 급식소 {offset + k}", kind="senior_centre", operator="벤치",
        road_address="전주시", area=areas[k % len(areas)], diners_per_day=30, contact_name="시설장",
        contact_phone="063-000-0000", synthetic=True)) for k in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inspections", type=int, default=200)
    parser.add_argument("--facilities", type=int, nargs="+", default=[77, 770])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    lead = staff_create(username=f"bench-lead-{uuid.uuid4().hex[:6]}", password=None, display_name="벤치 팀장",
                        role=Role.PARTNER, institution="센터")
    services.inspector_set(actor=None, user=lead, organisation="센터", base_lon=127.148, base_lat=35.824, lead=True)
    kitchens = make_facilities(lead, 77, 0)
    docs = documents(kitchens, args.inspections, args.seed)

    started = time.perf_counter()
    for d in docs:
        services.inspection_sync(actor=lead, doc=d)
    sync_s = time.perf_counter() - started
    started = time.perf_counter()
    for d in docs:
        assert not services.inspection_sync(actor=lead, doc=d).changed
    repeat_s = time.perf_counter() - started
    stored = Inspection.objects.filter(client_id__in=[d.client_id for d in docs]).count()
    started = time.perf_counter()
    for d in docs:
        blind_write(lead, d)
    blind_s = time.perf_counter() - started
    n = args.inspections
    print(f"database: {connection.vendor}; {n} inspections of 16 answers, 5 ATP readings and 2 actions each")
    print(f"sync (validated upsert): {1000 * sync_s / n:.1f} ms each; blind bulk write: {1000 * blind_s / n:.1f} ms "
          f"each; ratio {sync_s / blind_s:.2f}x")
    print(f"repeated sync (same document, nothing changes): {1000 * repeat_s / n:.1f} ms each; "
          f"{stored} inspections stored for {2 * n} syncs (the blind write stored {n} more)")

    made = 77
    for size in sorted(args.facilities):
        if size > made:
            make_facilities(lead, size - made, made)
            made = size
        with CaptureQueriesContext(connection) as q:
            started = time.perf_counter()
            rows = selectors.facility_list(viewer=lead)
            list_s = time.perf_counter() - started
        print(f"facility list, {len(rows)} kitchens: {1000 * list_s:.1f} ms, {len(q.captured_queries)} queries")


if __name__ == "__main__":
    main()
