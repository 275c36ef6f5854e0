from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "dolbom.meetings"
    label = "meetings"
    verbose_name = "통합지원회의·협의체"
