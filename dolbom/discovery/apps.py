from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "dolbom.discovery"
    label = "discovery"
    verbose_name = "위기가구 발굴"
