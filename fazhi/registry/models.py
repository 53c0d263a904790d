"""The two databases (两库): regulated entities (对象库) and officers (人员库)."""

from __future__ import annotations

import datetime
import hashlib
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.models import Attachment, OrgUnit, User
from fazhi.registry import workflow
from fazhi.registry.choices import (
    ChangeKind,
    CreditClass,
    EntityKind,
    EntityScale,
    EntityStatus,
    ExportFormat,
    ExportStatus,
    ImportKind,
    ImportStatus,
    RiskLevel,
    RuleCode,
    StandardizationLevel,
)
from fazhi.registry.pool_line import PoolLine, StoredGeneratedField

MAX_CATEGORY_BIT = 62


def normalize_text(value: str) -> str:
    """Fold full-width forms and drop all spaces (for duplicate matching)."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def dedupe_key(name: str, address: str) -> str:
    """Return the 16-hex-digit key two records share when name and address match."""
    return dedupe_hash(normalize_text(name + "|" + address))


def dedupe_hash(normalized: str | bytes) -> str:
    """The key of a name and address already in ``normalize_text`` form."""
    data = normalized if type(normalized) is bytes else normalized.encode()  # type: ignore[union-attr]
    return hashlib.blake2b(data, digest_size=8).hexdigest()


class RegistryRule(models.Model):
    """Rule data for the registry (e.g. 行政处罚法 Art. 42: at least 2 officers).

    Values are versioned by ``effective_from``/``effective_to`` and carry
    their source; unverified defaults are flagged in the UI.
    """

    code = models.CharField(_("rule"), max_length=40, choices=RuleCode.choices)
    value = models.PositiveIntegerField(_("value"))
    source = models.CharField(_("source"), max_length=255)
    verified = models.BooleanField(
        _("verified"), default=True, help_text=_("Unverified defaults are flagged in the UI.")
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("registry rule")
        verbose_name_plural = _("registry rules")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="registryrule_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()}: {self.value}"

    def clean(self) -> None:
        if self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": _("The end date is before the start date.")})

    def in_force_on(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class RegulatoryCategory(models.Model):
    """监管类别 — e.g. 危险化学品经营, 烟花爆竹, 非煤矿山 (a code table).

    An entity's categories are stored as bits of ``Entity.category_bits``;
    ``bit`` is this category's position and is never reused.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    bit = models.PositiveSmallIntegerField(_("bit"), unique=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("regulatory category")
        verbose_name_plural = _("regulatory categories")
        ordering = ["sort_order", "bit"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.bit > MAX_CATEGORY_BIT:
            raise ValidationError(
                {"bit": _("At most %(n)d categories are supported.") % {"n": MAX_CATEGORY_BIT + 1}}
            )

    @property
    def mask(self) -> int:
        return 1 << self.bit


class ImportJob(models.Model):
    """导入任务 — one uploaded file: checked first, imported only when asked.

    Progress (``processed_rows`` of ``total_rows``) is written as the
    background task runs, so the page and the command line can show it.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("default unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Rows that name no unit are filed under this one."),
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attachment = models.ForeignKey(
        Attachment,
        verbose_name=_("file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_path = models.CharField(_("local file"), max_length=500, blank=True)
    source_name = models.CharField(_("file name"), max_length=255)
    source_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    valid_only = models.BooleanField(
        _("import valid rows at once"),
        default=False,
        help_text=_("Import the valid rows as soon as the check ends, skipping the bad ones."),
    )
    import_if_clean = models.BooleanField(
        _("import at once if clean"),
        default=False,
        help_text=_(
            "Import as soon as the check ends if no row is bad; otherwise import nothing "
            "(the command line's default)."
        ),
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    new_rows = models.PositiveIntegerField(_("new"), default=0)
    changed_rows = models.PositiveIntegerField(_("changed"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("unchanged"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    report = models.FileField(_("error report"), upload_to="registry/reports/", blank=True)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(
        _("worker"),
        max_length=100,
        blank=True,
        help_text=_("host:process of the worker running it"),
    )
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source_name}"

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.DONE, ImportStatus.VALIDATED):
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def running(self) -> bool:
        return self.status in workflow.RUNNING | workflow.WAITING


class ExportJob(models.Model):
    """导出任务 — the entity list (as filtered) written to a file in the background.

    The file is stored only once it is whole (``file`` is set in the same
    update that marks the job done), so a worker that dies mid-export leaves
    a job that can be run again, never half a file offered for download.
    The export runs as the user who asked, with the filters they chose.
    """

    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    written_rows = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="registry/exports/", blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(
        _("worker"),
        max_length=100,
        blank=True,
        help_text=_("host:process of the worker running it"),
    )
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="registry_export_by_user")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.format}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.written_rows * 100 // self.total_rows)

    @property
    def running(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def expired(self) -> bool:
        """Done, but its file was deleted after ``EXPORT_KEEP_DAYS``."""
        return self.status == ExportStatus.DONE and not self.file

    @property
    def filename(self) -> str:
        return f"entities-{timezone.localtime(self.created_at):%Y%m%d-%H%M%S}.{self.format}"


class Entity(models.Model):
    """执法检查对象 — a regulated business or organization (对象库).

    ``supervising_agency`` decides who sees the entity: a county sees the
    entities its subtree supervises, the city sees all of its counties'.
    A merged duplicate keeps its row and history and points to the survivor
    through ``merged_into``; lists show live entities only.
    """

    uscc = models.CharField(_("unified social credit code"), max_length=18)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=EntityKind.choices)
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    region_code = models.CharField(_("region code"), max_length=6)
    address = models.CharField(_("address"), max_length=255)
    industry_section = models.CharField(_("industry section"), max_length=1, blank=True)
    industry_division = models.CharField(_("industry division"), max_length=2, blank=True)
    scale = models.CharField(_("scale"), max_length=10, choices=EntityScale.choices, blank=True)
    category_bits = models.BigIntegerField(_("regulatory categories"), default=0)
    key_supervision = models.BooleanField(_("key supervision"), default=False)
    standardization_level = models.CharField(
        _("safety standardization"),
        max_length=12,
        choices=StandardizationLevel.choices,
        blank=True,
    )
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    credit_class = models.CharField(
        _("credit class"), max_length=1, choices=CreditClass.choices, blank=True
    )
    status = models.CharField(
        _("registration status"),
        max_length=10,
        choices=EntityStatus.choices,
        default=EntityStatus.ACTIVE,
    )
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    supervising_agency = models.ForeignKey(
        OrgUnit,
        verbose_name=_("supervising agency"),
        on_delete=models.PROTECT,
        related_name="supervised_entities",
        db_index=False,  # covered by the (supervising_agency, id) index
    )
    dedupe_key = models.CharField(max_length=16, editable=False, default="")
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_entities",
        db_index=False,  # partial index below: almost every row is NULL
    )
    merged_at = models.DateTimeField(_("merged at"), null=True, blank=True)
    # The entity's line of a draw pool, kept by the database (decision 0029).
    pool_line = StoredGeneratedField(
        expression=PoolLine(), output_field=models.TextField(), db_persist=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # Provenance only, without a database constraint: PostgreSQL checks a
    # foreign key per inserted row at commit, and on a million-row import
    # those checks cost more than the insert itself.
    created_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    source_job = models.ForeignKey(
        ImportJob,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    # Fields an import or an edit may set, in the order of the import template.
    DATA_FIELDS = (
        "uscc",
        "name",
        "kind",
        "legal_representative",
        "region_code",
        "address",
        "industry_section",
        "industry_division",
        "scale",
        "category_bits",
        "key_supervision",
        "standardization_level",
        "risk_level",
        "credit_class",
        "status",
        "contact_phone",
        "supervising_agency",
    )

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["-id"]
        permissions = [("merge_entity", "Can merge duplicate entities")]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                condition=Q(merged_into__isnull=True),
                name="registry_entity_live_uscc",
                violation_error_message=_(
                    "An entity with this credit code is already registered."
                ),
            )
        ]
        indexes = [
            models.Index(fields=["supervising_agency", "id"], name="registry_entity_agency_id"),
            models.Index(fields=["region_code", "id"], name="registry_entity_region_id"),
            # Name-and-address duplicates: checked on every create and import.
            models.Index(
                fields=["dedupe_key"],
                condition=Q(merged_into__isnull=True),
                name="registry_entity_dedupe",
            ),
            models.Index(
                fields=["merged_into"],
                condition=Q(merged_into__isnull=False),
                name="registry_entity_merged",
            ),
            # Key-supervision entities (重点监管, a few in a hundred) of an
            # agency, by risk: the list's most used filter, found without
            # reading the agency's other entities (issue 15, migration 0018).
            models.Index(
                fields=["supervising_agency", "risk_level", "id"],
                condition=Q(key_supervision=True, merged_into__isnull=True),
                name="registry_entity_key_agency",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.dedupe_key = dedupe_key(self.name, self.address)
        super().save(*args, **kwargs)

    @property
    def is_live(self) -> bool:
        return self.merged_into_id is None


class EntityChange(models.Model):
    """变更记录 — who changed what on an entity, field by field.

    ``diff`` maps a field name to ``[old, new]``. An entity created by an
    import has no "created" row: its creation is its ``source_job``.
    """

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("kind"), max_length=12, choices=ChangeKind.choices)
    changed_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=150)
    job = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    other = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    diff = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("entity change")
        verbose_name_plural = _("entity changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["entity", "-changed_at"], name="registry_change_entity")]

    def __str__(self) -> str:
        return f"{self.entity_id} {self.kind} {self.changed_at:%Y-%m-%d}"


class EntityStaging(models.Model):
    """A checked import row waiting to be applied (UNLOGGED on PostgreSQL).

    ``supervising_agency_id`` is NULL when the file named no agency: a new
    entity then goes to the job's unit and an existing one keeps its own.
    """

    pk = models.CompositePrimaryKey("job_id", "row_no")
    job_id = models.BigIntegerField()
    row_no = models.IntegerField()
    uscc = models.CharField(max_length=18)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    legal_representative = models.CharField(max_length=60)
    region_code = models.CharField(max_length=6)
    address = models.CharField(max_length=255)
    industry_section = models.CharField(max_length=1)
    industry_division = models.CharField(max_length=2)
    scale = models.CharField(max_length=10)
    category_bits = models.BigIntegerField()
    key_supervision = models.BooleanField()
    standardization_level = models.CharField(max_length=12)
    risk_level = models.CharField(max_length=10)
    credit_class = models.CharField(max_length=1)
    status = models.CharField(max_length=10)
    contact_phone = models.CharField(max_length=30)
    supervising_agency_id = models.BigIntegerField(null=True)
    dedupe_key = models.CharField(max_length=16)

    class Meta:
        verbose_name = _("entity staging row")
        verbose_name_plural = _("entity staging rows")

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_no} {self.uscc}"


class OfficerStaging(models.Model):
    """A checked officer row waiting to be applied."""

    pk = models.CompositePrimaryKey("job_id", "row_no")
    job_id = models.BigIntegerField()
    row_no = models.IntegerField()
    full_name = models.CharField(max_length=60)
    citizen_id = models.CharField(max_length=18)
    unit_id = models.BigIntegerField(null=True)
    external_agency_id = models.BigIntegerField(null=True)
    position = models.CharField(max_length=60)
    phone = models.CharField(max_length=30)
    domains = models.CharField(max_length=300)
    legal_qualification = models.BooleanField()
    legal_qualification_number = models.CharField(max_length=40)
    cert_number = models.CharField(max_length=40)
    cert_issuer = models.CharField(max_length=120)
    cert_valid_from = models.DateField(null=True)
    cert_valid_to = models.DateField(null=True)

    class Meta:
        verbose_name = _("officer staging row")
        verbose_name_plural = _("officer staging rows")

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_no} {self.full_name}"


from fazhi.registry.duplicates import DuplicateKey  # noqa: E402 - models of this app
from fazhi.registry.officer_models import (  # noqa: E402
    ConflictOfInterest,
    EnforcementCertificate,
    ExternalAgency,
    Officer,
    OfficerTraining,
)
from fazhi.registry.value_maps import ImportValueMap  # noqa: E402

__all__ = [
    "ConflictOfInterest",
    "DuplicateKey",
    "EnforcementCertificate",
    "ExternalAgency",
    "ImportValueMap",
    "Officer",
    "OfficerTraining",
]
