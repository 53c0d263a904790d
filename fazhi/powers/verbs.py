"""The audit verbs of the power catalogs (权责清单), with labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class Verb(models.TextChoices):
    CATALOG_CREATE = "powers.powercatalog.create", gettext_lazy("Created a power catalog")
    CATALOG_IMPORT = "powers.powercatalog.import", gettext_lazy("Imported a power catalog")
    CATALOG_PUBLISH = "powers.powercatalog.publish", gettext_lazy("Published a power catalog")
    ITEM_CREATE = "powers.poweritem.create", gettext_lazy("Added a power item")
    ITEM_UPDATE = "powers.poweritem.update", gettext_lazy("Changed a power item")
    ITEM_REMOVE = "powers.poweritem.remove", gettext_lazy("Removed a power item")
    TEMPLATE_DERIVE = (
        "powers.catalogtemplate.derive",
        gettext_lazy("Made a catalog template from a catalog"),
    )
    TEMPLATE_ADOPT = "powers.catalogtemplate.adopt", gettext_lazy("Adopted a catalog template")


LEGACY = {
    "powers.catalog_create": Verb.CATALOG_CREATE,
    "powers.catalog_import": Verb.CATALOG_IMPORT,
    "powers.catalog_publish": Verb.CATALOG_PUBLISH,
    "powers.item_create": Verb.ITEM_CREATE,
    "powers.item_update": Verb.ITEM_UPDATE,
    "powers.item_remove": Verb.ITEM_REMOVE,
    "powers.template_derive": Verb.TEMPLATE_DERIVE,
    "powers.template_adopt": Verb.TEMPLATE_ADOPT,
}
