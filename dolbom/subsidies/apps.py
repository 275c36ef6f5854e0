from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "dolbom.subsidies"
    label = "subsidies"
    verbose_name = "지원사업"

    def ready(self) -> None:
        from dolbom.cases.models import event_types_register
        from dolbom.subsidies import jobs, metrics, panels
        from dolbom.subsidies.events import SubsidyEventType
        from dolbom.subsidies.selectors import can_see_programmes

        event_types_register(SubsidyEventType)
        jobs.register()
        metrics.register()
        panels.register()
        from dolbom.web.nav import NavItem, nav_register

        nav_register(NavItem(url_name="subsidies:programme_list", label=_("Subsidies"), visible=can_see_programmes,
                             order=60, sections=("programme_list", "programme_detail", "rules", "application_list",
                                                 "application_detail", "application_new", "selection",
                                                 "suggestion_list")))

