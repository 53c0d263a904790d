"""The audit verbs of the registry (entities, officers, agencies, imports), with labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class Verb(models.TextChoices):
    ENTITY_CREATE = "registry.entity.create", gettext_lazy("Added an entity")
    ENTITY_UPDATE = "registry.entity.update", gettext_lazy("Changed an entity")
    ENTITY_MERGE = "registry.entity.merge", gettext_lazy("Merged duplicate entities")
    ENTITY_IMPORT = "registry.entity.import", gettext_lazy("Imported an entity list")
    OFFICER_CREATE = "registry.officer.create", gettext_lazy("Added an officer")
    OFFICER_UPDATE = "registry.officer.update", gettext_lazy("Changed an officer")
    OFFICER_TRAINING = "registry.officer.training", gettext_lazy("Recorded training hours")
    OFFICER_IMPORT = "registry.officer.import", gettext_lazy("Imported an officer list")
    CERTIFICATE_ISSUE = (
        "registry.certificate.issue",
        gettext_lazy("Recorded an enforcement certificate"),
    )
    CERTIFICATE_UPDATE = (
        "registry.certificate.update",
        gettext_lazy("Changed an enforcement certificate"),
    )
    CERTIFICATE_STATUS = (
        "registry.certificate.status",
        gettext_lazy("Changed a certificate's status"),
    )
    CONFLICT_RECORD = "registry.conflict.record", gettext_lazy("Recorded a conflict of interest")
    CONFLICT_END = "registry.conflict.end", gettext_lazy("Ended a conflict of interest")
    AGENCY_CREATE = "registry.externalagency.create", gettext_lazy("Added an external agency")
    AGENCY_UPDATE = "registry.externalagency.update", gettext_lazy("Changed an external agency")
    RULE_SAVE = "registry.registryrule.save", gettext_lazy("Saved a registry rule")
    IMPORT_CREATE = "registry.importjob.create", gettext_lazy("Uploaded a file to import")
    IMPORT_CONFIRM = "registry.importjob.confirm", gettext_lazy("Confirmed an import")
    IMPORT_DISCARD = "registry.importjob.discard", gettext_lazy("Discarded an import")
    IMPORT_FAIL = "registry.importjob.fail", gettext_lazy("An import failed")
    IMPORT_VALUES_MAP = "registry.importjob.values_map", gettext_lazy("Mapped an import's values")
    EXPORT_CREATE = "registry.exportjob.create", gettext_lazy("Started an export")
    EXPORT_RERUN = "registry.exportjob.rerun", gettext_lazy("Ran an export again")
    EXPORT_DONE = "registry.exportjob.done", gettext_lazy("Finished an export")
    EXPORT_EXPIRE = "registry.exportjob.expire", gettext_lazy("Deleted an old export's file")


LEGACY = {
    "entity.create": Verb.ENTITY_CREATE,
    "entity.update": Verb.ENTITY_UPDATE,
    "entity.merge": Verb.ENTITY_MERGE,
    "entity.import": Verb.ENTITY_IMPORT,
    "officer.create": Verb.OFFICER_CREATE,
    "officer.update": Verb.OFFICER_UPDATE,
    "officer.training": Verb.OFFICER_TRAINING,
    "officer.import": Verb.OFFICER_IMPORT,
    "certificate.issue": Verb.CERTIFICATE_ISSUE,
    "certificate.update": Verb.CERTIFICATE_UPDATE,
    "certificate.status": Verb.CERTIFICATE_STATUS,
    "conflict.record": Verb.CONFLICT_RECORD,
    "conflict.end": Verb.CONFLICT_END,
    "external_agency.create": Verb.AGENCY_CREATE,
    "external_agency.update": Verb.AGENCY_UPDATE,
    "registry_rule.save": Verb.RULE_SAVE,
    "import.create": Verb.IMPORT_CREATE,
    "import.confirm": Verb.IMPORT_CONFIRM,
    "import.discard": Verb.IMPORT_DISCARD,
    "import.fail": Verb.IMPORT_FAIL,
    "import.values_map": Verb.IMPORT_VALUES_MAP,
}
