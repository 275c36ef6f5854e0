from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """An app only so that its Korean error messages ship in its own ``locale/``; it has no models."""

    name = "dolbom.integrations.messaging"
    label = "messaging"
    verbose_name = "문자 발송"
