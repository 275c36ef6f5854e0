"""Rotating the RRN key and the blind-index key: batch by batch, every value sealed again under the new keys,
and every person still found by their number while the pass is half-way."""

from __future__ import annotations

import base64

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from dolbom.lib import rrn
from dolbom.lib.access import AccessContext
from dolbom.ops import keyrotation
from dolbom.ops.tests.conftest import read_keys
from dolbom.registry.models import Resident
from dolbom.registry.selectors import resident_search
from dolbom.testing import personas

CONTEXT = AccessContext(ip="127.0.0.1", path="/residents/", purpose="키 교체 점검")


@pytest.fixture
def people(officer, key_file):
    return [personas.make_resident(officer, name=f"주민{i:02d}") for i in range(11)]


def _found_by_number(viewer, resident: Resident) -> bool:
    return [r.pk for r in resident_search(viewer=viewer, query=resident.rrn_plain(), context=CONTEXT)] == [resident.pk]


def _ids_in_use() -> dict[str, int]:
    return keyrotation.key_ids_in_use()["registry.Resident"]


def test_a_rotation_in_batches_seals_every_number_again_and_search_works_half_way(people, city, key_file):
    old_enc, old_idx = settings.RRN_KEYS.current, settings.RRN_INDEX_KEYS.current
    numbers = {r.pk: r.rrn_plain() for r in people}
    enc_id, idx_id = keyrotation.new_keys_in_file(key_file)
    assert enc_id != rrn.key_id(old_enc) and settings.RRN_KEYS.others == (old_enc,)
    assert all(_found_by_number(city, r) for r in people)  # nothing rotated yet: found under the old index

    halfway: list[dict[str, int]] = []

    def midway(label: str, done: int) -> None:
        if label == "registry.Resident" and not halfway:
            halfway.append(_ids_in_use())
            for r in Resident.objects.filter(pk__in=numbers):
                assert _found_by_number(city, r), r.name  # rotated rows and rows not yet reached alike

    result = keyrotation.rotate(batch=4, progress=midway, log=lambda line: None)

    assert halfway and halfway[0] == {enc_id: 4, rrn.key_id(old_enc): len(people) - 4}
    assert result.resealed == result.reindexed == len(people) and not result.unreadable
    assert _ids_in_use() == {enc_id: len(people)}
    # The old keys can now leave the ring: every value opens and is found under the new ones alone.
    keyrotation.use_rings(rrn.KeyRing(settings.RRN_KEYS.current), rrn.KeyRing(settings.RRN_INDEX_KEYS.current))
    for r in Resident.objects.filter(pk__in=numbers):
        assert r.rrn_plain() == numbers[r.pk]
        assert _found_by_number(city, r)
    stored = read_keys(key_file)
    assert base64.b64decode(stored["rrn_encryption_key"]) == settings.RRN_KEYS.current
    assert [base64.b64decode(k) for k in stored["rrn_extra_keys"]] == [old_enc]
    assert [base64.b64decode(k) for k in stored["rrn_index_extra_keys"]] == [old_idx]
    assert rrn.key_id(settings.RRN_INDEX_KEYS.current) == idx_id


def test_a_second_pass_changes_nothing(people, key_file):
    keyrotation.new_keys_in_file(key_file)
    keyrotation.rotate(batch=100, log=lambda line: None)
    before = dict(Resident.objects.values_list("pk", "rrn_encrypted"))
    again = keyrotation.rotate(batch=3, log=lambda line: None)
    assert (again.rows, again.resealed, again.reindexed) == (len(people), 0, 0)
    assert dict(Resident.objects.values_list("pk", "rrn_encrypted")) == before


def test_values_under_a_key_outside_the_ring_are_reported_and_left_alone(people, key_file):
    stranger = rrn.KeyRing(base64.b64decode(keyrotation.keys_lib.new_key()))
    lost = people[0]
    Resident.objects.filter(pk=lost.pk).update(rrn_encrypted=rrn.encrypt("4803022000011", stranger))
    sealed = Resident.objects.get(pk=lost.pk).rrn_encrypted

    with pytest.raises(CommandError, match="could not be read"):
        call_command("ops", "rotate-keys", "--new-keys", "--batch", "5")

    assert Resident.objects.get(pk=lost.pk).rrn_encrypted == sealed
    assert _ids_in_use() == {settings.RRN_KEYS.current_id: len(people) - 1, stranger.current_id: 1}


def test_new_keys_are_refused_when_the_keys_come_from_the_environment(settings):
    settings.RRN_KEYS_FROM_ENV = True
    with pytest.raises(CommandError, match="environment"):
        call_command("ops", "rotate-keys", "--new-keys")
