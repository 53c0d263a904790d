"""An entity's line of a 双随机 draw pool, written by the database (decision 0029).

The draw freezes its pool as one text line per entity (docs/draw-algorithm.md
§2.1): ``id TAB uscc TAB credit TAB risk TAB exclusion LF``. Writing a
million such lines at the moment of the draw costs the database more than
reading them (SQLite: about 1.5 s of its 2 s), so the entity row keeps its
line as a stored generated column, computed by the database whenever the row
is written, by any path (ORM, imports' SQL, COPY).

The stored exclusion is the part the row decides alone: not in business
(``status``), then key supervision (``key_plan``), else ``-``. The parts that
depend on the inspection history and the task's date (yearly cap, recent
inspection) are applied by the inspections app when it reads the pool.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Func, TextField
from django.utils.deconstruct import deconstructible

from fazhi.registry.choices import EntityStatus

# The exclusion codes the row decides (the inspections app's ``Exclusion``
# uses these same values).
STATUS = "status"
KEY_PLAN = "key_plan"
NONE = "-"

_TAB = {"sqlite": "char(9)", "postgresql": "E'\\t'"}
_LF = {"sqlite": "char(10)", "postgresql": "E'\\n'"}
_ID = {"sqlite": '"id"', "postgresql": '"id"::text'}


def _literal(value: str) -> str:
    if not (value == NONE or value.replace("_", "").isalnum()):
        raise ValueError(f"not a plain code: {value!r}")
    return f"'{value}'"


def line_sql(vendor: str) -> str:
    """The column's expression in ``vendor``'s SQL (no parameters: it is DDL).

    PostgreSQL needs every part immutable: the id is cast to text itself, as
    ``bigint || text`` goes through a merely stable operator.
    """
    tab, lf = _TAB[vendor], _LF[vendor]
    blank = _literal(NONE)

    def code(column: str) -> str:
        return f'CASE WHEN "{column}" = \'\' THEN {blank} ELSE "{column}" END'

    exclusion = (
        f'CASE WHEN "status" != {_literal(EntityStatus.ACTIVE.value)} THEN {_literal(STATUS)} '
        f'WHEN "key_supervision" THEN {_literal(KEY_PLAN)} ELSE {blank} END'
    )
    parts = (_ID[vendor], '"uscc"', code("credit_class"), code("risk_level"), exclusion)
    return f"({f' || {tab} || '.join(parts)} || {lf})"


@deconstructible(path="fazhi.registry.pool_line.PoolLine")
class PoolLine(Func):
    """The generated column's expression (``Entity.pool_line``)."""

    output_field = TextField()

    def __init__(self) -> None:
        super().__init__()

    def as_sql(  # type: ignore[override]  # takes no parameters
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        return line_sql(connection.vendor), ()


class StoredGeneratedField(models.GeneratedField):
    """A stored ``GeneratedField`` whose system checks need no database connection.

    Django's check of a generated field first asks whether the database
    supports virtual generated columns, which on PostgreSQL needs the
    server's version, so ``manage.py check --deploy`` failed before the
    database was reachable. A stored column needs only stored support, a
    fixed feature of each backend, and ``_check_persistence`` checks that
    (fields.E222) without connecting.
    """

    def _check_supported(self, databases: Any) -> list[Any]:
        if self.db_persist:  # type: ignore[attr-defined]  # not in django-stubs
            return []
        return list(super()._check_supported(databases))  # type: ignore[misc]
