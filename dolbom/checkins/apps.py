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
        from dolbom.checkins import views
        from dolbom.web.dashboard import DashboardPanel, dashboard_panel_register
        from dolbom.web.notifications import NotificationSource, notification_source_register

        dashboard_panel_register(DashboardPanel(key="checkin_alerts", template="checkins/_dashboard_alerts.html",
                                                context=views.dashboard_alerts, visible=can_see_personal_data,
                                                order=15, slot="side"))
        # A new high alert rings the bell's tone (alarm): a fall or a self-harm signal cannot wait for a
        # page to be reloaded.
        notification_source_register(NotificationSource(
            key="checkin_high_alerts", label=_("High check-in alerts not yet acknowledged"),
            count=views.high_alerts_count, url="checkins:alerts?severity=high&status=open",
            visible=can_see_personal_data, alarm=True, order=10))
