from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_dong_in_areas'),
        ('cases', '0003_dong_in_areas'),
        ('checkins', '0002_dong_in_areas'),
        ('discovery', '0002_dong_in_areas'),
        ('meetings', '0002_dong_in_areas'),
        ('referrals', '0002_dong_in_areas'),
        ('registry', '0004_dong_in_areas'),
        ('visits', '0002_dong_in_areas'),
    ]

    operations = [
        # State only: the tables and their foreign keys stay as they are (see areas 0001).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='Dong',
                ),
            ],
            database_operations=[],
        ),
    ]
