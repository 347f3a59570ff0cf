from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "kenes.proposals"
    label = "proposals"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from kenes.proposals.search import repair_search_index_after_migrate

        # SQLite rebuilds a table when a later migration alters it, which drops the FTS triggers:
        # put them back after every migrate (a no-op on PostgreSQL and before 0002_search).
        post_migrate.connect(repair_search_index_after_migrate, sender=self)
