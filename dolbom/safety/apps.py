from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "dolbom.safety"
    label = "safety"
    verbose_name = "응급안전안심서비스"

    def ready(self) -> None:
        from dolbom.cases.models import event_types_register
        from dolbom.safety import jobs, metrics, scope
        from dolbom.safety.events import SafetyEventType

        scope.register()
        event_types_register(SafetyEventType)
        jobs.register()
        metrics.register()
        self._register_pages()

    def _register_pages(self) -> None:
        """The menu, the start page's counts, and the boxes on the resident and case pages."""
        from django.utils.translation import gettext_lazy as _

        from dolbom.cases.panels import CasePanel, case_panel_register
        from dolbom.registry.panels import ResidentPanel, resident_panel_register
        from dolbom.safety import views
        from dolbom.safety.selectors import can_use_safety
        from dolbom.web.dashboard import DashboardPanel, dashboard_panel_register
        from dolbom.web.nav import NavItem, nav_register

        nav_register(NavItem(url_name="safety:board", label=_("Emergency safety"), visible=can_use_safety, order=45,
                             sections=("board", "incident", "homes", "home", "install", "waiting", "tickets",
                                       "report", "settings")))
        dashboard_panel_register(DashboardPanel(key="safety", template="safety/_dashboard.html",
                                                context=views.dashboard_panel, visible=can_use_safety, order=15,
                                                slot="main"))
        resident_panel_register(ResidentPanel(key="safety", template="safety/_resident_panel.html",
                                              context=views.resident_panel, visible=can_use_safety, order=30))
        case_panel_register(CasePanel(key="safety", template="safety/_case_panel.html", context=views.case_panel,
                                      visible=can_use_safety, order=40))
