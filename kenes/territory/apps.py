from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "kenes.territory"
    label = "territory"
