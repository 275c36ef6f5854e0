from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "dolbom.visits"
    label = "visits"
    verbose_name = "방문"

    def ready(self) -> None:
        from dolbom.visits import metrics

        metrics.register()  # its indicators, for the reports app (lib/metrics.py)
        from dolbom.visits import scope
        from dolbom.visits.selectors import can_do_visits, can_plan_visits

        scope.register()
        from dolbom.web.nav import NavItem, nav_register

        nav_register(NavItem(url_name="visits:plan", label=_("Visit routes"), visible=can_plan_visits, order=50,
                             sections=("plan", "plan_print")))
        nav_register(NavItem(url_name="visits:my_day", label=_("My visits"),
                             visible=can_do_visits, order=51,
                             sections=("my_day",)))
        from dolbom.visits.panels import dashboard_my_visits
        from dolbom.web.dashboard import DashboardPanel, dashboard_panel_register

        # A visiting worker (a nurse above all) starts the day from their route.
        dashboard_panel_register(DashboardPanel(key="my_visits", template="visits/_dashboard_visits.html",
                                                context=dashboard_my_visits, visible=can_do_visits, order=5,
                                                slot="main"))
