"""PostgreSQL: the gateway and device tables leave a third of each page free (fillfactor 70), as the clock's
do (0003). The ingest rewrites a gateway's last-seen time every minute and a device's first and last event
times; none of those columns is indexed, so with room on the page the rewrite stays in place (a HOT update)
instead of writing an entry into each of the table's indexes (eight on the device table). Measured with
bench/safety_profile.py at 20,000 homes: about a fifth of the devices' first-event rewrites were not HOT."""

from django.db import migrations

TABLES = ("safety_gateway", "safety_device")


def _set(value: int):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for name in TABLES:
                schema_editor.execute(f"ALTER TABLE {name} SET (fillfactor = {value})")
    return run


class Migration(migrations.Migration):
    dependencies = [("safety", "0003_hot_path_indexes")]

    operations = [migrations.RunPython(_set(70), _set(100))]
