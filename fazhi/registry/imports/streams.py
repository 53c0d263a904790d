"""Checked rows on their way to PostgreSQL: staging writes and COPY streams."""

from __future__ import annotations

import csv
import io
import logging
import queue
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any

import polars as pl
from django.db import connection, models, transaction

logger = logging.getLogger(__name__)

STREAM_ROWS = 20_000  # from this many rows on, PostgreSQL stages in a thread


def stage_rows(
    model: type[models.Model], fields: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Bulk-write staging rows: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in ("job_id", "row_no", *fields))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * (len(fields) + 2))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


class CopyStream(ABC):
    """Rows the main thread checks, sent by a thread through one COPY.

    The main thread queues each checked chunk and goes on checking the next
    one while the thread, on its own connection, sends it: PostgreSQL parses
    and stores rows on the second core. Everything happens in one
    transaction of the thread's: ``close`` commits it, ``abort`` (or any
    error) rolls it back, so a failed check writes nothing.

    ``begin`` runs first in that transaction and may decline the stream
    (``started`` then returns False); ``end`` runs last, before the commit.
    """

    table: str
    columns: tuple[str, ...]

    def __init__(self) -> None:
        self.chunks: queue.Queue[Any] = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.accepted = False
        self.rows = 0
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="import-staging", daemon=True)
        self.thread.start()

    def begin(self) -> bool:
        return True

    def end(self) -> None:  # noqa: B027 - an optional hook
        """Run last in the stream's transaction, before the commit."""

    def convert(self, rows: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        return iter(rows)

    @abstractmethod
    def frame_csv(self, frame: pl.DataFrame) -> bytes:
        """A frame of checked rows (``row_no`` and the staging fields) as CSV."""

    def after_commit(self) -> None:  # noqa: B027 - an optional hook
        """Run by the caller after ``close`` committed."""

    def _run(self) -> None:
        from django.db import connections

        connection = connections["default"]
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        finished = False
        try:
            with transaction.atomic():
                self.accepted = self.begin()
                self._ready.set()
                if not self.accepted:
                    return
                with (
                    connection.cursor() as cursor,
                    cursor.cursor.copy(
                        f"COPY {self.table} ({columns}) FROM STDIN (FORMAT csv)"
                    ) as copy,
                ):
                    while isinstance(rows := self.chunks.get(), list | pl.DataFrame):
                        if isinstance(rows, pl.DataFrame):
                            copy.write(self.frame_csv(rows))
                        else:
                            copy.write(_csv_text(self.convert(rows)))
                    finished = True
                    if rows is _ABORT:
                        raise _Aborted
                self.end()
        except _Aborted:
            pass
        except BaseException as exc:  # raised again by write() or close()
            self.error = exc
            if self.accepted and not finished:  # let the producer end
                while isinstance(self.chunks.get(), list | pl.DataFrame):
                    pass
        finally:
            self._ready.set()
            connection.close()

    def started(self) -> bool:
        """Wait for ``begin``; is the stream taking rows?"""
        self._ready.wait()
        if self.error is not None:
            raise self.error
        return self.accepted

    def write(self, rows: list[tuple[Any, ...]] | pl.DataFrame) -> None:
        if self.error is not None:
            raise self.error
        if len(rows):
            self.rows += len(rows)
            self.chunks.put(rows)

    def close(self) -> None:
        """Send the rest and commit."""
        self.chunks.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        """Roll back everything sent (the caller is already failing)."""
        if self.thread.is_alive():
            self.chunks.put(_ABORT)
            self.thread.join()
        if self.error is not None:
            logger.warning("an aborted import stream had failed: %s", self.error)


_ABORT = object()


class _Aborted(Exception):
    pass


def _csv_text(rows: Iterator[tuple[Any, ...]]) -> bytes:
    """Rows as COPY's CSV: strings quoted, None as an unquoted empty field (NULL)."""
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_STRINGS, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


class StagingStream(CopyStream):
    """Stage checked rows of a big file on PostgreSQL (see ``CopyStream``)."""

    def __init__(self, job_id: int, model: type[models.Model], fields: Sequence[str]) -> None:
        self.job_id = job_id
        self.table = model._meta.db_table
        self.fields = tuple(fields)
        self.columns = ("job_id", "row_no", *self.fields)
        super().__init__()

    def frame_csv(self, frame: pl.DataFrame) -> bytes:
        out = io.BytesIO()
        frame.select(pl.lit(self.job_id).alias("job_id"), "row_no", *self.fields).write_csv(
            out, include_header=False
        )
        return out.getvalue()
