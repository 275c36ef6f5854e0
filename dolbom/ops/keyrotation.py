"""Rotating the RRN encryption key and the blind-index key, in batches, while the service runs.

How it stays up (docs/DEPLOYMENT.md, "Rotating keys"): first every node is given the next keys as extra keys
(lib/keys.py), so that each can read and search what any other writes under them; then the next keys become
current on every node, the old ones staying as extras; then ``dolbom ops rotate-keys`` walks every table that
holds an RRN (a model with ``rrn_encrypted`` and ``rrn_index``, lib/rrn.py), a batch of rows per transaction:
it opens each value with whichever key sealed it, seals it again under the current key and recomputes its
blind index under the current index key. Searches look under every index key of the ring meanwhile
(lib/rrn.py ``blind_indexes``), so a person is found whether the pass has reached their row or not. Each batch
locks its rows, so a concurrent edit waits for it rather than being overwritten; a pass stopped halfway is
simply run again. The old keys may leave the ring when ``--status`` shows no value under them, but stay with
the backups made before the rotation: restoring one needs them (ops/backup.py keeps them in its key file).
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction

from dolbom.lib import keys as keys_lib
from dolbom.lib import rrn

ENCRYPTED, INDEX = "rrn_encrypted", "rrn_index"
Log = Callable[[str], None]


def rrn_models() -> list[type[models.Model]]:
    """Every installed model that stores an RRN (by the field names lib/rrn.py asks for)."""
    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        if ENCRYPTED in names and INDEX in names and not model._meta.proxy:
            found.append(model)
    return found


def key_ids_in_use() -> dict[str, dict[str, int]]:
    """Model label -> key id ("" for values written before key ids) -> rows; empty values are not counted."""
    result: dict[str, dict[str, int]] = {}
    for model in rrn_models():
        counts: Counter[str] = Counter()
        qs = model._default_manager.exclude(**{ENCRYPTED: ""}).values_list(ENCRYPTED, flat=True)
        for token in qs.iterator(chunk_size=20_000):
            counts[rrn.token_key_id(token) or ""] += 1
        result[model._meta.label] = dict(counts)
    return result


@dataclass
class RotationResult:
    rows: int = 0
    resealed: int = 0
    reindexed: int = 0
    unreadable: Counter[str] = field(default_factory=Counter)  # key id -> rows no key of the ring opens

    def summary(self) -> str:
        text = (f"{self.rows} values read, {self.resealed} sealed again under key {settings.RRN_KEYS.current_id}, "
                f"{self.reindexed} indexes recomputed under index key {settings.RRN_INDEX_KEYS.current_id}")
        if self.unreadable:
            text += ("; NOT READABLE with this ring (add their keys as extra keys, e.g. from the backup's key "
                     "file): " + ", ".join(f"{kid or 'no id'} {n}" for kid, n in sorted(self.unreadable.items())))
        return text


def rotate(*, batch: int = 2000, log: Log = print,
           progress: Callable[[str, int], None] | None = None) -> RotationResult:
    """Re-encrypt and re-index every stored RRN under the current keys, one batch per transaction.

    ``progress(model label, rows done)`` is called after each batch has committed (the service keeps
    running meanwhile: ops/tests/test_keyrotation.py searches there)."""
    enc, idx = settings.RRN_KEYS, settings.RRN_INDEX_KEYS
    result = RotationResult()
    qn = connection.ops.quote_name
    for model in rrn_models():
        table, pk_col = qn(model._meta.db_table), qn(model._meta.pk.column)
        sql = f"UPDATE {table} SET {qn(ENCRYPTED)} = %s, {qn(INDEX)} = %s WHERE {pk_col} = %s"
        last = None
        done = 0
        while True:
            with transaction.atomic():
                qs = model._default_manager.order_by("pk")
                if last is not None:
                    qs = qs.filter(pk__gt=last)
                rows = list(qs.select_for_update().values_list("pk", ENCRYPTED, INDEX)[:batch])
                if not rows:
                    break
                updates = []
                for pk, token, index in rows:
                    if not token:
                        continue
                    result.rows += 1
                    try:
                        digits = rrn.decrypt(token, enc)
                    except rrn.UnknownKey:
                        result.unreadable[rrn.token_key_id(token) or ""] += 1
                        continue
                    sealed = token if rrn.token_key_id(token) == enc.current_id else rrn.encrypt(digits, enc)
                    new_index = rrn.blind_index(digits, idx.current)
                    if sealed != token or new_index != index:
                        result.resealed += sealed != token
                        result.reindexed += new_index != index
                        updates.append((sealed, new_index, pk))
                if updates:
                    with connection.cursor() as cursor:
                        cursor.executemany(sql, updates)
                last = rows[-1][0]
                done += len(rows)
            if progress is not None:
                progress(model._meta.label, done)
        log(f"{model._meta.label}: {done} rows")
    return result


def _encode(key: bytes) -> str:
    return base64.b64encode(key).decode()


def new_keys_in_file(path: Path) -> tuple[str, str]:
    """Development and key-file installations: make fresh RRN and index keys current in the key file, the
    old ones kept as extra keys, and use them in this process. Returns the new key ids.

    Other processes still hold the old ring until they restart (or, under ``dolbom serve``, reload): until
    then they cannot read values sealed under the new key. On several nodes, use the two steps of
    docs/DEPLOYMENT.md instead."""
    new_enc, new_idx = keys_lib.new_key(), keys_lib.new_key()
    with keys_lib.key_file_edit(path) as data:
        for current, extra, fresh in (("rrn_encryption_key", "rrn_extra_keys", new_enc),
                                      ("rrn_index_key", "rrn_index_extra_keys", new_idx)):
            old = data.get(current)
            extras = [k for k in data.get(extra, []) if k != old]
            data[extra] = ([old] if old else []) + extras
            data[current] = fresh
    enc = rrn.KeyRing(base64.b64decode(new_enc), settings.RRN_KEYS.keys)
    idx = rrn.KeyRing(base64.b64decode(new_idx), settings.RRN_INDEX_KEYS.keys)
    use_rings(enc, idx)
    return enc.current_id, idx.current_id


def use_rings(enc: rrn.KeyRing, idx: rrn.KeyRing) -> None:
    settings.RRN_KEYS, settings.RRN_ENCRYPTION_KEY = enc, enc.current
    settings.RRN_INDEX_KEYS, settings.RRN_INDEX_KEY = idx, idx.current


def keys_come_from_file() -> Path | None:
    """The key file this process's RRN keys come from, or None when they come from the environment."""
    if settings.RRN_KEYS_FROM_ENV:
        return None
    if settings.PRODUCTION and not settings.DOLBOM_KEYS_FILE:
        return None
    return keys_lib.key_file_path(Path(settings.DATA_DIR), settings.DOLBOM_KEYS_FILE)
