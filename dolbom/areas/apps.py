from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "dolbom.areas"
    label = "areas"
    verbose_name = "행정구역"
