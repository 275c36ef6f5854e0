"""A faster restore of the serialized test database (serialized_rollback), with the same rows.

Every transactional test restores the database as migrations left it (dolbom/conftest.py): Django parses the
serialized JSON again each time and saves every row on its own (an UPDATE, then an INSERT where nothing was
updated), several thousand statements per test. Here the JSON is parsed once per connection, and a table
that the last test's flush left empty gets its rows back with one INSERT per batch of rows of a model (the
statement a raw save makes, for many rows). A table that still has rows (the first transactional test of a
run finds the database as migrations left it) takes Django's row-by-row save, as before. Same rows, same primary keys, same many-to-many links, the same constraint check at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

from django.core import serializers
from django.db import models, transaction

# (the alias, a hash of the serialized text) -> [(model, rows, many-to-many data of each row)]
_parsed: dict[tuple[str, int], list[tuple[type[models.Model], list[models.Model], list[dict[str, Any]]]]] = {}


def _runs(alias: str, data: str) -> list[tuple[type[models.Model], list[models.Model], list[dict[str, Any]]]]:
    key = (alias, hash(data))
    if key not in _parsed:
        runs: list[tuple[type[models.Model], list[models.Model], list[dict[str, Any]]]] = []
        for obj in serializers.deserialize("json", StringIO(data), using=alias):
            model = type(obj.object)
            if not runs or runs[-1][0] is not model:
                runs.append((model, [], []))
            runs[-1][1].append(obj.object)
            runs[-1][2].append(dict(obj.m2m_data or {}))
        _parsed[key] = runs
    return _parsed[key]


def deserialize_db_from_string(creation: Any, data: str) -> None:
    """Drop-in for BaseDatabaseCreation.deserialize_db_from_string (Django 5.2)."""
    connection = creation.connection
    alias = connection.alias
    table_names = set()
    with transaction.atomic(using=alias):
        with connection.constraint_checks_disabled():
            for model, rows, m2m in _runs(alias, data):
                table_names.add(model._meta.db_table)
                manager = model._base_manager.using(alias)
                if not manager.exists():
                    # The INSERT that a raw save of each row would make (Model._save_table: the model's own table,
                    # its local fields, the values as serialized, auto_now ones included), a batch at a time.
                    fields = model._meta.local_concrete_fields
                    size = max(connection.ops.bulk_batch_size(fields, rows), 1)
                    for start in range(0, len(rows), size):
                        manager._insert(rows[start:start + size], fields=fields, raw=True, using=alias)
                    for row in rows:
                        row._state.adding, row._state.db = False, alias
                else:
                    for row in rows:
                        models.Model.save_base(row, using=alias, raw=True)
                for row, links in zip(rows, m2m, strict=True):
                    for accessor, values in links.items():
                        getattr(row, accessor).set(values)
        # As Django does: the keys checked once the rows are all in (checks were off while loading).
        connection.check_constraints(table_names=table_names)


def install(connection: Any) -> Callable[[], None]:
    """Restore through this module on every connection of ``connection``'s backend (a browser test's thread
    context has a connection object of its own). Returns the function that puts Django's back."""
    cls = type(connection.creation)
    original = cls.__dict__.get("deserialize_db_from_string")

    def fast(self: Any, data: str) -> None:
        deserialize_db_from_string(self, data)

    cls.deserialize_db_from_string = fast

    def undo() -> None:
        if original is None:
            del cls.deserialize_db_from_string
        else:
            cls.deserialize_db_from_string = original

    return undo
