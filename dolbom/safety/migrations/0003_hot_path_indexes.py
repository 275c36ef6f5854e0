"""The ingest's hot path writes fewer index entries: Event.device has no index (nothing reads events by device)
and Clock.due_at none either, so activity rewrites a clock row in place (see the models). On PostgreSQL the
clock table also leaves a third of each page free (fillfactor 70), room for those in-place rewrites."""

import django.db.models.deletion
from django.db import migrations, models


def _fillfactor(value: int):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE safety_clock SET (fillfactor = {value})")
    return run


class Migration(migrations.Migration):
    dependencies = [("safety", "0002_event_lean_keys")]

    operations = [
        migrations.AlterField(model_name="clock", name="due_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AlterField(
            model_name="event", name="device",
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+", to="safety.device")),
        migrations.RunPython(_fillfactor(70), _fillfactor(100)),
    ]
