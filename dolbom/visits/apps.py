from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "dolbom.visits"
    label = "visits"
    verbose_name = "방문"
