from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "dolbom.registry"
    label = "registry"
    verbose_name = "주민 등록부"
