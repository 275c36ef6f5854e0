from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "dolbom.meetings"
    label = "meetings"
    verbose_name = "통합지원회의·협의체"

    def ready(self) -> None:
        from dolbom.meetings import metrics

        metrics.register()  # its indicators, for the reports app (lib/metrics.py)
        from dolbom.meetings.views import can_see_meetings
        from dolbom.web.nav import NavItem, nav_register

        nav_register(NavItem(url_name="meetings:meetings", label=_("Meetings"), visible=can_see_meetings, order=40,
                             sections=("meetings", "meeting_new", "meeting", "agenda_item", "councils", "council", "actions_overdue",
                                       "case_meetings")))
        from dolbom.cases.panels import CasePanel, case_panel_register

        case_panel_register(CasePanel(key="meetings", template="meetings/_case_facts.html",
                                      context=lambda request, case: {"case": case}, order=10, slot="facts"))
