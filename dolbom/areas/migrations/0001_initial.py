"""Dongs and boundary areas move from the registry app to their own app, keeping their tables.

State only: the tables registry_dong and registry_boundaryarea (and every foreign key to them) stay
as they are, so an existing database keeps its rows and no data is copied.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("registry", "0003_consent_recipient_code")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Dong',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.SlugField(max_length=40, unique=True)),
                        ('name', models.CharField(max_length=30, verbose_name='name')),
                        ('gu', models.CharField(max_length=20, verbose_name='district')),
                        ('mois_code', models.CharField(blank=True, max_length=10)),
                        ('mois_code_before_2024', models.CharField(blank=True, max_length=10)),
                        ('kostat_code', models.CharField(blank=True, max_length=7)),
                        ('valid_from', models.DateField()),
                        ('valid_to', models.DateField(blank=True, null=True)),
                        ('centroid_lon', models.FloatField()),
                        ('centroid_lat', models.FloatField()),
                        ('area_km2', models.FloatField()),
                        ('successor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='predecessors', to='areas.dong')),
                    ],
                    options={
                        'verbose_name': 'dong',
                        'ordering': ['gu', 'name', 'valid_from'],
                        'db_table': 'registry_dong',
                    },
                ),
                migrations.CreateModel(
                    name='BoundaryArea',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kostat_code', models.CharField(max_length=7, unique=True)),
                        ('name', models.CharField(max_length=30)),
                        ('original_dong', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='areas', to='areas.dong')),
                    ],
                    options={'db_table': 'registry_boundaryarea'},
                ),
            ],
            database_operations=[],
        ),
    ]
