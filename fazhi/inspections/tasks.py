"""Background tasks of the inspections app: commitments and draws of big pools.

The task itself lives beside the runs it executes (``jobs.task_run``), so
that the queueing code and the task do not import each other; it runs under
whatever ``TASKS`` backend is configured (immediate in tests and development,
the database backend with ``./dev worker``) and keeps its progress on the
``TaskRun`` row.
"""

from __future__ import annotations

from fazhi.inspections.jobs import task_run

__all__ = ["task_run"]
