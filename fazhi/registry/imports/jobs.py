"""The import job services: accept a file, confirm or discard a checked one.

The check and the import themselves run as background tasks (``tasks``,
``runner``); these services only record the user's choices.
"""

from __future__ import annotations

import hashlib
import os
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core import services as core_services
from fazhi.core.audit import audit_record
from fazhi.core.choices import AttachmentRole
from fazhi.core.errors import Conflict, DomainError, NotAllowed
from fazhi.core.models import Attachment, OrgUnit
from fazhi.core.selectors import unit_in_scope
from fazhi.registry import workflow
from fazhi.registry.choices import ImportKind
from fazhi.registry.imports import tasks
from fazhi.registry.models import EntityStaging, ImportJob, OfficerStaging
from fazhi.registry.permissions import IMPORT_PERMS


def _actor_user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "pk", None) else None


IMPORT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt")


def _file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _enqueue(task: Any, job_id: int) -> None:
    result = task.enqueue(job_id)
    ImportJob.objects.filter(pk=job_id, task_id="").update(task_id=str(result.id)[:64])


@policy.requires("registry.add_importjob")
@transaction.atomic
def import_job_create(
    *,
    actor: Any,
    kind: str,
    unit: OrgUnit,
    filename: str,
    upload: IO[bytes] | None = None,
    path: str | None = None,
    attachment: Attachment | None = None,
    valid_only: bool = False,
    import_if_clean: bool = False,
    run: bool = True,
) -> ImportJob:
    """Accept a file for import and queue its check; nothing is imported yet.

    After the check the job waits for the user's choice, unless it is to
    import the valid rows at once (``valid_only``) or, when no row is bad,
    all of them (``import_if_clean``; with a bad row nothing is imported).

    An upload is stored by its hash (the audit trail records it); a local
    ``path`` (command line) is read where it lies; an ``attachment`` already
    stored is checked again (after a value mapping). With ``run`` the check is
    queued as a background task once the transaction commits.
    """
    if kind not in ImportKind.values:
        raise DomainError(_("Unknown kind of import."), field="kind")
    policy.require_all(actor, *IMPORT_PERMS[kind])
    if not unit_in_scope(actor, unit):
        raise ValidationError({"unit": _("This unit is outside your scope.")})
    if not filename.lower().endswith(IMPORT_SUFFIXES):
        raise DomainError(_("Upload an Excel workbook (.xlsx, .xls) or a CSV file."), field="file")
    if attachment is not None:
        sha256 = attachment.blob.sha256
    elif upload is not None:
        attachment = core_services.attachment_store(
            actor=actor, upload=upload, name=filename, unit=unit, role=AttachmentRole.IMPORT
        )
        sha256 = attachment.blob.sha256
    elif path is not None:
        if not os.path.isfile(path):
            raise DomainError(_("No such file: %(path)s") % {"path": path}, field="file")
        sha256 = _file_sha256(path)
    else:
        raise DomainError(_("Choose a file."), field="file")
    job = ImportJob.objects.create(
        kind=kind,
        unit=unit,
        created_by=_actor_user(actor),
        attachment=attachment,
        source_path=os.path.abspath(path)
        if path and upload is None and attachment is None
        else "",
        source_name=os.path.basename(filename)[:255],
        source_sha256=sha256,
        valid_only=valid_only,
        import_if_clean=import_if_clean,
    )
    audit_record(
        actor=actor,
        verb="registry.importjob.create",
        obj=job,
        after={
            "kind": kind,
            "file": job.source_name,
            "sha256": sha256,
            "valid_only": valid_only,
            "import_if_clean": import_if_clean,
        },
        unit=unit,
    )
    if run:
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue(tasks.import_validate, job_id))
    return job


@policy.requires("registry.add_importjob")
@transaction.atomic
def import_job_confirm(*, actor: Any, job: ImportJob, run: bool = True) -> ImportJob:
    """Import the valid rows of a checked file (the user's explicit choice)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not unit_in_scope(actor, job.unit):
        raise NotAllowed(_("This import is outside your scope."))
    policy.require_all(actor, *IMPORT_PERMS[job.kind])
    if not workflow.allowed(job, "confirm"):
        raise Conflict(
            _("Only a checked file can be imported (this one is: %(s)s).")
            % {"s": job.get_status_display()}
        )
    if not job.valid_rows:
        raise Conflict(_("The file has no valid rows to import."))
    workflow.move(job, "confirm")
    audit_record(
        actor=actor,
        verb="registry.importjob.confirm",
        obj=job,
        after={"valid_rows": job.valid_rows},
        unit=job.unit,
    )
    if run:
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue(tasks.import_apply, job_id))
    return job


@policy.requires("registry.add_importjob")
@transaction.atomic
def import_job_discard(*, actor: Any, job: ImportJob) -> ImportJob:
    """Drop a checked file without importing anything."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not unit_in_scope(actor, job.unit):
        raise NotAllowed(_("This import is outside your scope."))
    policy.require_all(actor, *IMPORT_PERMS[job.kind])
    if not workflow.allowed(job, "discard"):
        raise Conflict(_("This import can no longer be discarded."))
    model = EntityStaging if job.kind == ImportKind.ENTITY else OfficerStaging
    model.objects.filter(job_id=job.pk).delete()
    workflow.move(job, "discard", finished_at=timezone.now())
    audit_record(actor=actor, verb="registry.importjob.discard", obj=job, unit=job.unit)
    return job
