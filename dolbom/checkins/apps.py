from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "dolbom.checkins"
    label = "checkins"
    verbose_name = "안부 확인 전화"
