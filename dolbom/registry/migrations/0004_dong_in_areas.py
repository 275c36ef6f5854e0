import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0001_initial'),
        ('registry', '0003_consent_recipient_code'),
    ]

    operations = [
        # State only: the tables and their foreign keys stay as they are (see areas 0001).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='household',
                    name='area',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.boundaryarea'),
                ),
                migrations.RemoveField(
                    model_name='dong',
                    name='successor',
                ),
                migrations.AlterField(
                    model_name='resident',
                    name='dong',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='residents', to='areas.dong', verbose_name='dong'),
                ),
                migrations.AlterField(
                    model_name='household',
                    name='dong',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='households', to='areas.dong', verbose_name='dong'),
                ),
                migrations.DeleteModel(
                    name='BoundaryArea',
                ),
            ],
            database_operations=[],
        ),
    ]
