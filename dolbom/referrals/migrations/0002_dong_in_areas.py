from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0001_initial'),
        ('referrals', '0001_initial'),
    ]

    operations = [
        # State only: the tables and their foreign keys stay as they are (see areas 0001).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='institution',
                    name='dongs',
                    field=models.ManyToManyField(blank=True, related_name='+', to='areas.dong', verbose_name='dongs served'),
                ),
                migrations.AlterField(
                    model_name='service',
                    name='dongs',
                    field=models.ManyToManyField(blank=True, related_name='+', to='areas.dong', verbose_name='dongs served'),
                ),
            ],
            database_operations=[],
        ),
    ]
