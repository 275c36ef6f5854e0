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
- reads by a list of keys take the list the same way (one JSON parameter, ``= ANY(…)``) and answer one JSON
  text, ``json_agg`` of the rows, decoded by ``json.loads`` with the timestamps parsed by
  ``datetime.fromisoformat`` (Django's timezone-aware loader runs in Python for every value); on SQLite the
  ORM.

Table and column names come from the models' ``_meta``, so a renamed column cannot silently go missing; the
statements run on Django's connection, inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model

CHUNK = 500


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def pg_cursor():
    """A cursor with server-side binding on Django's own connection (and so its transaction)."""
    import psycopg

    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def q(name: str) -> str:
    return connection.ops.quote_name(name)


def column(model: type[Model], name: str) -> str:
    return q(model._meta.get_field(name).column)


def table(model: type[Model]) -> str:
    return q(model._meta.db_table)


def update_rows(model: type[Model], key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """``UPDATE model SET columns = … WHERE key = …`` for each row (key value first, then the columns')."""
    if not rows:
        return 0
    fields = [model._meta.get_field(name) for name in (key, *columns)]
    name = table(model)
    if is_postgres():
        names = [f"c{i}" for i in range(len(fields))]
        sets = ", ".join(f"{q(f.column)} = v.{n}" for f, n in zip(fields[1:], names[1:], strict=True))
        with pg_cursor() as cursor:
            cursor.execute(f"UPDATE {name} SET {sets} FROM {_recordset(fields, names)} "
                           f"WHERE {name}.{q(fields[0].column)} = v.c0", [_records(names, rows)])
            return cursor.rowcount
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sets = ", ".join(f"{q(f.column)} = v.column{i}" for i, f in enumerate(fields[1:], 2))
    done = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            params = [f.get_db_prep_value(value, connection) for row in chunk for f, value in zip(fields, row, strict=True)]
            cursor.execute(f"UPDATE {name} SET {sets} FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v "
                           f"WHERE {name}.{q(fields[0].column)} = v.column1", params)
            done += cursor.rowcount
    return done


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


def select_json(columns: Sequence[str], rest: str, params: Sequence[Any], *, datetimes: Iterable[int] = ()
                ) -> list[list[Any]]:
    """PostgreSQL: ``SELECT columns rest`` as lists, the columns at ``datetimes`` parsed (see the module's
    docstring). ``rest`` is the ``FROM … WHERE …`` part, with ``any_of`` for a list of keys."""
    with pg_cursor() as cursor:
        cursor.execute(f"SELECT coalesce(json_agg(json_build_array({', '.join(columns)})), '[]')::text {rest}",
                       list(params))
        rows = json.loads(cursor.fetchone()[0])
    at = list(datetimes)
    if at:
        for row in rows:
            for i in at:
                if row[i] is not None:
                    row[i] = dt.datetime.fromisoformat(row[i])
    return rows


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def rows_json(rows: Any) -> str:
    """Python values as one JSON text (timestamps in ISO 8601 with their offset, which PostgreSQL reads)."""
    return json.dumps(rows, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def _recordset(fields: Sequence[Field], names: Sequence[str]) -> str:
    """``json_to_recordset`` of one JSON parameter (``_records``), typed like the fields' columns."""
    types = ", ".join(f"{n} {f.db_type(connection)}" for f, n in zip(fields, names, strict=True))
    return f"json_to_recordset(%s::json) AS v({types})"


def _records(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return rows_json([dict(zip(names, row, strict=True)) for row in rows])
