from typing import Any

from django.apps import AppConfig
from django.core.signals import setting_changed
from django.utils.translation import gettext_lazy as _

ENGINE_SETTINGS = ("DOLBOM_COMPILED_TREES", "DOLBOM_CACHE_DIR", "DOLBOM_SPARK_MASTER", "DOLBOM_SPARK_DRIVER_MEMORY")


def engine_configure() -> None:
    """Hand the engine (no Django inside) its settings; again whenever a test overrides one of them."""
    from django.conf import settings

    from dolbom.discovery.engine import config

    config.configure(compiled_trees=settings.DOLBOM_COMPILED_TREES, cache_dir=settings.DOLBOM_CACHE_DIR,
                     spark_master=settings.DOLBOM_SPARK_MASTER, spark_driver_memory=settings.DOLBOM_SPARK_DRIVER_MEMORY)


def _setting_changed(*, setting: str, **_: Any) -> None:
    if setting in ENGINE_SETTINGS:
        engine_configure()


class DiscoveryConfig(AppConfig):
    name = "dolbom.discovery"
    label = "discovery"
    verbose_name = "위기가구 발굴"

    def ready(self) -> None:
        from dolbom.discovery import metrics

        metrics.register()  # its indicators, for the reports app (lib/metrics.py)
        engine_configure()
        setting_changed.connect(_setting_changed, dispatch_uid="discovery-engine-settings")
        from dolbom.discovery.selectors import can_see_lists
        from dolbom.web.nav import NavItem, nav_register

        nav_register(NavItem(url_name="discovery:cycles", label=_("Crisis discovery"), visible=can_see_lists,
                             order=60, sections=("cycles", "cycle", "visit_list", "entry", "referral", "objection",
                                                 "model_versions", "model_quality")))
