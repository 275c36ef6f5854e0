"""Backup and restore round trips on the configured database (SQLite here, PostgreSQL under .ci/run): the
database, the document store, and the keys in a file apart; an older backup restored after a key rotation
still opens its RRNs and finds people by them."""

from __future__ import annotations

import base64
import json

import pytest
from django.conf import settings

from dolbom.lib import rrn
from dolbom.lib.access import AccessContext
from dolbom.ops import backup as ops_backup
from dolbom.ops import keyrotation
from dolbom.ops.tests.conftest import read_keys
from dolbom.registry.models import Resident
from dolbom.registry.selectors import resident_search
from dolbom.testing import personas

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump sees only what is committed
CONTEXT = AccessContext(ip="127.0.0.1", path="/residents/", purpose="복원 점검")
QUIET = {"log": lambda line: None}


@pytest.fixture
def store(settings, tmp_path, key_file):
    """A data directory of this test's own, with one imported file in it."""
    data = tmp_path / "data"
    (data / "discovery" / "imports").mkdir(parents=True)
    (data / "discovery" / "imports" / "2026-05.csv").write_text("가구,위험\nH-1,0.9\n", encoding="utf-8")
    settings.DATA_DIR = data
    settings.DOLBOM_SUBSIDY_DOCUMENT_DIR = data / "subsidies"
    return data


def _found_by_number(viewer, number: str) -> list[int]:
    return [r.pk for r in resident_search(viewer=viewer, query=number, context=CONTEXT)]


def test_a_backup_keeps_the_keys_apart_and_a_restore_brings_back_the_database_and_the_documents(
        store, officer, city, tmp_path, key_file):
    kept = personas.make_resident(officer, name="김복원")
    number = kept.rrn_plain()
    keys_apart = tmp_path / "other-medium" / "keys.json"
    manifest = ops_backup.backup(tmp_path / "b1", keys_to=keys_apart, **QUIET)

    files = sorted(p.name for p in (tmp_path / "b1").iterdir())
    assert files == sorted([manifest["database"]["file"], "documents.tar", "manifest.json"])  # no key inside
    dump = (tmp_path / "b1" / manifest["database"]["file"]).read_bytes()
    for secret in (settings.RRN_KEYS.current, settings.RRN_INDEX_KEYS.current):
        assert secret not in dump and base64.b64encode(secret) not in dump
    assert number.replace("-", "").encode() not in dump  # the RRN is sealed in the dump too
    assert read_keys(keys_apart)["rrn_encryption_key"] == base64.b64encode(settings.RRN_KEYS.current).decode()
    assert keys_apart.stat().st_mode & 0o077 == 0 and (tmp_path / "b1" / "manifest.json").stat().st_mode & 0o077 == 0
    assert manifest["rrn_key_ids"]["registry.Resident"] == {settings.RRN_KEYS.current_id: 1}
    assert [d["path"] for d in manifest["documents"]["files"]] == ["data/discovery/imports/2026-05.csv"]

    # After the backup: a new person, a changed document.
    later = personas.make_resident(officer, name="박나중")
    (store / "discovery" / "imports" / "2026-05.csv").write_text("changed", encoding="utf-8")

    with pytest.raises(ops_backup.BackupError, match="not empty"):
        ops_backup.restore(tmp_path / "b1", keys_file=keys_apart, migrate=False, **QUIET)
    ops_backup.restore(tmp_path / "b1", keys_file=keys_apart, force=True, migrate=False, **QUIET)

    assert list(Resident.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Resident.objects.filter(pk=later.pk).exists()
    assert Resident.objects.get(pk=kept.pk).rrn_plain() == number
    assert _found_by_number(city, number) == [kept.pk]
    assert (store / "discovery" / "imports" / "2026-05.csv").read_text(encoding="utf-8") == "가구,위험\nH-1,0.9\n"
    aside = list(store.glob(".pre-restore-*/data/discovery/imports/2026-05.csv"))
    assert [p.read_text() for p in aside] == ["changed"]  # what the restore replaced is set aside, not lost


def test_a_damaged_backup_is_refused_before_anything_is_touched(store, officer, tmp_path):
    personas.make_resident(officer, name="김손상")
    ops_backup.backup(tmp_path / "b1", **QUIET)
    archive = tmp_path / "b1" / "documents.tar"
    data = bytearray(archive.read_bytes())
    data[600] ^= 0xFF
    archive.write_bytes(bytes(data))
    later = personas.make_resident(officer, name="박그대로")

    with pytest.raises(ops_backup.BackupError, match="checksum"):
        ops_backup.restore(tmp_path / "b1", force=True, migrate=False, **QUIET)
    assert Resident.objects.filter(pk=later.pk).exists()


def test_a_backup_made_before_a_key_rotation_still_opens_its_numbers_once_the_old_keys_are_retired(
        store, officer, city, tmp_path, key_file):
    kept = personas.make_resident(officer, name="김예전")
    number = kept.rrn_plain()
    old_enc = settings.RRN_KEYS.current
    ops_backup.backup(tmp_path / "before-rotation", **QUIET)

    # Rotate, then retire the old keys everywhere (the ring and the key file hold only the new ones).
    new_enc_id, _ = keyrotation.new_keys_in_file(key_file)
    keyrotation.rotate(batch=50, **QUIET)
    new_enc, new_idx = settings.RRN_KEYS.current, settings.RRN_INDEX_KEYS.current
    keyrotation.use_rings(rrn.KeyRing(new_enc), rrn.KeyRing(new_idx))
    stored = read_keys(key_file)
    stored["rrn_extra_keys"], stored["rrn_index_extra_keys"] = [], []
    key_file.write_text(json.dumps(stored))

    ops_backup.restore(tmp_path / "before-rotation", force=True, migrate=False, **QUIET)

    # The backup's own keys came back as extra keys: its rows open and are found; new ones seal under the new key.
    assert settings.RRN_KEYS.current == new_enc and old_enc in settings.RRN_KEYS.others
    assert base64.b64encode(old_enc).decode() in read_keys(key_file)["rrn_extra_keys"]
    assert Resident.objects.get(pk=kept.pk).rrn_plain() == number
    assert _found_by_number(city, number) == [kept.pk]
    keyrotation.rotate(batch=50, **QUIET)
    assert keyrotation.key_ids_in_use()["registry.Resident"] == {new_enc_id: 1}
    assert _found_by_number(city, number) == [kept.pk]


def test_a_restore_without_the_backups_keys_names_the_keys_to_add(store, officer, tmp_path, key_file):
    personas.make_resident(officer, name="김열쇠")
    old_id = settings.RRN_KEYS.current_id
    ops_backup.backup(tmp_path / "b1", with_keys=False, **QUIET)
    keyrotation.new_keys_in_file(key_file)
    keyrotation.rotate(batch=50, **QUIET)
    keyrotation.use_rings(rrn.KeyRing(settings.RRN_KEYS.current), rrn.KeyRing(settings.RRN_INDEX_KEYS.current))
    lines: list[str] = []
    ops_backup.restore(tmp_path / "b1", force=True, migrate=False, log=lines.append)
    assert any(old_id in line and "DOLBOM_RRN_EXTRA_KEYS" in line for line in lines)
