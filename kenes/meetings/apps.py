from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "kenes.meetings"
    label = "meetings"
