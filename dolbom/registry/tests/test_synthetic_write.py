"""Writing the synthetic city to the database (the demo cases on it: cases/tests/test_demo.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.utils import timezone, translation

from dolbom.lib import rrn
from dolbom.registry.models import Household, Resident
from dolbom.registry.synthetic import generate
from dolbom.registry.synthetic.writer import write_city

pytestmark = pytest.mark.django_db


def test_written_rows_match_the_generated_arrays_and_decrypt_to_the_same_rrn():
    city = generate(households=120, seed=11, as_of=timezone.localdate())
    result = write_city(city)
    assert Household.objects.count() == city.household_count
    assert Resident.objects.count() == city.resident_count
    rows = list(Resident.objects.filter(pk__in=result.resident_ids).order_by("pk"))
    for i, row in enumerate(rows):
        assert row.name == city.r_name[i]
        assert row.name_initials == city.r_name_initials[i]
        assert row.birth_date == city.r_birth_date[i].astype(dt.date)
        assert row.sex == city.r_sex[i]
        assert row.rrn_plain() == city.r_rrn[i].decode()
        assert row.is_older == bool(city.r_is_older[i])
        assert row.household_id == result.household_ids[city.r_household[i]]
    household = Household.objects.get(pk=result.household_ids[0])
    assert household.road_address == city.h_road_address[0]
    assert household.size == household.members.count() == city.h_size[0]
    assert household.lon == pytest.approx(city.h_lon[0])


def test_the_same_seed_writes_the_same_rrns_with_fresh_nonces():
    city = generate(households=30, seed=5, as_of=timezone.localdate())
    write_city(city)
    first = {r.rrn_index: r.rrn_encrypted for r in Resident.objects.all()}
    Resident.objects.all().delete()
    Household.objects.all().delete()
    write_city(generate(households=30, seed=5, as_of=timezone.localdate()))
    second = {r.rrn_index: r.rrn_encrypted for r in Resident.objects.all()}
    assert first.keys() == second.keys()  # the blind index is deterministic: same people
    assert all(first[k] != second[k] for k in first)  # but every ciphertext has its own nonce


def test_rrns_are_searchable_by_their_blind_index(settings):
    city = generate(households=20, seed=9, as_of=timezone.localdate())
    write_city(city)
    digits = city.r_rrn[3].decode()
    found = Resident.objects.get(rrn_index=rrn.blind_index(digits, settings.RRN_INDEX_KEY))
    assert found.name == city.r_name[3]


def test_geumam_areas_belong_to_the_merged_dong_today():
    city = generate(households=200, seed=2, as_of=timezone.localdate())
    write_city(city)
    for area in ("금암1동", "금암2동"):
        assert set(Household.objects.filter(area__name=area).values_list("dong__name", flat=True)) == {"금암동"}
        assert set(Resident.objects.filter(household__area__name=area).values_list("dong__name", flat=True)) == {"금암동"}


def test_before_the_merge_geumam_households_keep_their_old_dongs():
    city = generate(households=200, seed=2, as_of=dt.date(2025, 3, 1))
    write_city(city)
    assert set(Household.objects.filter(area__name="금암2동").values_list("dong__name", flat=True)) == {"금암2동"}


def test_every_current_dong_gets_residents():
    write_city(generate(households=100, seed=4, as_of=timezone.localdate()))
    assert Resident.objects.values("dong").distinct().count() == 34


def test_a_failed_write_leaves_nothing_half_written():
    city = generate(households=40, seed=6, as_of=timezone.localdate())
    city.r_rrn[1] = city.r_rrn[0]  # a duplicate RRN fails the unique blind index at the very end
    with pytest.raises(IntegrityError):
        write_city(city)
    assert not Household.objects.exists()
    assert not Resident.objects.exists()


def test_appending_the_same_seed_redraws_clashing_rrns_instead_of_failing():
    write_city(generate(households=50, seed=8, as_of=timezone.localdate()))
    again = generate(households=50, seed=8, as_of=timezone.localdate())
    write_city(again)
    assert Resident.objects.count() == 2 * again.resident_count
    assert Resident.objects.values("rrn_index").distinct().count() == 2 * again.resident_count
    assert all(rrn.parse(d.decode()) for d in again.r_rrn)


def test_the_command_refuses_a_registry_that_already_has_residents(resident):
    # Korean is the default language of every command, as in the UI.
    with pytest.raises(CommandError, match="이미 주민 1명이 있습니다"):
        call_command("registry", "generate-city", households=10)
    assert Resident.objects.count() == 1


def test_the_command_appends_when_asked_and_reports_what_it_did(resident, capsys):
    with translation.override("en"):
        call_command("registry", "generate-city", households=10, seed=1, append=True)
    out = capsys.readouterr().out
    assert "10 households" in out
    assert Household.objects.count() == 11
