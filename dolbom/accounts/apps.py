from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dolbom.accounts"
    label = "accounts"
    verbose_name = "직원 계정"
