from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kenes.accounts"
    label = "accounts"
