"""Commitments and draws of big pools run as background tasks, with progress.

``task_step_start`` is what the task page and the API call: a small pool
(up to ``FAZHI_DRAW_INLINE_MAX`` entities, 20,000 unless configured) is
committed or drawn at once; a bigger one is queued (``task_run``, the
``TASKS`` backend: a worker process in production) and the page shows a
progress bar until it is done. The run itself calls the same services, so
permission, workflow, locks and the audit event are those of the inline path.

Progress is saved on the run's own row (``TaskRun``; the services lock the
task). Inside the run's transaction PostgreSQL saves it from a second
connection, so the page sees it at once; SQLite has one writer, so there the
page sees "running" until the run ends.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.core import policy
from fazhi.core.actors import Actor, SystemActor
from fazhi.core.audit import audit_record
from fazhi.core.errors import Conflict, DomainError
from fazhi.core.locks import lock_row
from fazhi.inspections import task_services
from fazhi.inspections.choices import RunState, TaskState
from fazhi.inspections.common import user_of
from fazhi.inspections.models import InspectionTask, TaskRun
from fazhi.inspections.pool import entity_count

logger = logging.getLogger(__name__)

STEPS = {
    "commit": ("inspections.commit_inspectiontask", TaskState.DRAFT),
    "draw": ("inspections.draw_inspectiontask", TaskState.SEEDED),
}
# The stages of each step and where each starts on the progress bar (%).
STAGES = {
    "commit": (("pool", 5), ("officers", 60), ("snapshot", 75)),
    "draw": (("selection", 5), ("teams", 20), ("writing", 85)),
}
STAGE_LABELS = {
    "queued": gettext_lazy("Waiting for a worker"),
    "pool": gettext_lazy("Reading and freezing the entity pool"),
    "officers": gettext_lazy("Reading the officers and conflicts"),
    "snapshot": gettext_lazy("Saving the frozen pool"),
    "selection": gettext_lazy("Selecting the entities"),
    "teams": gettext_lazy("Forming the teams"),
    "writing": gettext_lazy("Writing the result"),
}


def _percent(step: str, stage: str, done: int, total: int) -> int:
    stages = STAGES[step]
    names = [name for name, _start in stages]
    if stage not in names:
        return 0
    i = names.index(stage)
    start = stages[i][1]
    end = stages[i + 1][1] if i + 1 < len(stages) else 95
    return int(start + (end - start) * (done / total if total else 0))


def inline_max() -> int:
    return int(getattr(settings, "FAZHI_DRAW_INLINE_MAX", 20_000))


def _pool_size(task: InspectionTask, step: str) -> int:
    return entity_count(task) if step == "commit" else task.eligible_size


def latest_run(task: InspectionTask) -> TaskRun | None:
    return task.runs.order_by("-queued_at", "-pk").first()


def _busy(task: InspectionTask) -> bool:
    return task.runs.filter(state__in=[RunState.QUEUED, RunState.RUNNING]).exists()


@policy.requires_any(*(perm for perm, _state in STEPS.values()))
def task_step_start(*, actor: Actor, task: InspectionTask, step: str) -> InspectionTask:
    """Commit or draw now (a small pool) or queue it (a big one); returns the task."""
    if step not in STEPS:
        raise DomainError(_("Unknown step."), field="step")
    perm, _state = STEPS[step]
    policy.require(actor, perm, unit=task.unit)
    if _busy(task):
        raise Conflict(_("This task is already being worked on; wait for it to finish."))
    if _pool_size(task, step) <= inline_max():
        if step == "commit":
            return task_services.task_commit(actor=actor, task=task)
        return task_services.task_draw(actor=actor, task=task)
    task_step_queue(actor=actor, task=task, step=step)
    task.refresh_from_db()
    return task


@policy.requires_any(*(perm for perm, _state in STEPS.values()))
@transaction.atomic
def task_step_queue(*, actor: Actor, task: InspectionTask, step: str) -> TaskRun:
    """Queue a commitment or draw as a background task (audited)."""
    perm, state = STEPS[step]
    policy.require(actor, perm, unit=task.unit)
    task = lock_row(task)
    if _busy(task):
        raise Conflict(_("This task is already being worked on; wait for it to finish."))
    if step == "draw" and task.state == TaskState.DRAWN:
        raise Conflict(_("This task has already been drawn; a draw happens once."))
    if task.state != state:
        raise Conflict(
            _("This step cannot be run in the task's state (%(state)s).")
            % {"state": task.get_state_display()}
        )
    run = TaskRun.objects.create(task=task, step=step, stage="queued", queued_by=user_of(actor))
    audit_record(
        actor=actor, verb="inspections.inspectiontask.queue", obj=task,
        after={"step": step, "run": run.pk}, unit=task.unit,
    )  # fmt: skip
    run_id = run.pk
    transaction.on_commit(lambda: _enqueue(run_id))
    return run


@task
def task_run(run_id: int) -> str:
    """Commit or draw a task queued by ``task_step_queue`` (the worker runs this)."""
    return run_execute(run_id)


def _enqueue(run_id: int) -> None:
    result = task_run.enqueue(run_id)
    TaskRun.objects.filter(pk=run_id, job_id="").update(job_id=str(result.id)[:64])


def _actor_for(run: TaskRun) -> Actor:
    if run.queued_by is None:
        return SystemActor("inspections-draw")
    actor: Actor = run.queued_by
    return actor


def run_execute(run_id: int) -> str:
    """Run a queued step (the background task's body). Returns the run's state."""
    run = TaskRun.objects.select_related("task__unit", "queued_by").get(pk=run_id)
    if run.state != RunState.QUEUED:
        return str(run.state)  # done or taken meanwhile
    first, start = STAGES[run.step][0]
    _save(run_id, state=RunState.RUNNING, stage=first, percent=start)

    def progress(stage: str, done: int, total: int) -> None:
        _save_now(run_id, stage=stage, percent=_percent(run.step, stage, done, total))

    try:
        actor = _actor_for(run)
        if run.step == "commit":
            task_services.task_commit(actor=actor, task=run.task, on_progress=progress)
        else:
            task_services.task_draw(actor=actor, task=run.task, on_progress=progress)
    except DomainError as exc:  # Conflict and NotAllowed are DomainErrors too
        _finish(run_id, RunState.FAILED, str(exc.message))
        return RunState.FAILED
    except Exception:
        logger.exception("background %s of inspection task %s", run.step, run.task_id)
        _finish(run_id, RunState.FAILED, _("The run stopped on an unexpected error (logged)."))
        raise
    _finish(run_id, RunState.DONE, "")
    return RunState.DONE


def _finish(run_id: int, state: str, error: str) -> None:
    _save(run_id, state=state, error=error, stage="", percent=100, finished_at=timezone.now())


def _save(run_id: int, **fields: Any) -> None:
    TaskRun.objects.filter(pk=run_id).update(**fields)


def _save_now(run_id: int, **fields: Any) -> None:
    """Save progress where the page sees it at once, even mid-transaction.

    PostgreSQL: from another connection (a thread has its own). SQLite has
    one writer: there it is saved with the run, seen when it ends.
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        _save(run_id, **fields)
        return

    def save() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
                _save(run_id, **fields)
        except Exception:
            logger.warning("progress of run %s not saved", run_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=save, name="draw-progress")
    thread.start()
    thread.join()
