"""The access log's actor and resident lose their own indexes: (actor, at) and (resident, at) lead with them.

A row is written on every read of a person, so each index is a write more on the busiest insert there is.
SQLite alters a foreign key by rebuilding the table, which drops its triggers: the append-only guard of
0002 is put back after it there (PostgreSQL drops the index in place and keeps them).
"""

from importlib import import_module

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_guard = import_module("dolbom.audit.migrations.0002_append_only")


def guard_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _guard.down(apps, schema_editor)
        _guard.up(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_append_only"),
        ("registry", "0008_resident_name_trigram_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslog",
            name="actor",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="resident",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="registry.resident"),
        ),
        migrations.RunPython(guard_again, migrations.RunPython.noop),
    ]
