from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "kenes.accountability"
    label = "accountability"
