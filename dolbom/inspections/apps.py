from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "dolbom.inspections"
    label = "inspections"
    verbose_name = "위생점검"

    def ready(self) -> None:
        from dolbom.inspections import jobs, metrics
        from dolbom.inspections.panels import dashboard_panel, dashboard_visible
        from dolbom.inspections.selectors import can_see_inspections, is_inspector
        from dolbom.web.dashboard import DashboardPanel, dashboard_panel_register
        from dolbom.web.nav import NavItem, nav_register

        nav_register(NavItem(url_name="inspections:facility_list", label=_("Hygiene inspections"),
                             visible=can_see_inspections, order=60,
                             sections=("facility_list", "facility_detail", "facility_new", "facility_edit",
                                       "inspection_list", "inspection_detail", "action_list", "action_detail",
                                       "round_list", "round_report", "escalation_list", "checklist", "settings",
                                       "visit_plan")))
        nav_register(NavItem(url_name="inspections:field", label=_("Inspection tablet"), visible=is_inspector,
                             order=61, sections=("field",)))
        dashboard_panel_register(DashboardPanel(key="inspections", template="inspections/_dashboard.html",
                                                context=dashboard_panel, visible=dashboard_visible, order=60,
                                                slot="main"))
        jobs.register()
        metrics.register()
