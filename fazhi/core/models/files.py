"""Stored files and attachments, 文书 templates and the documents rendered from them."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from fazhi.core.choices import AttachmentRole
from fazhi.core.models.accounts import User
from fazhi.core.models.orgs import OrgUnit


class Blob(models.Model):
    """A stored file, addressed by its SHA-256; shared by identical uploads."""

    sha256 = models.CharField(max_length=64, unique=True)
    sm3 = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100)
    storage_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stored file content")
        verbose_name_plural = _("stored file contents")

    def __str__(self) -> str:
        return self.sha256


class Attachment(models.Model):
    """证据 / 附件 — an uploaded file in the context of an org unit."""

    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="attachments")
    original_name = models.CharField(_("file name"), max_length=255)
    role = models.CharField(
        _("role"), max_length=20, choices=AttachmentRole.choices, default=AttachmentRole.OTHER
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class DocumentTemplate(models.Model):
    """文书模板 — one version of a Word template, rendered with docxtpl.

    Versions are never edited: an administrator downloads the active version,
    edits it in Word and uploads it as the next version. Templates are small
    and few, so their bytes live in the database with their hash.
    """

    code = models.CharField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=100)
    content = models.BinaryField(_("file"))
    sha256 = models.CharField(max_length=64)
    variables = models.JSONField(_("variables"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="doctemplate_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Document(models.Model):
    """文书 — a rendered, numbered and hashed document about one object."""

    template = models.ForeignKey(
        DocumentTemplate, verbose_name=_("template"), on_delete=models.PROTECT
    )
    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(_("document number"), max_length=160, blank=True)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=40)
    attachment = models.ForeignKey(
        Attachment, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.title} {self.number}".strip()
