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
        from dolbom.web.notifications import NotificationSource, notification_source_register

        nav_register(NavItem(url_name="cases:case_list", label=_("Cases"), visible=can_see_personal_data, order=20,
                             sections=("case_list", "case_list_download", "case_detail", "case_purpose", "case_step",
                                       "plan_versions", "plan_print")))
        nav_register(NavItem(url_name="cases:city_settings", label=_("Settings"),
                             visible=lambda u: role_of(u) == Role.CITY_TEAM, order=95, sections=("city_settings",)))

        def works_cases(user: object) -> bool:
            return role_of(user) in (Role.DONG_OFFICER, Role.CASE_MANAGER)

        for panel in (
            DashboardPanel(key="my_cases", template="cases/_dashboard_my_cases.html", context=views.dashboard_my_cases,
                           visible=works_cases, order=10, slot="main"),
            DashboardPanel(key="cases_by_dong", template="cases/_dashboard_by_dong.html",
                           context=views.dashboard_by_dong, visible=lambda u: role_of(u) == Role.CITY_TEAM,
                           order=10, slot="main"),
            DashboardPanel(key="case_counts", template="cases/_dashboard_counts.html", context=views.dashboard_counts,
                           visible=can_see_personal_data, order=20, slot="top"),
            DashboardPanel(key="follow_ups_overdue", template="cases/_dashboard_overdue.html",
                           context=views.dashboard_overdue, visible=can_see_personal_data, order=30, slot="side"),
        ):
            dashboard_panel_register(panel)
        notification_source_register(NotificationSource(
            key="follow_ups_overdue", label=_("Follow-ups overdue"), count=views.overdue_follow_ups_count,
            url=views.overdue_follow_ups_url, visible=can_see_personal_data, order=20))
        resident_panel_register(ResidentPanel(key="cases", template="cases/_resident_cases.html",
                                              context=views.resident_cases_panel, order=10))
