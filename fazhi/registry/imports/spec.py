"""What one kind of list (entities, officers) tells the import pipeline.

An ``ImportSpec`` maps the file's header to its columns, checks rows
(``clean_chunk``), checks the staged rows against the database and writes
them. ``ColumnarSpec`` adds the column-wise check of big plain CSV files
(decision 0005). Nothing here runs a job: that is ``runner``.
"""

from __future__ import annotations

import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.utils.translation import gettext as _

from fazhi.registry.imports import readers
from fazhi.registry.imports.readers import PlainCsv
from fazhi.registry.imports.report import RowError
from fazhi.registry.models import ImportJob

if TYPE_CHECKING:
    import polars as pl

    from fazhi.registry.imports.streams import CopyStream


@dataclass(frozen=True)
class Column:
    """One column of an import file (the header is file format, not UI text)."""

    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""


def normalize_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).strip().lstrip("*").strip()
    for suffix in ("(必填)", "(选填)"):
        text = text.removesuffix(suffix)
    return "".join(text.split()).lower()


class ImportSpec(ABC):
    """What one kind of list needs from the pipeline."""

    kind: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    staging_model: ClassVar[type[models.Model]]
    staging_fields: ClassVar[tuple[str, ...]]

    def __init__(self, job: ImportJob, actor: Any) -> None:
        self.job = job
        self.actor = actor
        self.index: dict[str, int] = {}
        self.headers: list[str] = []

    def bind(self, headers: list[str]) -> list[RowError]:
        """Map the file's header to columns; report missing required ones."""
        self.headers = headers
        wanted: dict[str, str] = {}
        for column in self.columns:
            for name in (column.header, column.key, *column.aliases):
                wanted[normalize_header(name)] = column.key
        for position, header in enumerate(headers):
            key = wanted.get(normalize_header(header))
            if key is not None and key not in self.index:
                self.index[key] = position
        errors = []
        for column in self.columns:
            if column.required and column.key not in self.index:
                errors.append(
                    RowError(
                        1,
                        column.header,
                        "",
                        _("The required column “%(c)s” is missing.") % {"c": column.header},
                    )
                )
        return errors

    def header_of(self, key: str) -> str:
        for column in self.columns:
            if column.key == key:
                return self.headers[self.index[key]] if key in self.index else column.header
        return key

    @abstractmethod
    def prepare(self) -> None:
        """Load the lookups the row checks need (code tables, units …)."""

    @abstractmethod
    def clean_chunk(
        self, chunk: Sequence[tuple[int, list[Any]]], errors: list[RowError]
    ) -> list[tuple[Any, ...]]:
        """Check rows; append errors; return staging tuples for the valid rows."""

    @abstractmethod
    def check_database(self) -> list[RowError]:
        """Check staged rows against the database; drop the ones that fail."""

    @abstractmethod
    def classify(self) -> tuple[int, int, int]:
        """Count staged rows that are (new, changed, unchanged)."""

    @abstractmethod
    def apply(self, progress: Callable[[int], None]) -> tuple[int, int, int]:
        """Write staged rows; return (created, updated, skipped).

        The runner calls it inside one transaction and records the import
        (the job and its audit event) in that same transaction."""

    def after_commit(self) -> None:  # noqa: B027 - an optional hook
        """Run after the import committed (index builds, vacuum)."""

    def direct_load(self, rows: int) -> CopyStream | None:
        """A stream that writes checked rows straight into the registry, for
        imports of ``rows`` rows on PostgreSQL that need no choice after the
        check (``valid_only``, ``import_if_clean``), or None (stage them).
        It may still decline in ``begin``; its transaction commits only if
        the rows are to be imported."""
        return None

    def staged(self) -> models.QuerySet[Any]:
        return self.staging_model.objects.filter(job_id=self.job.pk)  # type: ignore[attr-defined]

    def discard(self) -> None:
        self.staged().delete()

    def drop_rows(self, rows: set[int]) -> None:
        ordered = sorted(rows)
        for start in range(0, len(ordered), 900):
            self.staged().filter(row_no__in=ordered[start : start + 900]).delete()


Step = tuple["pl.DataFrame", list[tuple[Any, ...]], int]  # checked frame, tuples, rows read


class ColumnarSpec(ImportSpec):
    """A spec that can also check big plain CSV files column by column."""

    @abstractmethod
    def prescan(self, plain: PlainCsv) -> bool:
        """Prepare a columnar check of the file; False: it cannot have one."""

    @abstractmethod
    def clean_block(
        self, plain: PlainCsv, row_no: int, block: bytes, errors: list[RowError]
    ) -> Step:
        """Check a block of a plain CSV column-wise, after ``prescan``."""

    def blocks(self, plain: PlainCsv, errors: list[RowError]) -> Iterator[Step]:
        for row_no, block in readers.csv_blocks(plain):
            yield self.clean_block(plain, row_no, block, errors)
