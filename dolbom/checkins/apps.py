from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "dolbom.checkins"
    label = "checkins"
    verbose_name = "안부 확인 전화"

    def ready(self) -> None:
        from dolbom.checkins import metrics

        metrics.register()  # its indicators, for the reports app (lib/metrics.py)
        from django.utils.translation import gettext_lazy as _

        from dolbom.accounts.scope import can_see_personal_data
        from dolbom.checkins import jobs
        from dolbom.web.nav import NavItem, nav_register

        jobs.register()

        nav_register(NavItem(url_name="checkins:alerts", label=_("Check-in calls"), visible=can_see_personal_data,
                             order=40, sections=("alerts", "enrolments", "enrolment", "call", "callbacks",
                                                 "campaigns", "checkin_dashboard")))
