from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "kenes.indicators"
    label = "indicators"
