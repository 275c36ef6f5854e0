"""``dolbom reports refresh`` and the registered job: the current and previous month recomputed, the rest kept."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from dolbom.lib.jobs import job_get
from dolbom.lib.metrics import month_add
from dolbom.reports.models import Cell, Fact, Refresh
from dolbom.reports.refresh import refresh

pytestmark = pytest.mark.django_db


def test_the_incremental_refresh_recomputes_the_last_two_months_and_keeps_the_older_ones(test_indicator, publish):
    ind, rows = test_indicator("test.job")
    this = timezone.localdate().replace(day=1)
    older = month_add(this, -5)
    for name in ("서신동", "효자1동", "중앙동", "풍남동", "노송동"):
        rows.add(f"{older:%Y-%m}", name, 10)
        rows.add(f"{this:%Y-%m}", name, 10)
    publish(ind.key)
    rows.add(f"{this:%Y-%m}", "서신동", 7)  # a new record this month
    rows.rows = [r for r in rows.rows if r["month"] != older]  # an old month's rows are never recomputed
    message = job_get("reports.refresh").run()
    assert "cells" in message
    assert Fact.objects.filter(indicator=ind.key, month=older).count() == 5, "kept from the full refresh"
    city = Cell.objects.get(indicator=ind.key, period=f"{this:%Y-%m}", area="city", dim="")
    assert city.numerator == 57
    assert Refresh.objects.filter(full=False).exists()


def test_the_incremental_refresh_leaves_an_unchanged_indicator_as_it_was_and_republishes_a_changed_one(
        test_indicator):
    still, still_rows = test_indicator("test.still")
    moving, moving_rows = test_indicator("test.moving")
    this = f"{timezone.localdate():%Y-%m}"
    for name in ("서신동", "효자1동", "중앙동", "풍남동", "노송동"):
        still_rows.add(this, name, 10)
        moving_rows.add(this, name, 10)
    keys = (still.key, moving.key)
    refresh(full=True, only=keys)
    kept = set(Cell.objects.filter(indicator=still.key).values_list("pk", flat=True))
    moving_rows.add(this, "서신동", 7)
    refresh(full=False, only=keys)
    assert set(Cell.objects.filter(indicator=still.key).values_list("pk", flat=True)) == kept, "not rewritten"
    assert Cell.objects.get(indicator=moving.key, period=this, area="city", dim="").numerator == 57
    # The same facts under another limit are published again: the dongs' 10s are small under 20.
    with override_settings(DOLBOM_REPORTS_MIN_CELL=20):
        refresh(full=False, only=keys)
    assert Cell.objects.get(indicator=still.key, period=this, area="dong", dong__name="서신동", dim="").hidden


def test_the_command_runs_a_full_refresh_and_says_what_it_did():
    out = io.StringIO()
    call_command("reports", "refresh", "--full", "--quiet", stdout=out)
    assert "전체 갱신" in out.getvalue()
    assert Refresh.objects.filter(full=True, error="").exists()


def test_the_sign_off_goes_only_to_a_city_team_member(city, officer):
    out = io.StringIO()
    call_command("reports", "grant-sign-off", city.username, stdout=out)
    assert city.__class__.objects.get(pk=city.pk).has_perm("reports.sign_annual_plan")
    with pytest.raises(CommandError):
        call_command("reports", "grant-sign-off", officer.username)
