"""SQL for the ingest's hot path: a thousand events a batch, a few statements each.

Django's ORM stays everywhere else. Here, measured by bench/safety.py, its per-row costs dominated: building a
``CASE WHEN`` per field and row in ``bulk_update``, model instances for rows read only to compare two
timestamps, and, on PostgreSQL, the client-side parameter quoting of Django's default cursor, which scans
every one of thousands of parameters in Python. So:

- many rows with different values are updated by one ``UPDATE … FROM`` a list of values joined on the key,
  and inserted by one ``INSERT … SELECT``: on PostgreSQL the whole list goes as one JSON text parameter
  read by ``json_to_recordset`` (a second profile, bench/safety_profile.py, found psycopg's Python array
  dumper and Django's per-value preparation at about 100 µs of worker CPU per event; ``json.dumps`` is C);
  on SQLite (3.33+) a ``VALUES`` list;
- timestamps in that JSON go as numbers, seconds since the epoch (``to_timestamp`` on the server: exact to the
  microsecond): ISO text cost a Python call per value to write (``json.dumps``' default hook) and PostgreSQL's
  timestamp parser about 1.5 µs per value to read (bench/safety_profile.py --statements);
- reads by a list of keys take the list the same way (one JSON parameter, ``= ANY(…)``) and answer plain rows
  in PostgreSQL's binary format, which psycopg's C loaders decode (timestamps included: Django's own loader,
  registered for the text format, runs in Python for every value); building a JSON answer on the server
  cost it about 4 µs a row;
- the events go in by ``COPY`` straight into their table, ids drawn from its sequence first; a resend's
  unique violation aborts the batch's transaction and the batch goes again (services/ingest.py) through a
  staging table and ``INSERT … ON CONFLICT DO NOTHING`` (``insert_returning``), which tells new from old;

Table and column names come from the models' ``_meta``, so a renamed column cannot silently go missing; the
statements run on Django's connection, inside the caller's transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import DateTimeField, Field, Model

CHUNK = 500


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def pg_cursor() -> Iterator[Any]:
    """A cursor with server-side binding on Django's own connection (and so its transaction). The hot
    statements run prepared (``prepare=True``: parsed and planned once per connection, where Django leaves
    psycopg's automatic preparing off); the plans do not depend on the values, a JSON text the planner cannot
    see into. psycopg's errors come out as Django's (``wrap_database_errors``), as through Django's own cursor:
    the ingest worker keeps a batch and retries on ``OperationalError``, and a PostgreSQL restart in the middle
    of one of these statements (``AdminShutdown``) had ended the worker instead."""
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor


def q(name: str) -> str:
    return connection.ops.quote_name(name)


def column(model: type[Model], name: str) -> str:
    return q(model._meta.get_field(name).column)


def table(model: type[Model]) -> str:
    return q(model._meta.db_table)


def update_rows(model: type[Model], key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
                same: Sequence[str] = (), same_values: Sequence[Any] = (), keep: Sequence[str] = ()) -> int:
    """``UPDATE model SET columns = … WHERE key = …`` for each row (key value first, then the columns').

    ``same``: columns set to one value for every row (``same_values``: a batch's "now"), sent once. ``keep``:
    columns of ``columns`` set only where still empty (``coalesce``: a first-seen time another process may
    have written meanwhile)."""
    if not rows:
        return 0
    if is_postgres():
        statement, names, stamps = _pg_update(model, key, tuple(columns), tuple(same), tuple(keep))
        if stamps:
            rows = [_epochs(row, stamps) for row in rows]
        with pg_cursor() as cursor:
            cursor.execute(statement, [*same_values, _records(names, rows), rows_json([row[0] for row in rows])],
                           prepare=True)
            return cursor.rowcount
    fields = [model._meta.get_field(name) for name in (key, *columns)]
    fixed = [model._meta.get_field(name) for name in same]
    name = table(model)
    if same:
        rows = [(*row, *same_values) for row in rows]
        fields += fixed
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sets = ", ".join(f"{q(f.column)} = " + (f"coalesce({name}.{q(f.column)}, v.column{i})" if f.name in keep
                                            else f"v.column{i}") for i, f in enumerate(fields[1:], 2))
    done = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            params = [f.get_db_prep_value(value, connection) for row in chunk for f, value in zip(fields, row, strict=True)]
            cursor.execute(f"UPDATE {name} SET {sets} FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v "
                           f"WHERE {name}.{q(fields[0].column)} = v.column1", params)
            done += cursor.rowcount
    return done


@functools.cache
def _pg_update(model: type[Model], key: str, columns: tuple[str, ...], same: tuple[str, ...], keep: tuple[str, ...]
               ) -> tuple[str, list[str], list[int]]:
    """``update_rows``' statement on PostgreSQL, the recordset's names and which of them are timestamps (made
    once per shape: the fields' ``db_type`` alone was a few per cent of the worker's time per batch)."""
    fields = [model._meta.get_field(name) for name in (key, *columns)]
    name, names = table(model), [f"c{i}" for i in range(len(fields))]
    sets = [f"{q(f.column)} = " + (f"coalesce({name}.{q(f.column)}, {_value(f, n)})" if f.name in keep
                                   else _value(f, n)) for f, n in zip(fields[1:], names[1:], strict=True)]
    sets += [f"{column(model, f)} = %s" for f in same]
    statement = (f"UPDATE {name} SET {', '.join(sets)} FROM {_recordset(fields, names)} "
                 f"WHERE {name}.{q(fields[0].column)} = v.c0 "
                 f"AND {name}.{q(fields[0].column)} = {any_of(fields[0].db_type(connection))}")
    return statement, names, [i for i, f in enumerate(fields) if isinstance(f, DateTimeField)]


def insert_returning(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
                     conflict: Sequence[str], returning: Sequence[str], copy_text: bytes | None = None) -> list[tuple]:
    """``INSERT … ON CONFLICT (conflict) DO NOTHING RETURNING …``: the rows that were new (Python values).

    ``copy_text``: on PostgreSQL, the rows already in COPY's text format (``copy_escape``), from a caller that
    knows its columns' types and formats a row in one f-string (``rows`` is then not read)."""
    if not rows and not copy_text:
        return []
    fields = [model._meta.get_field(c) for c in columns]
    cols = ", ".join(q(f.column) for f in fields)
    tail = (f"ON CONFLICT ({', '.join(column(model, c) for c in conflict)}) DO NOTHING "
            f"RETURNING {', '.join(column(model, c) for c in returning)}")
    if is_postgres():
        stage = _stage(model, fields)
        back = ", ".join(column(model, c) for c in returning)
        with pg_cursor() as cursor:
            with cursor.copy(f"COPY {stage} FROM STDIN") as copy:
                copy.write(copy_text if copy_text is not None else _copy_text(rows))
            cursor.execute(f"WITH new AS (INSERT INTO {table(model)} ({cols}) SELECT * FROM {stage} {tail}), "
                           f"_gone AS (DELETE FROM {stage}) "
                           f"SELECT coalesce(json_agg(json_build_array({back})), '[]')::text FROM new")
            return [tuple(row) for row in json.loads(cursor.fetchone()[0])]
    found: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(chunk))
            cursor.execute(f"INSERT INTO {table(model)} ({cols}) VALUES {placeholders} {tail}",
                           [f.get_db_prep_value(v, connection) for row in chunk
                            for f, v in zip(fields, row, strict=True)])
            found += cursor.fetchall()
    return found


def copy_insert(model: type[Model], copy_text: bytes, *, columns: Sequence[str]) -> None:
    """PostgreSQL: rows already in COPY's text format (``columns`` in that order, the id among them) straight
    into the table. A row that breaks a unique constraint raises Django's ``IntegrityError`` (psycopg's
    ``UniqueViolation`` as its cause, see ``pg_cursor``) and aborts the transaction: the caller's to roll back
    and store the batch through ``insert_returning``."""
    cols = ", ".join(column(model, c) for c in columns)
    with pg_cursor() as cursor, cursor.copy(f"COPY {table(model)} ({cols}) FROM STDIN") as copy:
        copy.write(copy_text)


def next_ids(model: type[Model], count: int) -> list[int]:
    """PostgreSQL: ``count`` ids drawn from the table's sequence (for rows written by ``copy_insert``)."""
    if count <= 0:
        return []
    with pg_cursor() as cursor:
        sequence = _SEQUENCES.get(model._meta.db_table)
        if sequence is None:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
            sequence = _SEQUENCES[model._meta.db_table] = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count], binary=True,
                       prepare=True)
        return [row[0] for row in cursor.fetchall()]


