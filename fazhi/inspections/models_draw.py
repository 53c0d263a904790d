"""The records of a draw: the frozen snapshot, background runs, selections, replacements.

What ``drawing.py`` and ``jobs.py`` write for a random-check task
(``InspectionTask`` in ``models.py``, which imports this module so that
Django registers these models with the app).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.models import User
from fazhi.inspections.choices import RunState, Sample, SelectionStatus
from fazhi.registry.models import Entity


class DrawSnapshot(models.Model):
    """The four committed texts of a task (docs/draw-algorithm.md §2), frozen."""

    task = models.OneToOneField(
        "inspections.InspectionTask",
        on_delete=models.CASCADE,
        related_name="snapshot",
        primary_key=True,
    )
    pool = models.BinaryField()
    officers = models.BinaryField()
    pairs = models.BinaryField()
    params = models.BinaryField()
    compressed = models.BooleanField(default=True)
    # The pool parsed (ids, strata, eligibility), so that the draw does not
    # read and parse the text again; empty for snapshots taken before.
    columns = models.BinaryField(default=b"", blank=True)

    class Meta:
        verbose_name = _("draw snapshot")

    def __str__(self) -> str:
        return f"snapshot {self.task_id}"


class TaskRun(models.Model):
    """A commitment or draw of a big pool, run in the background (jobs.py).

    A row of its own, so that its progress can be saved while the run's
    transaction holds the task locked.
    """

    task = models.ForeignKey(
        "inspections.InspectionTask", on_delete=models.CASCADE, related_name="runs"
    )
    step = models.CharField(_("step"), max_length=8)
    state = models.CharField(
        _("state"), max_length=8, choices=RunState.choices, default=RunState.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=16, blank=True)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("why the run failed"), blank=True)
    job_id = models.CharField(max_length=64, blank=True)
    queued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background run")
        ordering = ["-queued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.step} {self.state}"


class TaskSelection(models.Model):
    """One entity drawn by a task, with its team (the draw's output)."""

    # A draw writes tens of thousands of these at once. No index of their
    # own on task or replaces (the unique (task, entity) index serves lookups
    # by task), and no database-level foreign keys: on PostgreSQL each row's
    # deferred checks cost more at commit than the whole draw. The rows are
    # written from the frozen pool inside the locked task's transaction;
    # CASCADE and PROTECT are enforced by Django, and entities are merged,
    # never deleted (decision 0017).
    task = models.ForeignKey(
        "inspections.InspectionTask",
        on_delete=models.CASCADE,
        related_name="selections",
        db_index=False,
        db_constraint=False,
    )
    # No index by entity: entities are never deleted (merges keep their rows),
    # so only Django's PROTECT check on a delete would use it, and keeping it
    # cost a draw 0.15 s per million entities (decision 0029).
    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    rank = models.PositiveIntegerField(_("order"))
    stratum = models.CharField(_("stratum"), max_length=12)
    sample = models.CharField(_("sample"), max_length=8, choices=Sample.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SelectionStatus.choices,
        default=SelectionStatus.SELECTED,
    )
    team = models.JSONField(_("team"), default=list)
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("selected entity")
        verbose_name_plural = _("selected entities")
        ordering = ["task", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["task", "entity"], name="inspections_selection_once")
        ]

    def __str__(self) -> str:
        return f"{self.task_id}#{self.rank} {self.entity_id}"


class DrawReplacement(models.Model):
    """A replacement after the draw, recorded on the receipt (§8)."""

    task = models.ForeignKey(
        "inspections.InspectionTask", on_delete=models.CASCADE, related_name="replacements"
    )
    seq = models.PositiveIntegerField()
    event = models.JSONField()
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("draw replacement")
        ordering = ["task", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["task", "seq"], name="inspections_replacement_seq")
        ]

    def __str__(self) -> str:
        return f"{self.task_id}:{self.seq}"
