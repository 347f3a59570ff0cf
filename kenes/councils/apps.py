from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "kenes.councils"
    label = "councils"