_SEQUENCES: dict[str, str] = {}


def _stage(model: type[Model], fields: Sequence[Field]) -> str:
    """A temporary table of the insert's columns on this connection: COPY fills it (PostgreSQL's fastest way
    in, and the cheapest for the client: one text buffer), the INSERT … SELECT empties it into the table with
    ON CONFLICT, which COPY itself cannot do. Looked up each time (one round trip): a reconnect, or a
    rolled-back transaction that made it, leaves none."""
    name = f"stage_{model._meta.db_table}"
    with pg_cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NULL", [f"pg_temp.{name}"])
        if cursor.fetchone()[0]:
            types = ", ".join(f"{q(f.column)} {f.db_type(connection)}" for f in fields)
            cursor.execute(f"CREATE TEMPORARY TABLE {q(name)} ({types})")
    return q(name)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_escape(value: str) -> str:
    """A text value for COPY's text format: translated only when it holds something to escape (``translate``
    with a table costs a Python call per character)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def _copy_text(rows: Sequence[Sequence[Any]]) -> bytes:
    """Rows in COPY's text format (tab-separated, backslash escapes, \\N for NULL).

    Types are tested by identity, and a timestamp repeated down a column (a batch's receipt time) is formatted
    once."""
    stamps: dict[Any, str] = {}
    lines = []
    for row in rows:
        out = []
        for value in row:
            t = type(value)
            if t is str:
                out.append(copy_escape(value))
            elif t is int:
                out.append(str(value))
            elif value is None:
                out.append("\\N")
            elif t is bool:
                out.append("t" if value else "f")
            elif isinstance(value, dt.datetime | dt.date | dt.time):
                text = stamps.get(value)
                if text is None:
                    text = stamps[value] = value.isoformat()
                out.append(text)
            else:
                out.append(copy_escape(str(value)))
        lines.append("\t".join(out))
    lines.append("")
    return "\n".join(lines).encode()


def any_of(cast: str = "text") -> str:
    """``= ANY(…)`` of one JSON-array parameter (a list through ``rows_json``), each element cast."""
    return f"ANY(ARRAY(SELECT json_array_elements_text(%s::json)::{cast}))"


def select_rows(columns: Sequence[str], rest: str, params: Sequence[Any]) -> list[tuple]:
    """PostgreSQL: ``SELECT columns rest`` as tuples of Python values, read in the binary format (see the
    module's docstring). ``rest`` is the ``FROM … WHERE …`` part, with ``any_of`` for a list of keys."""
    with pg_cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} {rest}", list(params), binary=True, prepare=True)
        return cursor.fetchall()


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def rows_json(rows: Any) -> str:
    """Python values as one JSON text (timestamps in ISO 8601 with their offset, which PostgreSQL reads)."""
    return json.dumps(rows, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def _recordset(fields: Sequence[Field], names: Sequence[str]) -> str:
    """``json_to_recordset`` of one JSON parameter (``_records``), typed like the fields' columns (timestamps
    as seconds since the epoch, ``_epochs``)."""
    types = ", ".join(f"{n} {'double precision' if isinstance(f, DateTimeField) else f.db_type(connection)}"
                      for f, n in zip(fields, names, strict=True))
    return f"json_to_recordset(%s::json) AS v({types})"


def _value(f: Field, name: str) -> str:
    return f"to_timestamp(v.{name})" if isinstance(f, DateTimeField) else f"v.{name}"


def _epochs(row: Sequence[Any], at: Sequence[int]) -> list[Any]:
    """The row with the timestamps at ``at`` as seconds since the epoch (a float holds the microseconds of any
    date before 2255 exactly, and ``to_timestamp`` rounds to the microsecond)."""
    out = list(row)
    for i in at:
        value = out[i]
        if value is not None:
            out[i] = value.timestamp()
    return out


def _records(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return rows_json([dict(zip(names, row, strict=True)) for row in rows])
