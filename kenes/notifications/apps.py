from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kenes.notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Subscribes the announcers to the events the other apps publish (kenes.core.events).
        from kenes.notifications import handlers

        handlers.register()
