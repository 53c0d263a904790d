"""The keys of the duplicate groups, kept as entities change (issue 15).

The duplicates page grouped the whole entity table by ``dedupe_key`` on every
view (2.8 s at a million rows). Two live entities share a key only when a
user confirmed them as two (``allow_duplicate``) or they predate the check:
imports refuse a row whose name and address another entity has. So the keys
shared by two or more live entities are few, and are kept here: the services
that create, edit or merge an entity re-count the keys they touched. A key
whose group has since shrunk (an import renamed one of its entities) is
harmless: the page shows only groups that still have two live entities.
The counting is in ``dedupe``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DuplicateKey(models.Model):
    """A name-and-address key that two or more live entities share."""

    dedupe_key = models.CharField(_("duplicate key"), max_length=16, primary_key=True)

    class Meta:
        app_label = "registry"
        verbose_name = _("duplicate key")
        verbose_name_plural = _("duplicate keys")

    def __str__(self) -> str:
        return self.dedupe_key


REBUILD_SQL = (
    "INSERT INTO registry_duplicatekey (dedupe_key) SELECT dedupe_key FROM registry_entity "
    "WHERE merged_into_id IS NULL AND dedupe_key <> '' GROUP BY dedupe_key HAVING COUNT(*) > 1"
)
