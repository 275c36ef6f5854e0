from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_dongs_moved_to_areas"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RegistryChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("registered", "Registered"),
                                                   ("details", "Contact and target groups changed"),
                                                   ("address", "Address changed")],
                                          max_length=20, verbose_name="change")),
                ("changes", models.JSONField(default=dict)),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                ("at", models.DateTimeField(db_index=True)),
                ("actor", models.ForeignKey(on_delete=models.deletion.PROTECT, related_name="+",
                                            to=settings.AUTH_USER_MODEL)),
                ("household", models.ForeignKey(blank=True, null=True, on_delete=models.deletion.PROTECT,
                                                related_name="changes", to="registry.household")),
                ("resident", models.ForeignKey(blank=True, null=True, on_delete=models.deletion.PROTECT,
                                               related_name="changes", to="registry.resident")),
            ],
            options={"ordering": ["-at", "-pk"], "verbose_name": "registry change"},
        ),
    ]
