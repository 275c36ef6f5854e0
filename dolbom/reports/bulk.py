"""Writing many rows at once without building a model instance per row: SQLite executemany, PostgreSQL COPY.

The refresh replaces tens of thousands of figures at a time (the bench's city: hundreds of thousands), and
the activity generator writes millions of rows; Django's ``bulk_create`` spends most of that time building
and preparing model instances. Values come as Python objects in the order of ``fields`` (model attribute
names); the driver does the typing (psycopg's COPY writes dates, booleans and NULLs itself).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _pg_value(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` into ``model``'s table; returns how many. Call inside the caller's transaction."""
    meta = model._meta
    columns = [meta.get_field(f).column for f in fields]
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    n = 0
    if connection.vendor == "postgresql":
        sql = f"COPY {table} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([_pg_value(v) for v in row])
                n += 1
        return n
    sql = f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES ({', '.join('?' * len(columns))})"
    connection.ensure_connection()
    batch: list[list[Any]] = []
    # Only the columns whose values SQLite cannot take as they are (dates, booleans, JSON) are converted.
    convert: list[int] | None = None
    with connection.wrap_database_errors:
        for row in rows:
            if convert is None:
                convert = [i for i, f in enumerate(fields) if not isinstance(
                    meta.get_field(f), models.IntegerField | models.FloatField | models.CharField | models.TextField
                    | models.ForeignKey) or isinstance(meta.get_field(f), models.BooleanField)]
            values = list(row)
            for i in convert:
                values[i] = _sqlite_value(values[i])
            batch.append(values)
            if len(batch) >= 10_000:
                connection.connection.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            connection.connection.executemany(sql, batch)
            n += len(batch)
    return n
