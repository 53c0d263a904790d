"""The hash-chained audit log."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.models.accounts import User
from fazhi.core.models.orgs import OrgUnit


class AuditEvent(models.Model):
    """审计日志 — one state change, chained to the previous event by hash."""

    seq = models.BigIntegerField(_("sequence"), unique=True, editable=False)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL
    )
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    verb = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    before_digest = models.CharField(max_length=64, blank=True)
    after_digest = models.CharField(max_length=64, blank=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    algorithm = models.CharField(_("hash algorithm"), max_length=10)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.object_repr}"


class AuditChainHead(models.Model):
    """The single row that serializes appends and remembers the chain's tip."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash}"
