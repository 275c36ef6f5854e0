from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running dolbom in production: the server, the scheduler, backups, key rotation, retention.

    At the top layer with the project (docs/ARCHITECTURE.md): backups, retention and key rotation touch every
    app's tables, and the server and the scheduler run every app."""

    name = "dolbom.ops"
    label = "ops"
    verbose_name = "운영"

    def ready(self) -> None:
        from dolbom.ops import jobs

        jobs.register()
