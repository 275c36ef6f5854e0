"""The synthetic city's service catalogue (invented institutions) shipped in the package, loaded idempotently."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from dolbom.areas.selectors import dong_list_valid_on
from dolbom.referrals.models import Institution, Service

DATA = Path(__file__).parent / "data" / "jeonju_catalogue.json"


def catalogue_data() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


@transaction.atomic
def catalogue_load() -> tuple[int, int]:
    """Create or update the shipped institutions and services (by code). Returns (institutions, services)."""
    data = catalogue_data()
    dongs = {d.name: d for d in dong_list_valid_on(timezone.localdate())}
    insts: dict[str, tuple[Institution, list, bool]] = {}
    for row in data["institutions"]:
        inst, _ = Institution.objects.update_or_create(code=row["code"], defaults={
            "name": row["name"], "kind": row["kind"], "phone": row["phone"], "address": row["address"]})
        served = [dongs[n] for n in row["dongs"] if n in dongs]
        inst.dongs.set(served)
        insts[row["code"]] = (inst, served, row["citywide"])
    for row in data["services"]:
        inst, served, citywide = insts[row["institution"]]
        svc, _ = Service.objects.update_or_create(code=row["code"], defaults={
            "institution": inst, "name": row["name"], "category_code": row["category"],
            "eligibility": row["eligibility"], "capacity": row["capacity"], "waiting": row["waiting"],
            "citywide": citywide})
        svc.dongs.set(served)
    return len(data["institutions"]), len(data["services"])
