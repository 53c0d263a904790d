from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fazhi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from fazhi.core import signals  # noqa: F401  (connects login auditing)
        from fazhi.core.collation import sqlite_collation
        from fazhi.core.documents import document_templates_load
        from fazhi.core.numbering import number_patterns_load
        from fazhi.core.roles import ensure_roles

        connection_created.connect(sqlite_collation, dispatch_uid="fazhi_pinyin")
        post_migrate.connect(ensure_roles, dispatch_uid="fazhi_ensure_roles")
        post_migrate.connect(number_patterns_load, sender=self, dispatch_uid="fazhi_numbering")
        post_migrate.connect(
            document_templates_load, sender=self, dispatch_uid="fazhi_doc_templates"
        )
