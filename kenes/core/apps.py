from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kenes.core"
    label = "core"
    verbose_name = "Kenes core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from kenes.core import page_cache

        connection_created.connect(page_cache.watch_writes, dispatch_uid="kenes.page_cache.watch_writes")
        pre_migrate.connect(page_cache.migration_started, dispatch_uid="kenes.page_cache.migration_started")
        post_migrate.connect(page_cache.migration_finished, dispatch_uid="kenes.page_cache.migration_finished")
