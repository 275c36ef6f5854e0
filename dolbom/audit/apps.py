from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dolbom.audit"
    label = "audit"
    verbose_name = "개인정보 접속기록"
