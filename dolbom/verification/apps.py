from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "dolbom.verification"
    label = "verification"
    verbose_name = "휴대전화 인증"

    def ready(self) -> None:
        from dolbom.verification import jobs

        jobs.register()
