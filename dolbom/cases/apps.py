from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "dolbom.cases"
    label = "cases"
    verbose_name = "통합사례관리"
