from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "dolbom.reports"
    label = "reports"
    verbose_name = "통계·보고"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dolbom.reports import jobs
        from dolbom.reports.selectors import can_edit_plans, can_see_reports
        from dolbom.web.nav import NavItem, nav_register

        jobs.register()
        nav_register(NavItem(url_name="reports:city", label=_("Statistics"), visible=can_see_reports, order=80,
                             sections=("city", "dong", "indicator", "indicators", "map", "brief", "export")))
        nav_register(NavItem(url_name="reports:plans", label=_("Annual plan"), visible=can_edit_plans, order=81,
                             sections=("plans", "plan", "plan_edit", "plan_print")))
