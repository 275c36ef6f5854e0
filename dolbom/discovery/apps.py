from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscoveryConfig(AppConfig):
    name = "dolbom.discovery"
    label = "discovery"
    verbose_name = "위기가구 발굴"

    def ready(self) -> None:
        from dolbom.discovery.selectors import can_see_lists
        from dolbom.web.nav import NavItem, nav_register

        nav_register(NavItem(url_name="discovery:cycles", label=_("Crisis discovery"), visible=can_see_lists,
                             order=60, sections=("cycles", "cycle", "visit_list", "entry", "referral", "objection",
                                                 "model_versions", "model_quality")))
