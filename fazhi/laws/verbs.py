"""The audit verbs of the law library, with labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class Verb(models.TextChoices):
    LAW_IMPORT = "laws.law.import", gettext_lazy("Imported a law text")
    LAW_UPDATE = "laws.law.update", gettext_lazy("Changed a law")
    LAW_SUPERSEDE = "laws.law.supersede", gettext_lazy("Replaced a law by a new version")
    LAW_REPEAL = "laws.law.repeal", gettext_lazy("Recorded a law as repealed")
    LAW_HEADINGS = "laws.law.headings_correct", gettext_lazy("Corrected a law's headings")
    COMPILATION_CREATE = "laws.compilation.create", gettext_lazy("Created a compilation")
    TERM_CREATE = "laws.lawterm.create", gettext_lazy("Added a legal term")
    TERM_UPDATE = "laws.lawterm.update", gettext_lazy("Changed a legal term")
    TERM_DELETE = "laws.lawterm.delete", gettext_lazy("Deleted a legal term")


LEGACY = {
    "laws.law_import": Verb.LAW_IMPORT,
    "laws.law_update": Verb.LAW_UPDATE,
    "laws.law_supersede": Verb.LAW_SUPERSEDE,
    "laws.law_repeal": Verb.LAW_REPEAL,
    "laws.law_headings_correct": Verb.LAW_HEADINGS,
    "laws.compilation_create": Verb.COMPILATION_CREATE,
    "laws.term_create": Verb.TERM_CREATE,
    "laws.term_update": Verb.TERM_UPDATE,
    "laws.term_delete": Verb.TERM_DELETE,
}
