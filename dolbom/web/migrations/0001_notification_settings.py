from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="NotificationSettings",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("mute_sound", models.BooleanField(default=False, verbose_name="mute the alert tone")),
                ("alert_phone", models.CharField(blank=True, max_length=20,
                                                 verbose_name="mobile number for urgent alerts")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("user", models.OneToOneField(on_delete=models.deletion.CASCADE,
                                              related_name="notification_settings", to=settings.AUTH_USER_MODEL)),
            ],
            options={"verbose_name": "notification settings"},
        ),
    ]
