from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "dolbom.safety"
    label = "safety"
    verbose_name = "응급안전안심서비스"

    def ready(self) -> None:
        from dolbom.cases.models import event_types_register
        from dolbom.safety import jobs, scope
        from dolbom.safety.events import SafetyEventType

        scope.register()
        event_types_register(SafetyEventType)
        jobs.register()
