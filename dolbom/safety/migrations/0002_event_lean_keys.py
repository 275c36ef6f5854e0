"""Event: no database foreign-key checks and no single-column indexes on gateway and home (see the model)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="event", name="gateway",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="safety.gateway")),
        migrations.AlterField(
            model_name="event", name="device",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+", to="safety.device")),
        migrations.AlterField(
            model_name="event", name="home",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="safety.home")),
    ]
