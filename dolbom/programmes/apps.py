from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "dolbom.programmes"
    label = "programmes"
    verbose_name = "프로그램·상담 신청"

    def ready(self) -> None:
        from dolbom.programmes import registrations

        registrations.register()
