"""全过程记录 models: evidence files attached to a case step, and case-file exports.

Imported by ``fazhi.cases.models`` so Django registers them with the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fazhi.cases.choices import CaseState


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    AUDIO = "audio", _("Audio recording")
    VIDEO = "video", _("Video (body camera)")
    DOCUMENT = "document", _("Document")


class CaseEvidence(models.Model):
    """证据 — a photo, recording or document attached to one step of a case.

    The file is stored once by its hash (core ``Attachment``/``Blob``); the
    hash taken at upload is kept here too, so a file whose bytes changed in
    storage is detected when it is downloaded or verified.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="evidence")
    attachment = models.ForeignKey(
        "core.Attachment", verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    step = models.CharField(_("case step"), max_length=20, choices=CaseState.choices)
    description = models.CharField(_("description"), max_length=255)
    recorded_on = models.DateField(_("recorded on"))
    sha256 = models.CharField(_("SHA-256 at upload"), max_length=64)
    size = models.BigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=150)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case evidence")
        verbose_name_plural = _("case evidence")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.description


class ArchiveState(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class CaseArchive(models.Model):
    """电子卷宗 — one export of a case file as a ZIP (made by a background task)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="archives")
    state = models.CharField(
        _("state"), max_length=10, choices=ArchiveState.choices, default=ArchiveState.PENDING
    )
    storage_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256 of the ZIP"), max_length=64, blank=True)
    manifest_sha256 = models.CharField(_("SHA-256 of the manifest"), max_length=64, blank=True)
    size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    files = models.PositiveIntegerField(_("files"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case file export")
        verbose_name_plural = _("case file exports")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.requested_at:%Y-%m-%d %H:%M}"
