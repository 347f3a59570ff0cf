from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "kenes.proposals"
    label = "proposals"
