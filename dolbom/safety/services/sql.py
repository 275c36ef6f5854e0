"""SQL for the ingest's hot path: a thousand events a batch, a few statements each.

Django's ORM stays everywhere else. Here, measured by bench/safety.py, its per-row costs dominated: building a
``CASE WHEN`` per field and row in ``bulk_update``, model instances for rows read only to compare two
timestamps, and, on PostgreSQL, the client-side parameter quoting of Django's default cursor, which scans
every one of thousands of parameters in Python. So:

- many rows with different values are updated by one ``UPDATE … FROM`` a list of values joined on the key:
  on PostgreSQL one array per column (``unnest``) sent with server-side binding, on SQLite (3.33+) a ``VALUES``
  list;
- reads by a list of keys use ``= ANY(array)`` on PostgreSQL (one parameter) and the ORM on SQLite.

Table and column names come from the models' ``_meta``, so a renamed column cannot silently go missing; the
statements run on Django's connection, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def pg_array_type(field: Field) -> str:
    return f"{field.db_type(connection).split('(')[0]}[]"


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
        arrays = [[f.get_db_prep_value(row[i], connection) for row in rows] for i, f in enumerate(fields)]
        unnest = ", ".join(f"%b::{pg_array_type(f)}" for f in fields)
        with pg_cursor() as cursor:
            cursor.execute(f"UPDATE {name} SET {sets} FROM unnest({unnest}) AS v({', '.join(names)}) "
                           f"WHERE {name}.{q(fields[0].column)} = v.c0", arrays)
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
                     conflict: Sequence[str], returning: Sequence[str]) -> list[tuple]:
    """``INSERT … ON CONFLICT (conflict) DO NOTHING RETURNING …``: the rows that were new (values prepared)."""
    if not rows:
        return []
    fields = [model._meta.get_field(c) for c in columns]
    cols = ", ".join(q(f.column) for f in fields)
    tail = (f"ON CONFLICT ({', '.join(column(model, c) for c in conflict)}) DO NOTHING "
            f"RETURNING {', '.join(column(model, c) for c in returning)}")
    if is_postgres():
        unnest = ", ".join(f"%b::{pg_array_type(f)}" for f in fields)
        with pg_cursor() as cursor:
            cursor.execute(f"INSERT INTO {table(model)} ({cols}) SELECT * FROM unnest({unnest}) {tail}",
                           [list(values) for values in zip(*rows, strict=True)])
            return cursor.fetchall()
    found: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(chunk))
            cursor.execute(f"INSERT INTO {table(model)} ({cols}) VALUES {placeholders} {tail}",
                           [v for row in chunk for v in row])
            found += cursor.fetchall()
    return found


def select_any(sql: str, values: Sequence[Any]) -> list[tuple]:
    """PostgreSQL: ``sql`` with one ``= ANY(%s)`` parameter, the list as an array."""
    with pg_cursor() as cursor:
        cursor.execute(sql, [list(values)])
        return cursor.fetchall()
