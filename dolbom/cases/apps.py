from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "dolbom.cases"
    label = "cases"
    verbose_name = "통합사례관리"

    def ready(self) -> None:
        from dolbom.cases import metrics

        metrics.register()  # its indicators, for the reports app (lib/metrics.py)
        from dolbom.cases import scope

        scope.register()
        self._register_pages()

    def _register_pages(self) -> None:
        """The menu entries, the dashboard's caseload panels and the resident page's cases box: pages of
        lower apps (web, registry) that show cases without importing them."""
        from django.utils.translation import gettext_lazy as _

        from dolbom.accounts.models import Role
        from dolbom.accounts.scope import can_see_personal_data, role_of
        from dolbom.cases import views
        from dolbom.registry.panels import ResidentPanel, resident_panel_register
        from dolbom.web.dashboard import DashboardPanel, dashboard_panel_register
        from dolbom.web.nav import NavItem, nav_register

        nav_register(NavItem(url_name="cases:case_list", label=_("Cases"), visible=can_see_personal_data, order=20,
                             sections=("case_list",)))
        nav_register(NavItem(url_name="cases:city_settings", label=_("Settings"),
                             visible=lambda u: role_of(u) == Role.CITY_TEAM, order=95, sections=("city_settings",)))
        for panel in (
            DashboardPanel(key="my_cases", template="cases/_dashboard_my_cases.html", context=views.dashboard_my_cases,
                           visible=can_see_personal_data, order=10, slot="main"),
            DashboardPanel(key="case_counts", template="cases/_dashboard_counts.html", context=views.dashboard_counts,
                           visible=can_see_personal_data, order=20, slot="top"),
            DashboardPanel(key="follow_ups_overdue", template="cases/_dashboard_overdue.html",
                           context=views.dashboard_overdue, visible=can_see_personal_data, order=30, slot="side"),
        ):
            dashboard_panel_register(panel)
        resident_panel_register(ResidentPanel(key="cases", template="cases/_resident_cases.html",
                                              context=views.resident_cases_panel, order=10))
