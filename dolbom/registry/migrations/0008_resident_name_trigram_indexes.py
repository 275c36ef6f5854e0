"""Trigram indexes for the name search (registry/selectors.py resident_search, SHORT_QUERY).

``name LIKE '%민수%'`` cannot use a B-tree: on a registry of a million people every search of three
letters or more read the whole table (2.4 s on the load bench, bench/load.py). pg_trgm's GIN indexes answer
a contains-match from the index, on the name and on its initial consonants. PostgreSQL only: SQLite has no
trigram index (its registries are the demo's few thousand people) and the operations do nothing there.
pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it without a superuser.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "registry_resident_name_trgm": "name",
    "registry_resident_initials_trgm": "name_initials",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}" ON "registry_resident" USING gin ("{column}" gin_trgm_ops)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_names_composed_nfc")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop),
    ]
