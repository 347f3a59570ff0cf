from django.apps import AppConfig


class RelocationConfig(AppConfig):
    name = "kenes.relocation"
    label = "relocation"
