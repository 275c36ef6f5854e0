"""Storing a generated city: one transaction, raw DB-API (SQLite executemany, PostgreSQL COPY).

The ORM would build ~900,000 model instances for the full city; here the columns go straight from
numpy to the driver. Column names come from the models' ``_meta`` so a renamed column cannot silently
go missing, and every concrete field must be supplied (Django defaults live in Python, not the table).

A failure anywhere (a duplicate RRN, a lost connection) rolls the whole city back: nothing is left
half-written.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import itertools
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from dolbom.areas.models import BoundaryArea
from dolbom.areas.selectors import dong_for_area
from dolbom.lib import rrn as rrn_lib
from dolbom.registry.models import Household, Resident
from dolbom.registry.synthetic.generator import SyntheticCity

COPY_CHUNK_ROWS = 50_000


@dataclass
class WriteResult:
    households: int
    residents: int
    household_ids: range
    resident_ids: range
    timings: dict[str, float] = field(default_factory=dict)


def seal_rrns(digits: Sequence[bytes], *, encryption_key: bytes, index_key: bytes) -> tuple[list[str], list[str]]:
    """AES-GCM ciphertext and HMAC blind index for each RRN, compatible with dolbom.lib.rrn.

    One cipher call per value cannot be avoided (each value has its own nonce); everything around it is
    hoisted out of the loop: one AESGCM object, one urandom call for all nonces.
    """
    seal = AESGCM(encryption_key).encrypt
    b64 = base64.b64encode
    nonces = os.urandom(12 * len(digits))
    nonce_iter = (nonces[i:i + 12] for i in range(0, len(nonces), 12))
    kid = rrn_lib.key_id(encryption_key) + ":"  # the key named in the ciphertext, as rrn.encrypt writes it
    encrypted = [kid + b64(n + seal(n, d, b"rrn")).decode() for n, d in zip(nonce_iter, digits, strict=True)]
    digest = hmac.digest
    index = [digest(index_key, d, "sha256").hex() for d in digits]
    return encrypted, index


def _redraw_collisions(city: SyntheticCity, index: list[str], taken: set[str], index_key: bytes) -> int:
    """Give a new serial to generated RRNs that already exist in the database (``--append``).

    Rare: only people who share a birth date, a sex and a drawn region code with someone stored.
    Changes ``city.r_rrn`` in place so that the arrays still describe what is written.
    """
    clashes = [i for i, value in enumerate(index) if value in taken]
    if not clashes:
        return 0
    in_batch = set(city.r_rrn.tolist())
    for i in clashes:
        head = city.r_rrn[i][:7].decode()
        rng = np.random.default_rng([city.seed, i])
        while True:
            first12 = head + f"{int(rng.integers(0, 100_000)):05d}"
            candidate = (first12 + rrn_lib.check_digit(first12)).encode()
            value = hmac.digest(index_key, candidate, "sha256").hex()
            if candidate not in in_batch and value not in taken:
                break
        in_batch.discard(city.r_rrn[i])
        in_batch.add(candidate)
        city.r_rrn[i] = candidate
        index[i] = value
    return len(clashes)


def _area_maps(city: SyntheticCity, using: str, day: dt.date) -> tuple[np.ndarray, np.ndarray]:
    by_code = {a.kostat_code: a for a in BoundaryArea.objects.using(using).select_related("original_dong")}
    missing = [a.code for a in city.areas if a.code not in by_code]
    if missing:
        raise RuntimeError(f"boundary areas missing from the database (run migrate): {missing}")
    area_pk = np.array([by_code[a.code].pk for a in city.areas], dtype=np.int64)
    # The household's dong is the one administering its area today: 금암1동/2동 addresses -> 금암동.
    dong_pk = np.array([dong_for_area(area=by_code[a.code], day=day).pk for a in city.areas], dtype=np.int64)
    return area_pk, dong_pk


def _max_id(cursor: Any, model: type[models.Model], qn: Any) -> int:
    cursor.execute(f"SELECT MAX({qn(model._meta.pk.column)}) FROM {qn(model._meta.db_table)}")
    return cursor.fetchone()[0] or 0


def _ordered(model: type[models.Model], values: dict[str, Iterable[Any]]) -> tuple[list[str], list[Iterable[Any]]]:
    fields = model._meta.concrete_fields
    names = {f.attname for f in fields}
    if names != set(values):
        raise RuntimeError(f"{model.__name__} columns out of date: {sorted(names ^ set(values))}")
    return [f.column for f in fields], [values[f.attname] for f in fields]


def _insert_sqlite(connection: Any, model: type[models.Model], values: dict[str, Iterable[Any]]) -> None:
    columns, data = _ordered(model, values)
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    with connection.wrap_database_errors:
        connection.connection.executemany(sql, zip(*data, strict=False))


@contextmanager
def _sqlite_bulk_mode(connection: Any, *, rebuild_indexes: bool) -> Iterator[None]:
    """A large page cache, and secondary indexes rebuilt once at the end instead of row by row.

    Building an index from sorted data after the load is about twice as fast as updating it on every
    insert. Only worth it when the load is larger than what is already there. SQLite DDL is
    transactional, so a failure restores the indexes with the rest of the rollback.
    """
    raw = connection.connection
    old_cache = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute("PRAGMA cache_size = -512000")  # KiB: ~500 MB at most, released with the connection
    ddl: list[tuple[str, str]] = []
    try:
        if rebuild_indexes:
            tables = (Household._meta.db_table, Resident._meta.db_table)
            ddl = raw.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN (?, ?)", tables,
            ).fetchall()
            for name, _ in ddl:
                raw.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        yield
        for _, sql in ddl:
            raw.execute(sql)
    finally:
        raw.execute(f"PRAGMA cache_size = {int(old_cache)}")


@contextmanager
def _postgres_bulk_mode(connection: Any, *, rebuild: bool) -> Iterator[None]:
    """Drop the two tables' secondary indexes, unique constraints and foreign keys, load, put them back.

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: row by row they queue ~2 million trigger
    events that all fire at COMMIT. Re-adding a constraint checks it in one pass instead, and an index
    built once from the loaded table is faster than one updated per row. Everything happens inside the
    caller's transaction (PostgreSQL DDL is transactional), under the table lock it already holds, so
    a failure restores the schema with the rollback and no reader ever sees the tables without them.
    """
    if not rebuild:
        yield
        return
    tables = [Household._meta.db_table, Resident._meta.db_table]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Earlier writes in this transaction may have queued deferred checks, and a table with pending
        # trigger events cannot be altered: run them now, then defer again (Django's default) below.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')", [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]))",
            [tables, tables],
        )
        indexes = [(name, sql) for name, sql in cursor.fetchall() if not name.endswith("_pkey")]
        for table, name, _, _ in constraints:
            cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {qn(name)}")
    yield
    with connection.cursor() as cursor:
        for _, sql in indexes:
            cursor.execute(sql)
        # Unique constraints before foreign keys, in case a key ever points at one of them.
        for table, name, _kind, definition in sorted(constraints, key=lambda c: c[2] != "u"):
            cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _insert_postgres(connection: Any, model: type[models.Model], values: dict[str, Iterable[Any]], n: int) -> None:
    """COPY in text format. Every value is a generated string free of tabs, newlines and backslashes."""
    columns, data = _ordered(model, values)
    qn = connection.ops.quote_name
    sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    rows = zip(*data, strict=False)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(sql) as copy:
            for _ in range(0, n, COPY_CHUNK_ROWS):
                chunk = itertools.islice(rows, COPY_CHUNK_ROWS)
                copy.write("\n".join(map("\t".join, chunk)) + "\n")


def _text(values: np.ndarray) -> list[str]:
    if values.dtype == bool:
        return np.where(values, "t", "f").tolist()
    return values.astype(np.str_).tolist()


def write_city(city: SyntheticCity, *, using: str = DEFAULT_DB_ALIAS) -> WriteResult:
    """Insert the city's households and residents; returns the id ranges written."""
    timings: dict[str, float] = {}
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise RuntimeError(f"write_city supports SQLite and PostgreSQL, not {vendor}")
    H, R = city.household_count, city.resident_count

    t0 = time.perf_counter()
    digits = city.r_rrn.tolist()
    encrypted, index = seal_rrns(digits, encryption_key=settings.RRN_ENCRYPTION_KEY,
                                 index_key=settings.RRN_INDEX_KEY)
    timings["encrypt"] = time.perf_counter() - t0

    with transaction.atomic(using=using):
        t1 = time.perf_counter()
        area_pk, dong_pk = _area_maps(city, using, city.as_of)
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                # Ids are assigned here, so no other writer may insert until the sequences are reset.
                cursor.execute(f"LOCK TABLE {qn(Household._meta.db_table)}, {qn(Resident._meta.db_table)} "
                               "IN SHARE ROW EXCLUSIVE MODE")
            h0, r0 = _max_id(cursor, Household, qn) + 1, _max_id(cursor, Resident, qn) + 1
        if r0 > 1:
            taken = set(Resident.objects.using(using).values_list("rrn_index", flat=True))
            redrawn = _redraw_collisions(city, index, taken, settings.RRN_INDEX_KEY)
            if redrawn:
                digits = city.r_rrn.tolist()
                encrypted, _ = seal_rrns(digits, encryption_key=settings.RRN_ENCRYPTION_KEY,
                                         index_key=settings.RRN_INDEX_KEY)
        h_ids = np.arange(h0, h0 + H, dtype=np.int64)
        r_ids = np.arange(r0, r0 + R, dtype=np.int64)
        area_codes = np.array([a.code for a in city.areas])
        number = np.strings.add(np.strings.add(area_codes[city.h_area], "-"),
                                np.strings.zfill(h_ids.astype(np.str_), 7))
        h_dong = dong_pk[city.h_area]
        now = timezone.now()
        birth = city.r_birth_date.astype(np.str_).tolist()
        if vendor == "sqlite":
            created = connection.ops.adapt_datetimefield_value(now)
            household_values: dict[str, Iterable[Any]] = {
                "id": h_ids.tolist(), "number": number.tolist(), "road_address": city.h_road_address.tolist(),
                "address_detail": city.h_address_detail.tolist(), "area_id": area_pk[city.h_area].tolist(),
                "dong_id": h_dong.tolist(), "lon": city.h_lon.tolist(), "lat": city.h_lat.tolist(),
                "size": city.h_size.tolist(), "created_at": itertools.repeat(created),
            }
            resident_values: dict[str, Iterable[Any]] = {
                "id": r_ids.tolist(), "name": city.r_name.tolist(), "name_initials": city.r_name_initials.tolist(),
                "birth_date": birth, "sex": city.r_sex.tolist(), "rrn_encrypted": encrypted, "rrn_index": index,
                "phone": city.r_phone.tolist(), "household_id": h_ids[city.r_household].tolist(),
                "dong_id": h_dong[city.r_household].tolist(), "is_older": city.r_is_older.tolist(),
                "has_severe_disability": city.r_has_severe_disability.tolist(),
                "has_mental_illness": city.r_has_mental_illness.tolist(),
                "is_other_target": city.r_is_other_target.tolist(), "lives_alone": city.r_lives_alone.tolist(),
                "deceased_on": itertools.repeat(None), "created_at": itertools.repeat(created),
            }
        else:
            created = now.isoformat()
            household_values = {
                "id": _text(h_ids), "number": number.tolist(), "road_address": city.h_road_address.tolist(),
                "address_detail": city.h_address_detail.tolist(), "area_id": _text(area_pk[city.h_area]),
                "dong_id": _text(h_dong), "lon": _text(city.h_lon), "lat": _text(city.h_lat),
                "size": _text(city.h_size), "created_at": itertools.repeat(created),
            }
            resident_values = {
                "id": _text(r_ids), "name": city.r_name.tolist(), "name_initials": city.r_name_initials.tolist(),
                "birth_date": birth, "sex": city.r_sex.tolist(), "rrn_encrypted": encrypted, "rrn_index": index,
                "phone": city.r_phone.tolist(), "household_id": _text(h_ids[city.r_household]),
                "dong_id": _text(h_dong[city.r_household]), "is_older": _text(city.r_is_older),
                "has_severe_disability": _text(city.r_has_severe_disability),
                "has_mental_illness": _text(city.r_has_mental_illness),
                "is_other_target": _text(city.r_is_other_target), "lives_alone": _text(city.r_lives_alone),
                "deceased_on": itertools.repeat("\\N"), "created_at": itertools.repeat(created),
            }
        timings["prepare"] = time.perf_counter() - t1

        t2 = time.perf_counter()
        if vendor == "sqlite":
            with _sqlite_bulk_mode(connection, rebuild_indexes=r0 - 1 < R):
                _insert_sqlite(connection, Household, household_values)
                _insert_sqlite(connection, Resident, resident_values)
        else:
            with _postgres_bulk_mode(connection, rebuild=r0 - 1 < R):
                _insert_postgres(connection, Household, household_values, H)
                _insert_postgres(connection, Resident, resident_values, R)
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), [Household, Resident]):
                    cursor.execute(statement)
        timings["insert"] = time.perf_counter() - t2

    return WriteResult(households=H, residents=R, household_ids=range(h0, h0 + H),
                       resident_ids=range(r0, r0 + R), timings=timings)
