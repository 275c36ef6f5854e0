from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "dolbom.web"
    label = "web"
    verbose_name = "웹 화면"

    def ready(self) -> None:
        # The sign-in time that the absolute session limit counts from (web/security.py).
        from django.contrib.auth.signals import user_logged_in

        from dolbom.web.security import remember_sign_in

        user_logged_in.connect(remember_sign_in, dispatch_uid="dolbom.web.remember_sign_in")
