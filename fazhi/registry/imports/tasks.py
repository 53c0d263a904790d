"""Background tasks: checking and applying import files.

They run under whatever ``TASKS`` backend is configured: the immediate
backend runs them on the spot (tests, development), the database backend in
``./dev worker``. Both only read the job id and keep their progress on the
``ImportJob`` row, so either works.
"""

from __future__ import annotations

from django.tasks import task

# The runner (polars, the readers) is imported when a task runs, not when the
# URLconf loads: a web worker that never imports pays nothing for it.


@task
def import_validate(job_id: int) -> str:
    """Check every row of an uploaded file and write its error report."""
    from fazhi.registry.imports import runner

    return runner.job_validate(job_id).status


@task
def import_apply(job_id: int) -> str:
    """Import the checked valid rows of a file."""
    from fazhi.registry.imports import runner

    return runner.job_apply(job_id).status
