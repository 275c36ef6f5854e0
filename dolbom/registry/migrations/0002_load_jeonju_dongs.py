from django.db import migrations


def load(apps, schema_editor):
    from dolbom.areas.dongs import load_dongs

    load_dongs(apps.get_model("registry", "Dong"), apps.get_model("registry", "BoundaryArea"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
