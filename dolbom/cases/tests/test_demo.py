"""The cases demo: cases in every step of the workflow, made through the real case services."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dolbom.cases.demo import ensure_dong_managers, seed_demo_cases
from dolbom.cases.models import Case, CaseOrigin, CaseStatus
from dolbom.registry.synthetic import generate
from dolbom.registry.synthetic.writer import write_city

pytestmark = pytest.mark.django_db


def test_demo_cases_cover_every_status_through_the_real_services():
    write_city(generate(households=700, seed=12, as_of=timezone.localdate()))
    managers = ensure_dong_managers()
    statuses = seed_demo_cases(managers_by_dong=managers, rng_seed=12, count=60)
    assert set(statuses) == set(CaseStatus.values)
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    # Every case was made by the services: each has a timeline starting with discovery or application.
    assert not Case.objects.filter(events__isnull=True).exists()
    today = timezone.localdate()
    assert Case.objects.filter(status=CaseStatus.IN_SERVICE, next_follow_up_due__lt=today).exists()
    assert Case.objects.filter(status=CaseStatus.IN_SERVICE, next_follow_up_due__gte=today).exists()
    ex_officio = Case.objects.filter(applicant_type="ex_officio")
    assert ex_officio.exists() and not ex_officio.filter(ex_officio_reason="").exists()
    assert not ex_officio.filter(consent__isnull=True).exists()
    assert {CaseOrigin.CRISIS_DISCOVERY, CaseOrigin.COMMUNITY_REFERRAL, CaseOrigin.HOSPITAL_DISCHARGE} <= set(
        Case.objects.values_list("origin", flat=True))
    for case in Case.objects.select_related("resident", "manager__staff"):
        assert case.manager.staff.dong_id == case.resident.dong_id == case.dong_id


def test_demo_cases_are_deterministic_for_a_seed():
    write_city(generate(households=400, seed=13, as_of=timezone.localdate()))
    managers = ensure_dong_managers()
    first = seed_demo_cases(managers_by_dong=managers, rng_seed=1, count=24)
    picked = sorted(Case.objects.values_list("resident_id", "status"))
    assert sum(first.values()) == 24
    assert len(np.unique([p[0] for p in picked])) == 24


def test_the_command_seeds_demo_cases_on_a_generated_city():
    write_city(generate(households=300, seed=14, as_of=timezone.localdate()))
    out = io.StringIO()
    call_command("cases", "seed-demo", "--count", "12", "--seed", "14", stdout=out)
    assert Case.objects.count() == 12
    assert "12" in out.getvalue()


def test_the_command_refuses_an_empty_registry():
    with pytest.raises(CommandError, match="generate-city"):
        call_command("cases", "seed-demo", "--count", "5")
