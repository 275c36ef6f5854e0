"""The shipped checklist (version 1) and ATP instruments with their limits (dolbom/inspections/data/)."""

from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from dolbom.inspections.catalogue import shipped, write_instruments, write_template

    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    if not Template.objects.filter(code="welfare-kitchen", version=1).exists():
        write_template(Template, Item, shipped("checklist_v1.json"), published_at=timezone.now())
    write_instruments(apps.get_model("inspections", "Instrument"), apps.get_model("inspections", "AtpThreshold"),
                      shipped("instruments.json"))


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
