from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "dolbom.registry"
    label = "registry"
    verbose_name = "주민 등록부"

    def ready(self) -> None:
        from dolbom.registry import metrics

        metrics.register()  # its indicators, for the reports app (lib/metrics.py)
        from django.utils.translation import gettext_lazy as _

        from dolbom.accounts.scope import can_see_personal_data
        from dolbom.web.nav import NavItem, nav_register

        nav_register(NavItem(url_name="registry:resident_search", label=_("Residents"),
                             visible=can_see_personal_data, order=10, sections=("resident_search",)))
