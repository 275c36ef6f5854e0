import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0001_initial'),
        ('checkins', '0001_initial'),
    ]

    operations = [
        # State only: the tables and their foreign keys stay as they are (see areas 0001).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='alert',
                    name='dong',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.dong'),
                ),
                migrations.AlterField(
                    model_name='call',
                    name='dong',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.dong'),
                ),
                migrations.AlterField(
                    model_name='callbacktask',
                    name='dong',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.dong'),
                ),
                migrations.AlterField(
                    model_name='campaign',
                    name='dong',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.dong', verbose_name='dong'),
                ),
            ],
            database_operations=[],
        ),
    ]
