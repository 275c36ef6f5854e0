from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "dolbom.referrals"
    label = "referrals"
    verbose_name = "서비스 연계"
