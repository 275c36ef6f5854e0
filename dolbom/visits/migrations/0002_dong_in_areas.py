import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0001_initial'),
        ('visits', '0001_initial'),
    ]

    operations = [
        # State only: the tables and their foreign keys stay as they are (see areas 0001).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='worker',
                    name='base_dong',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.dong', verbose_name='dong office'),
                ),
            ],
            database_operations=[],
        ),
    ]
