"""Background tasks of the inspections app: commitments and draws of big pools.

They run under whatever ``TASKS`` backend is configured (immediate in tests
and development, the database backend with ``./dev worker``) and keep their
progress on the ``TaskRun`` row, so either works.
"""

from __future__ import annotations

from django.tasks import task

from fazhi.inspections import jobs


@task
def task_run(run_id: int) -> str:
    """Commit or draw a task queued by ``jobs.task_step_queue``."""
    return jobs.run_execute(run_id)
