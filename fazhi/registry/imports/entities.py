"""Importing the entity list (执法检查对象名录库).

Rows are checked in Python chunk by chunk (the credit code with numpy, code
tables through memo dicts), staged with COPY on PostgreSQL, then checked and
applied against the registry with a few set-based SQL statements: a
million-row file never becomes a million model instances.

A row whose credit code is already registered updates that entity (the
change is kept field by field); an identical row changes nothing, so
importing the same file twice is harmless.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import codes
from fazhi.core.models import OrgUnit
from fazhi.registry import industries, selectors
from fazhi.registry.choices import ChangeKind, EntityKind, EntityStatus, ImportKind
from fazhi.registry.fastcodes import uscc_valid_joined, uscc_valid_mask
from fazhi.registry.imports import columnar, labels
from fazhi.registry.imports.base import Column, ColumnarSpec, CopyStream, Step
from fazhi.registry.imports.readers import PlainCsv, _is_blank, cell_text, plain_rows
from fazhi.registry.imports.report import RowError
from fazhi.registry.models import (
    Entity,
    EntityChange,
    EntityStaging,
    RegulatoryCategory,
    dedupe_hash,
    dedupe_key,
    normalize_text,
)

COLUMNS = (
    Column("uscc", "统一社会信用代码", True, ("信用代码", "社会信用代码", "uscc"), "18位"),
    Column("name", "单位名称", True, ("名称", "企业名称", "检查对象名称", "name")),
    Column(
        "kind",
        "主体类型",
        False,
        ("类型", "kind"),
        labels.allowed(labels.KIND) + "；空白时按信用代码推断",
    ),
    Column(
        "legal_representative",
        "法定代表人",
        False,
        ("负责人", "法定代表人（负责人）", "legal_representative"),
    ),
    Column(
        "region_code",
        "行政区划代码",
        False,
        ("区划代码", "region_code"),
        "6位；空白时取信用代码第3–8位",
    ),
    Column("address", "地址", True, ("注册地址", "经营地址", "生产经营地址", "address")),
    Column(
        "industry_section",
        "行业门类",
        False,
        ("门类", "industry_section"),
        "GB/T 4754-2017 门类字母或名称",
    ),
    Column(
        "industry_division",
        "行业大类",
        False,
        ("大类", "国民经济行业", "industry_division"),
        "两位代码或名称",
    ),
    Column("scale", "企业规模", False, ("规模", "scale"), labels.allowed(labels.SCALE)),
    Column("categories", "监管类别", False, ("行业监管类别", "categories"), "多个用“、”分隔"),
    Column("key_supervision", "重点监管", False, ("是否重点监管", "key_supervision"), "是/否"),
    Column(
        "standardization_level",
        "安全生产标准化等级",
        False,
        ("标准化等级", "standardization_level"),
        labels.allowed(labels.STANDARDIZATION),
    ),
    Column(
        "risk_level",
        "风险等级",
        False,
        ("安全风险等级", "risk_level"),
        labels.allowed(labels.RISK),
    ),
    Column(
        "credit_class",
        "信用等级",
        False,
        ("信用分类", "信用风险分类", "credit_class"),
        "A、B、C、D",
    ),
    Column(
        "status",
        "登记状态",
        False,
        ("经营状态", "状态", "status"),
        labels.allowed(labels.STATUS) + "；空白为存续",
    ),
    Column("contact_phone", "联系电话", False, ("电话", "contact_phone")),
    Column(
        "agency",
        "监管机构",
        False,
        ("监管单位", "属地监管部门", "supervising_agency"),
        "空白时为导入时选定的单位",
    ),
)

STAGING_FIELDS = (
    "uscc",
    "name",
    "kind",
    "legal_representative",
    "region_code",
    "address",
    "industry_section",
    "industry_division",
    "scale",
    "category_bits",
    "key_supervision",
    "standardization_level",
    "risk_level",
    "credit_class",
    "status",
    "contact_phone",
    "supervising_agency_id",
    "dedupe_key",
)
# Columns compared to decide whether a row changes its entity.
COMPARED = STAGING_FIELDS[1:16]
MAX_LENGTH = {"name": 200, "legal_representative": 60, "address": 255, "contact_phone": 30}
_SPLIT = re.compile(r"[、,，;；/|\s]+")
logger = logging.getLogger(__name__)
Problem = tuple[str, str, str]  # column key, value, reason
_KIND_BY_PREFIX = {
    "91": EntityKind.ENTERPRISE,
    "92": EntityKind.INDIVIDUAL_BUSINESS,
    "93": EntityKind.OTHER,
    "12": EntityKind.INSTITUTION,
    "51": EntityKind.SOCIAL_ORGANIZATION,
    "52": EntityKind.SOCIAL_ORGANIZATION,
    "53": EntityKind.SOCIAL_ORGANIZATION,
}
COLUMN_ORDER = {c.key: i for i, c in enumerate(COLUMNS)}
_LOCK_KEY = 7_301_001  # advisory lock serializing entity imports on PostgreSQL
APPLY_CHUNK = {"postgresql": 250_000}
APPLY_CHUNK_DEFAULT = 25_000
BULK_ROWS = 20_000  # from this many staged rows on, joins are planned as hash joins


@contextlib.contextmanager
def bulk_joins(rows: int) -> Iterator[None]:
    """Plan big staging joins as hash joins on PostgreSQL.

    Right after a million rows arrive the planner's statistics still call
    the table empty, and the nested loop it then picks never finishes. A
    small file keeps the default plan (index lookups).
    """
    if connection.vendor != "postgresql" or rows < BULK_ROWS:
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")
        yield


def analyze(table: str) -> None:
    """Refresh PostgreSQL's statistics after a bulk write."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")


SEARCH_INDEX = "registry_entity_name_trgm"
# After a bulk load; with the b-trees, while the slower search index builds.
ANALYZE = "ANALYZE registry_entity"


def indexes_ensure() -> None:
    """Build the entity indexes a bulk load did not get to build again.

    A bulk load commits before it rebuilds the plain indexes; if the
    process stops in between, the next import puts them back. The name
    search index exists only where pg_trgm is installed (migration 0004).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'registry_entity'")
        present = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")
        (trigrams,) = cursor.fetchone()
    missing = [index for index in Entity._meta.indexes if index.name not in present]
    if missing:
        with connection.schema_editor() as editor:
            for index in missing:
                logger.warning("building the missing index %s", index.name)
                editor.add_index(Entity, index)
    if trigrams and SEARCH_INDEX not in present:
        logger.warning("building the missing index %s", SEARCH_INDEX)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {SEARCH_INDEX} "
                "ON registry_entity USING gin (name gin_trgm_ops)"
            )


def bulk_detach(table: str) -> tuple[list[str], list[str]]:
    """Drop ``table``'s indexes and foreign keys for a bulk load.

    Return the statements that restore them: those to run before the
    commit (unique indexes, then the foreign keys, each checked by one join
    instead of a trigger per row) and the plain indexes, which are built
    after it. Constraints' own indexes (the primary key) stay. The caller
    holds the import lock, and dropping an index locks the table, so no
    other writer can slip a duplicate in before the unique index is built
    again (which would then fail and roll the load back).
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Tables with pending deferred checks cannot be altered: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisunique FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY c.relname",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        keys = cursor.fetchall()
        for name, _definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _definition, _unique in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    now = [d for _n, d, unique in indexes if unique]
    now += [f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(n)} {d}" for n, d in keys]
    return now, [d for _n, d, unique in indexes if not unique]


def bulk_restore(statements: Sequence[str]) -> None:
    """Run statements ``bulk_detach`` returned, in one transaction."""
    if statements:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in statements:
                cursor.execute(statement)


def bulk_restore_parallel(statements: Sequence[str]) -> None:
    """Build the plain indexes after the commit, on two connections at once.

    The GIN index (the slowest, and PostgreSQL builds it on one core) goes
    on one, the b-trees on the other. Inside a caller's transaction the
    other connections could not see the rows: build them in order there.
    The rows are committed by then, so a failed build is logged, not raised:
    the import stands, and the next one builds what is missing
    (``indexes_ensure``).
    """
    gin = [s for s in statements if " USING gin " in s]
    groups = [group for group in (gin, [s for s in statements if s not in gin]) if group]
    if len(groups) < 2 or connection.in_atomic_block:
        bulk_restore(statements)
        return

    def build(group: list[str]) -> None:
        try:
            bulk_restore(group)
        except Exception:
            logger.exception("building indexes after a bulk load failed: %s", group)
        finally:
            connection.close()

    threads = [threading.Thread(target=build, args=(group,)) for group in groups]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _differs(e: str) -> str:
    """SQL that is true when staging row ``s`` would change entity ``e``."""
    parts = [f"{e}.{c} <> s.{c}" for c in COMPARED]
    parts.append(
        "(s.supervising_agency_id IS NOT NULL"
        f" AND s.supervising_agency_id <> {e}.supervising_agency_id)"
    )
    return "(" + " OR ".join(parts) + ")"


_SHAPED = r"^[0-9A-Za-z]{18}$"  # a credit code needing no clean-up


def _codes(raw: pl.Series) -> pl.Series:
    """Credit codes as the row check reads them (trimmed, upper case)."""
    shaped = raw.str.contains(_SHAPED)
    codes = raw.str.to_uppercase()
    odd = (~shaped).arg_true()
    if len(odd):
        fixed = [v.strip().upper() for v in raw.gather(odd).to_list()]
        codes = codes.scatter(odd, pl.Series(fixed, dtype=pl.String))
    return codes


def _texts(name: pl.Series, address: pl.Series) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Trimmed name and address, and where both are safe text and present
    (see ``columnar.SAFE_TEXT``)."""
    spaces = columnar.SAFE_SPACES
    name_value, address_value = name.str.strip_chars(spaces), address.str.strip_chars(spaces)
    safe = (
        name.str.contains(columnar.SAFE_TEXT)
        & address.str.contains(columnar.SAFE_TEXT)
        & (name_value != "")
        & (address_value != "")
    )
    return name_value, address_value, safe


def _matching_pair(name: str, address: str) -> tuple[str | None, str | None]:
    """The matching forms of a name and address that are not safe text, as a
    pair that equals a safe row's pair exactly when the keys match (None:
    no key, the row lacks one of them)."""
    if not (name and address):
        return None, None
    text = normalize_text(name + columnar.SEPARATOR + address)
    parts = text.split(columnar.SEPARATOR)
    # Safe pairs hold no separator: a text with more than one cannot match them.
    return (parts[0], parts[1]) if len(parts) == 2 else ("\x00" + text, "\x00")


def _passed(result: tuple[Any, ...]) -> tuple[Any, ...]:
    """(values …, problems) as (values …, no problems?)."""
    return (*result[:-1], not result[-1])


class EntityLoad(CopyStream):
    """Checked rows straight into an empty registry (a province's first load).

    With nothing registered, no row can update an entity or clash with one,
    so staging them first would only copy every row twice. The stream's
    transaction takes the import lock, finds the registry empty (otherwise
    it declines, and the rows are staged as usual), drops the indexes and
    foreign keys (``bulk_detach``), receives the rows while the file is
    still being checked, then builds the unique index and checks the keys
    before it commits; the plain indexes follow after the commit.
    """

    table = "registry_entity"
    columns = (
        *STAGING_FIELDS,
        "created_at",
        "updated_at",
        "created_by_id",
        "source_job_id",
    )

    def __init__(self, spec: EntitySpec) -> None:
        job = spec.job
        self.unit_id = job.unit_id
        now = timezone.now()
        self.tail = (now, now, getattr(spec.actor, "pk", None), job.pk)
        self.job_id = job.pk
        self.restore_now: list[str] = []
        self.restore_later: list[str] = []
        super().__init__()

    def begin(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            cursor.execute("SELECT EXISTS (SELECT 1 FROM registry_entity)")
            (registered,) = cursor.fetchone()
        if registered:
            return False
        self.restore_now, self.restore_later = bulk_detach(self.table)
        return True

    def convert(self, rows: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        unit_id, tail = self.unit_id, self.tail
        for row in rows:
            yield (*row[2:18], unit_id if row[18] is None else row[18], row[19], *tail)

    def frame_csv(self, frame: pl.DataFrame) -> bytes:
        now, _now, actor_id, job_id = self.tail
        out = io.BytesIO()
        frame.select(
            *STAGING_FIELDS[:-2],
            pl.col("supervising_agency_id").fill_null(self.unit_id),
            "dedupe_key",
            pl.lit(now.isoformat()).alias("created_at"),
            pl.lit(now.isoformat()).alias("updated_at"),
            pl.lit(actor_id, dtype=pl.Int64).alias("created_by_id"),
            pl.lit(job_id, dtype=pl.Int64).alias("source_job_id"),
        ).write_csv(out, include_header=False)
        return out.getvalue()

    def end(self) -> None:
        bulk_restore(self.restore_now)

    def after_commit(self) -> None:
        logger.info("entity import %s: bulk load committed", self.job_id)
        bulk_restore_parallel([*self.restore_later, ANALYZE])


class EntitySpec(ColumnarSpec):
    kind = ImportKind.ENTITY
    columns = COLUMNS
    staging_model = EntityStaging
    staging_fields = STAGING_FIELDS

    def direct_load(self, rows: int) -> EntityLoad | None:
        return EntityLoad(self) if rows >= BULK_ROWS else None

    def prepare(self) -> None:
        self.seen_uscc: dict[str, int] = {}
        self.seen_key: dict[str, int] = {}
        self.twins = pl.Series(dtype=pl.Int64)  # rows of a columnar check taking the row check
        self.kinds = labels.lookup(labels.KIND)
        self.scales = labels.lookup(labels.SCALE)
        self.levels = labels.lookup(labels.STANDARDIZATION)
        self.risks = labels.lookup(labels.RISK)
        self.credits = labels.lookup(labels.CREDIT)
        self.statuses = labels.lookup(labels.STATUS)
        self.booleans = dict.fromkeys(labels.TRUE_WORDS, True) | dict.fromkeys(
            labels.FALSE_WORDS, False
        )
        self.categories: dict[str, int] = {}
        for category in RegulatoryCategory.objects.filter(is_active=True):
            self.categories[category.code.upper()] = category.mask
            self.categories[category.name.upper()] = category.mask
        # Each distinct cell value (or pair) is resolved once per file: the
        # result and the problems found, as (column key, value, reason).
        self.region_memo: dict[str, list[Problem]] = {}
        self.industry_memo: dict[tuple[str, str], tuple[str, str, list[Problem]]] = {}
        self.category_memo: dict[str, tuple[int, list[Problem]]] = {}
        self.agency_memo: dict[str, tuple[int | None, list[Problem]]] = {}
        self.agencies = self._agency_lookup()
        self.messages = {
            "required": _("This column is required."),
            "too_long": _("Longer than %(n)d characters."),
            "unknown": _("“%(value)s” is not one of: %(allowed)s."),
            "dup_uscc": _("The same credit code is already on row %(row)d."),
            "dup_key": _(
                "The same name and address are already on row %(row)d (another credit code)."
            ),
            "number": _(
                "Excel stored this code as a number and lost digits; format the column as text."
            ),
            "section": _("Not a GB/T 4754-2017 section (门类)."),
            "division": _("Not a GB/T 4754-2017 division (大类)."),
            "mismatch": _("Division %(d)s belongs to section %(s)s."),
            "category": _("Unknown regulatory category: %(names)s."),
            "agency": _("No unit by this name in your scope."),
            "agency_ambiguous": _(
                "Several units in your scope have this name; use the unit's id."
            ),
        }

    def _agency_lookup(self) -> dict[str, int | None]:
        ids = selectors.units_in_scope(self.actor)
        units = OrgUnit.objects.all() if ids is None else OrgUnit.objects.filter(pk__in=ids)
        found: dict[str, int | None] = {}
        for unit in units.only("id", "name", "short_name"):
            found[str(unit.pk)] = unit.pk
            for name in {unit.name, unit.short_name} - {""}:
                key = name.upper()
                found[key] = None if key in found and found[key] != unit.pk else unit.pk
        return found

    def _region_problems(self, value: str) -> list[Problem]:
        if not value:
            return [("region_code", "", self.messages["required"])]
        check = codes.validate_region(value)
        return [] if check.valid else [("region_code", value, str(check.reason))]

    def _industry(self, section_value: str, division_value: str) -> tuple[str, str, list[Problem]]:
        """Resolve a section/division pair; a division names its own section."""
        msg = self.messages
        section = (industries.section_code(section_value) or "") if section_value else ""
        division = (industries.division_code(division_value) or "") if division_value else ""
        problems: list[Problem] = []
        if section_value and not section:
            problems.append(("industry_section", section_value, msg["section"]))
        if division_value and not division:
            problems.append(("industry_division", division_value, msg["division"]))
        elif division:
            owner = industries.divisions()[division].section
            if section and owner != section:
                mismatch = msg["mismatch"] % {"d": division, "s": owner}
                problems.append(("industry_division", division_value, mismatch))
            section = owner
        return section, division, problems

    def _categories(self, value: str) -> tuple[int, list[Problem]]:
        bits, unknown = 0, []
        for part in _SPLIT.split(value.upper()):
            if part:
                mask = self.categories.get(part)
                if mask is None:
                    unknown.append(part)
                else:
                    bits |= mask
        if not unknown:
            return bits, []
        return bits, [
            ("categories", value, self.messages["category"] % {"names": "、".join(unknown)})
        ]

    def _agency(self, value: str) -> tuple[int | None, list[Problem]]:
        if not value:
            return None, []
        key = value.upper()
        if key not in self.agencies:
            return None, [("agency", value, self.messages["agency"])]
        if self.agencies[key] is None:
            return None, [("agency", value, self.messages["agency_ambiguous"])]
        return self.agencies[key], []

    def clean_chunk(
        self, chunk: Sequence[tuple[int, list[Any]]], errors: list[RowError]
    ) -> list[tuple[Any, ...]]:
        """Check a chunk column by column (a comprehension per column is far
        cheaper than a branchy loop per row), then assemble the good rows."""
        msg = self.messages
        n = len(chunk)
        row_nos = [row_no for row_no, _cells in chunk]
        width = max(self.index.values(), default=-1) + 1
        raw = [
            cells if len(cells) == width else list(cells[:width]) + [None] * (width - len(cells))
            for _r, cells in chunk
        ]
        transposed = list(zip(*raw, strict=True)) if width else []
        blank = ("",) * n

        def column(key: str) -> Sequence[str]:
            i = self.index.get(key)
            if i is None:
                return blank
            try:
                return [v.strip() for v in transposed[i]]
            except AttributeError:  # numbers, dates: rare, so the fast path comes first
                return [v.strip() if type(v) is str else cell_text(v) for v in transposed[i]]

        found: list[
            tuple[int, str, str, str]
        ] = []  # (position in chunk, column key, value, reason)

        def flag(
            key: str, positions: Sequence[int], values: Sequence[str], reason: Callable[[str], str]
        ) -> None:
            for k in positions:
                found.append((k, key, values[k], reason(values[k])))

        # credit codes
        usccs = [v.upper() for v in column("uscc")]
        valid = uscc_valid_mask(usccs)
        i_uscc = self.index.get("uscc")
        numeric = (
            {k for k, v in enumerate(transposed[i_uscc]) if isinstance(v, float)}
            if i_uscc is not None
            else set()
        )
        for k in (k for k in range(n) if not valid[k]):
            code = usccs[k]
            if not code:
                reason = msg["required"]
            elif k in numeric:
                reason = msg["number"]
            else:
                reason = str(codes.validate_uscc(code).reason)
            found.append((k, "uscc", code, reason))

        # required and bounded text
        names, addresses = column("name"), column("address")
        legal, phones = column("legal_representative"), column("contact_phone")
        for key, values in (("name", names), ("address", addresses)):
            if "" in values:
                flag(
                    key,
                    [k for k, v in enumerate(values) if not v],
                    values,
                    lambda v: msg["required"],
                )
        for key, values in (
            ("name", names),
            ("address", addresses),
            ("legal_representative", legal),
            ("contact_phone", phones),
        ):
            limit = MAX_LENGTH[key]
            if values and max(map(len, values)) > limit:
                too_long = str(msg["too_long"] % {"n": limit})
                for k in (k for k, v in enumerate(values) if len(v) > limit):
                    found.append((k, key, values[k][:50], too_long))

        # code tables: map each distinct value once
        def mapped(
            key: str,
            table: dict[str, str],
            names_table: labels.Table,
            default: str = "",
        ) -> list[str | None]:
            values = column(key)
            lookup = {v: (table.get(v.upper()) if v else default) for v in set(values)}
            result = [lookup[v] for v in values]
            if None in lookup.values():
                allowed_text = labels.allowed(names_table)
                flag(
                    key,
                    [k for k, v in enumerate(result) if v is None],
                    values,
                    lambda v: msg["unknown"] % {"value": v, "allowed": allowed_text},
                )
            return result

        kind_values = column("kind")
        kind_lookup = {v: self.kinds.get(v.upper()) for v in set(kind_values) if v}
        kinds = [
            kind_lookup[v] if v else _KIND_BY_PREFIX.get(u[:2], EntityKind.OTHER)
            for v, u in zip(kind_values, usccs, strict=True)
        ]
        allowed_kinds = labels.allowed(labels.KIND)
        flag(
            "kind",
            [k for k, v in enumerate(kinds) if v is None],
            kind_values,
            lambda v: msg["unknown"] % {"value": v, "allowed": allowed_kinds},
        )
        scales = mapped("scale", self.scales, labels.SCALE)
        levels = mapped("standardization_level", self.levels, labels.STANDARDIZATION)
        risks = mapped("risk_level", self.risks, labels.RISK)
        credits = mapped("credit_class", self.credits, labels.CREDIT)
        statuses = mapped("status", self.statuses, labels.STATUS, EntityStatus.ACTIVE.value)
        key_values = [v.upper() for v in column("key_supervision")]
        keys = [self.booleans.get(v) for v in key_values]
        if None in keys:
            flag(
                "key_supervision",
                [k for k, v in enumerate(keys) if v is None],
                key_values,
                lambda v: msg["unknown"] % {"value": v, "allowed": "是、否"},
            )

        def report(memo: dict[Any, Any], values: Sequence[Any], problems: Any) -> None:
            """Add the problems of rows whose value's memo entry has some."""
            if any(problems(memo[v]) for v in set(values)):
                for k, value in enumerate(values):
                    found.extend((k, *problem) for problem in problems(memo[value]))

        # region codes (blank: taken from the credit code)
        region_values = column("region_code")
        regions = [
            r or (u[2:8] if len(u) == 18 else "")
            for r, u in zip(region_values, usccs, strict=True)
        ]
        for value in set(regions) - self.region_memo.keys():
            self.region_memo[value] = self._region_problems(value)
        report(self.region_memo, regions, lambda problems: problems)

        # industry: section and division must agree
        pairs = list(zip(column("industry_section"), column("industry_division"), strict=True))
        for pair in set(pairs) - self.industry_memo.keys():
            self.industry_memo[pair] = self._industry(*pair)
        industry = [self.industry_memo[pair] for pair in pairs]
        sections = [entry[0] for entry in industry]
        divisions = [entry[1] for entry in industry]
        report(self.industry_memo, pairs, lambda entry: entry[2])

        # regulatory categories
        category_values = column("categories")
        for value in set(category_values) - self.category_memo.keys():
            self.category_memo[value] = self._categories(value)
        category_bits = [self.category_memo[v][0] for v in category_values]
        report(self.category_memo, category_values, lambda entry: entry[1])

        # supervising agency (blank: the job's unit for new entities)
        agency_values = column("agency")
        for value in set(agency_values) - self.agency_memo.keys():
            self.agency_memo[value] = self._agency(value)
        agencies = [self.agency_memo[v][0] for v in agency_values]
        report(self.agency_memo, agency_values, lambda entry: entry[1])

        # duplicates within the file, among rows that are otherwise good
        bad = {k for k, *_rest in found}
        dedupe = [
            dedupe_key(a, b) if a and b else "" for a, b in zip(names, addresses, strict=True)
        ]
        for k in range(n):
            if k in bad:
                continue
            first = self.seen_uscc.get(usccs[k])
            if first is not None:
                found.append((k, "uscc", usccs[k], msg["dup_uscc"] % {"row": first}))
                bad.add(k)
                continue
            first = self.seen_key.get(dedupe[k])
            if first is not None:
                found.append((k, "name", names[k], msg["dup_key"] % {"row": first}))
                bad.add(k)
                continue
            self.seen_uscc[usccs[k]] = row_nos[k]
            self.seen_key[dedupe[k]] = row_nos[k]

        found.sort(key=lambda item: (item[0], COLUMN_ORDER[item[1]]))
        errors.extend(
            RowError(row_nos[k], self.header_of(key), value, reason)
            for k, key, value, reason in found
        )
        job_id = self.job.pk
        return [
            row
            for k, row in enumerate(
                zip(
                    (job_id,) * n,
                    row_nos,
                    usccs,
                    names,
                    kinds,
                    legal,
                    regions,
                    addresses,
                    sections,
                    divisions,
                    scales,
                    category_bits,
                    keys,
                    levels,
                    risks,
                    credits,
                    statuses,
                    phones,
                    agencies,
                    dedupe,
                    strict=True,
                )
            )
            if k not in bad
        ]

    def prescan(self, plain: PlainCsv) -> bool:
        """The first pass of a columnar check: find the twins, the rows that
        share a credit code, or a name and address, with another row.

        Twins all take the row check, in file order, which keeps the first
        good one as it always does; every other row is then the only one of
        its code and its name and address in the file, so blocks can be
        checked independently. False: the file cannot be read column-wise
        (ragged rows, bad UTF-8 …); the row check then reads all of it.
        """
        keys = [self.index[key] for key in ("uscc", "name", "address")]
        try:
            frame = columnar.read_columns(plain, keys)
        except columnar.Unreadable:
            return False
        if frame.height != plain.lines:
            return False
        raw_uscc, raw_name, raw_address = (frame.to_series(i).fill_null("") for i in range(3))
        codes = _codes(raw_uscc)
        name, address, safe = _texts(raw_name, raw_address)
        # Rows match when their matching forms (``normalize_text``) of name
        # and address do. Hashes stand for values here: a collision only
        # makes two more rows take the row check.
        pair_name, pair_address = columnar.normalized(name), columnar.normalized(address)
        unsafe = (~safe).arg_true()
        if len(unsafe):
            pairs = [
                _matching_pair(a.strip(), b.strip())
                for a, b in zip(
                    raw_name.gather(unsafe).to_list(),
                    raw_address.gather(unsafe).to_list(),
                    strict=True,
                )
            ]
            pair_name = pair_name.scatter(
                unsafe, pl.Series([p[0] for p in pairs], dtype=pl.String)
            )
            pair_address = pair_address.scatter(
                unsafe, pl.Series([p[1] for p in pairs], dtype=pl.String)
            )
        pair = pl.DataFrame({"n": pair_name, "a": pair_address}).select(pl.struct("n", "a").hash())
        twin = (codes.hash().is_duplicated() & (codes != "")) | (
            pair.to_series().is_duplicated() & pair_name.is_not_null()
        )
        self.twins = (twin.arg_true() + 2).cast(pl.Int64)  # row numbers: the header is row 1
        return True

    def clean_block(
        self, plain: PlainCsv, row_no: int, block: bytes, errors: list[RowError]
    ) -> Step:
        """Check a block of a plain CSV column-wise, after ``prescan``.

        Return the rows that went the fast way as a frame (``row_no`` and
        the staging fields), the staging tuples of the rows the row check
        took, and the number of rows read (blank lines do not count).
        """
        try:
            frame = columnar.read_block(plain, block)
        except columnar.Unreadable:
            rows = list(plain_rows(plain, row_no, block))
            return pl.DataFrame(), self.clean_chunk(rows, errors), len(rows)
        n = frame.height
        frame = frame.with_columns(
            pl.int_range(row_no, row_no + n, dtype=pl.Int64).alias("row_no")
        )
        cells = [f"c{i}" for i in range(plain.width)]
        # A blank line (every cell empty or spaces) is skipped, as the row
        # reader skips it; only rows whose first cell is blank can be one.
        first = frame.get_column("c0")
        maybe_blank = first.is_null() | first.str.contains(columnar.blank_cell())
        if maybe_blank.any():
            candidates = frame.filter(maybe_blank)
            blank = [_is_blank(list(values)) for values in candidates.select(cells).iter_rows()]
            drop = candidates.get_column("row_no").filter(pl.Series(blank, dtype=pl.Boolean))
            frame = frame.filter(~pl.col("row_no").is_in(drop.implode()))
            n = frame.height

        def column(key: str) -> pl.Series:
            i = self.index.get(key)
            if i is None:
                return pl.Series(key, [""] * n, dtype=pl.String)
            return frame.get_column(f"c{i}").fill_null("").alias(key)

        # Each check adds a boolean: true where the row surely passes it.
        sure: list[pl.Series] = [~frame.get_column("row_no").is_in(self.twins.implode())]
        raw_uscc = column("uscc")
        shaped = raw_uscc.str.contains(_SHAPED)
        usccs = raw_uscc.str.to_uppercase()
        valid = shaped.to_numpy().copy()
        if valid.any():
            valid[valid] = uscc_valid_joined(usccs.filter(shaped).str.join("").item())
        sure.append(pl.Series(valid))
        texts: dict[str, pl.Series] = {}
        texts["name"], texts["address"], safe = _texts(column("name"), column("address"))
        sure.append(safe)
        for key in ("legal_representative", "contact_phone"):
            raw = column(key)
            sure.append(raw.str.contains(columnar.SAFE_TEXT))
            texts[key] = raw.str.strip_chars(columnar.SAFE_SPACES)
        sure.extend(texts[key].str.len_chars() <= limit for key, limit in MAX_LENGTH.items())

        def resolve(key: str, fn: Callable[[str], Any], dtype: Any) -> pl.Series:
            found = columnar.by_value([column(key)], lambda v: (fn(v.strip()),), ["v"])
            result = found.get_column("v").cast(dtype)
            sure.append(result.is_not_null())
            return result

        kinds = resolve("kind", lambda v: self.kinds.get(v.upper()) if v else "", pl.String)
        prefixes = usccs.str.slice(0, 2).replace_strict(
            list(_KIND_BY_PREFIX),
            [str(k) for k in _KIND_BY_PREFIX.values()],
            default=str(EntityKind.OTHER),
        )
        kinds = pl.select(pl.when(kinds == "").then(prefixes).otherwise(kinds)).to_series()

        def coded(key: str, table: dict[str, str], default: str = "") -> pl.Series:
            return resolve(key, lambda v: table.get(v.upper()) if v else default, pl.String)

        scales = coded("scale", self.scales)
        levels = coded("standardization_level", self.levels)
        risks = coded("risk_level", self.risks)
        credits = coded("credit_class", self.credits)
        statuses = coded("status", self.statuses, EntityStatus.ACTIVE.value)
        keys = resolve("key_supervision", lambda v: self.booleans.get(v.upper()), pl.Boolean)

        region_values = columnar.by_value([column("region_code")], lambda v: (v.strip(),), ["v"])
        regions = pl.select(
            pl.when(region_values.get_column("v") == "")
            .then(usccs.str.slice(2, 6))
            .otherwise(region_values.get_column("v"))
        ).to_series()
        region_ok = columnar.by_value(
            [regions], lambda v: (not self._region_problems(v),), ["ok"]
        ).get_column("ok")
        sure.append(region_ok)

        industry = columnar.by_value(
            [column("industry_section"), column("industry_division")],
            lambda a, b: _passed(self._industry(a.strip(), b.strip())),
            ["section", "division", "ok"],
        )
        sure.append(industry.get_column("ok"))
        categories = columnar.by_value(
            [column("categories")], lambda v: _passed(self._categories(v.strip())), ["bits", "ok"]
        )
        sure.append(categories.get_column("ok"))
        agencies = columnar.by_value(
            [column("agency")], lambda v: _passed(self._agency(v.strip())), ["id", "ok"]
        )
        sure.append(agencies.get_column("ok"))

        fast = pl.select(pl.all_horizontal(*sure)).to_series()
        good = pl.DataFrame(
            {
                "row_no": frame.get_column("row_no"),
                "uscc": usccs,
                "name": texts["name"],
                "kind": kinds,
                "legal_representative": texts["legal_representative"],
                "region_code": regions,
                "address": texts["address"],
                "industry_section": industry.get_column("section"),
                "industry_division": industry.get_column("division"),
                "scale": scales,
                "category_bits": categories.get_column("bits").cast(pl.Int64),
                "key_supervision": keys,
                "standardization_level": levels,
                "risk_level": risks,
                "credit_class": credits,
                "status": statuses,
                "contact_phone": texts["contact_phone"],
                "supervising_agency_id": agencies.get_column("id").cast(pl.Int64),
            }
        ).filter(fast)
        folded = columnar.normalized(good.get_column("name") + "|" + good.get_column("address"))
        good = good.with_columns(
            pl.Series(
                "dedupe_key", [dedupe_hash(text) for text in folded.cast(pl.Binary).to_list()]
            )
        )
        slow = frame.filter(~fast)
        if slow.is_empty():
            return good, [], n
        rows = [
            (values[-1], [v if v is not None else "" for v in values[:-1]])
            for values in slow.select(*cells, "row_no").iter_rows()
        ]
        return good, self.clean_chunk(rows, errors), n

    # --- against the database ---------------------------------------------

    def check_database(self) -> list[RowError]:
        if self.job.processed_rows >= BULK_ROWS:
            analyze("registry_entitystaging")
        with bulk_joins(self.job.processed_rows):
            return self._check_database()

    def _check_database(self) -> list[RowError]:
        errors: list[RowError] = []
        drop: set[int] = set()
        scope = selectors.units_in_scope(self.actor)
        uscc_header = self.header_of("uscc")
        name_header = self.header_of("name")
        with connection.cursor() as cursor:
            if scope is not None:
                marks = ", ".join(["%s"] * len(scope)) or "NULL"
                cursor.execute(
                    "SELECT s.row_no, s.uscc, e.name, o.name FROM registry_entitystaging s "
                    "JOIN registry_entity e ON e.uscc = s.uscc AND e.merged_into_id IS NULL "
                    "JOIN core_orgunit o ON o.id = e.supervising_agency_id "
                    f"WHERE s.job_id = %s AND e.supervising_agency_id NOT IN ({marks})",
                    [self.job.pk, *scope],
                )
                for row_no, uscc, name, agency in cursor.fetchall():
                    drop.add(row_no)
                    errors.append(
                        RowError(
                            row_no,
                            uscc_header,
                            uscc,
                            _(
                                "Already registered as “%(name)s”, supervised by %(agency)s, "
                                "outside your scope."
                            )
                            % {"name": name, "agency": agency},
                        )
                    )
            cursor.execute(
                "SELECT s.row_no, s.name, e.uscc FROM registry_entitystaging s "
                "JOIN registry_entity e ON e.dedupe_key = s.dedupe_key "
                "AND e.merged_into_id IS NULL AND e.uscc <> s.uscc WHERE s.job_id = %s",
                [self.job.pk],
            )
            for row_no, name, other in cursor.fetchall():
                if row_no in drop:
                    continue
                drop.add(row_no)
                errors.append(
                    RowError(
                        row_no,
                        name_header,
                        name,
                        _(
                            "An entity with the same name and address is already registered "
                            "under code %(uscc)s."
                        )
                        % {"uscc": other},
                    )
                )
        self.drop_rows(drop)
        return errors

    def classify(self) -> tuple[int, int, int]:
        with bulk_joins(self.job.processed_rows), connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*), COUNT(e.id), "
                f"SUM(CASE WHEN e.id IS NOT NULL AND {_differs('e')} THEN 1 ELSE 0 END) "
                "FROM registry_entitystaging s "
                "LEFT JOIN registry_entity e ON e.uscc = s.uscc AND e.merged_into_id IS NULL "
                "WHERE s.job_id = %s",
                [self.job.pk],
            )
            total, matched, changed = cursor.fetchone()
        changed = int(changed or 0)
        return total - matched, changed, matched - changed

    # --- writing ------------------------------------------------------------

    def apply(self, progress: Callable[[int], None]) -> tuple[int, int, int]:
        bounds = self.staged().aggregate(lo=Min("row_no"), hi=Max("row_no"))
        if bounds["lo"] is None:
            return 0, 0, 0
        indexes_ensure()
        step = APPLY_CHUNK.get(connection.vendor, APPLY_CHUNK_DEFAULT)
        scope = selectors.units_in_scope(self.actor)
        created = updated = 0
        span = bounds["hi"] - bounds["lo"] + 1
        bulk = self._bulk_load()
        restore_now: list[str] = []
        restore_later: list[str] = []
        # A bulk load runs as one transaction (so dropping the indexes stays
        # atomic); otherwise each step commits on its own.
        with transaction.atomic() if bulk else contextlib.nullcontext():
            for lo in range(bounds["lo"], bounds["hi"] + 1, step):
                hi = lo + step - 1
                with transaction.atomic(), bulk_joins(self.job.valid_rows):
                    if connection.vendor == "postgresql":
                        with connection.cursor() as cursor:
                            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
                            cursor.execute("SET LOCAL work_mem = '128MB'")
                    if bulk and lo == bounds["lo"]:
                        restore_now, restore_later = bulk_detach("registry_entity")
                    # The check counted new and changed rows; a step with none
                    # (no changes in a first import, nothing new in a re-import)
                    # is skipped: the user imports what the check showed.
                    if self.job.changed_rows:
                        updated += self._update(lo, hi, scope)
                    if self.job.new_rows:
                        created += self._insert(lo, hi)
                progress(min(hi - bounds["lo"] + 1, span) * self.job.valid_rows // span)
            bulk_restore(restore_now)
        if bulk:
            logger.info("entity import %s: bulk load committed", self.job.pk)
            bulk_restore_parallel([*restore_later, ANALYZE])
        elif created + updated >= BULK_ROWS:
            analyze("registry_entity")
        skipped = max(self.job.valid_rows - created - updated - self.job.unchanged_rows, 0)
        return created, updated, skipped

    def _bulk_load(self) -> bool:
        """Is this import big next to the registry (at least doubling it)?

        Keeping every index up to date row by row then costs far more than
        building them again: the load drops them and the foreign keys,
        inserts, builds the unique indexes and checks the keys in one
        transaction (readers wait for it), commits, then builds the plain
        indexes (writers wait for those; readers meanwhile scan).
        """
        if connection.vendor != "postgresql" or self.job.new_rows < BULK_ROWS:
            return False
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT GREATEST(reltuples, 0) FROM pg_class "
                "WHERE oid = 'registry_entity'::regclass"
            )
            (estimate,) = cursor.fetchone()
        return self.job.new_rows >= estimate

    def _scope_sql(self, scope: list[int] | None, column: str) -> tuple[str, list[Any]]:
        if scope is None:
            return "", []
        marks = ", ".join(["%s"] * len(scope)) or "NULL"
        return f" AND {column} IN ({marks})", list(scope)

    def _update(self, lo: int, hi: int, scope: list[int] | None) -> int:
        now = timezone.now()
        scope_sql, scope_params = self._scope_sql(scope, "e.supervising_agency_id")
        entity_cols = ", ".join(f"e.{c}" for c in (*COMPARED, "supervising_agency_id"))
        staged_cols = ", ".join(f"s.{c}" for c in (*COMPARED, "supervising_agency_id"))
        changes: list[EntityChange] = []
        actor = self.actor if getattr(self.actor, "pk", None) else None
        label = self.actor.get_username() if actor is not None else "system"
        width = len(COMPARED) + 1
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.id, {entity_cols}, {staged_cols} FROM registry_entitystaging s "
                "JOIN registry_entity e ON e.uscc = s.uscc AND e.merged_into_id IS NULL "
                "WHERE s.job_id = %s AND s.row_no BETWEEN %s AND %s "
                f"AND {_differs('e')}{scope_sql}",
                [self.job.pk, lo, hi, *scope_params],
            )
            while batch := cursor.fetchmany(2000):
                for row in batch:
                    old, new = row[1 : 1 + width], row[1 + width :]
                    diff = {}
                    for name, before, after in zip(
                        (*COMPARED, "supervising_agency_id"), old, new, strict=True
                    ):
                        if name == "supervising_agency_id" and after is None:
                            continue
                        if before != after:
                            diff[name] = [before, after]
                    changes.append(
                        EntityChange(
                            entity_id=row[0],
                            kind=ChangeKind.IMPORTED,
                            changed_at=now,
                            actor=actor,
                            actor_label=label,
                            job_id=self.job.pk,
                            diff=diff,
                        )
                    )
            if not changes:
                return 0
            EntityChange.objects.bulk_create(changes, batch_size=2000)
            assignments = ", ".join(f"{c} = s.{c}" for c in COMPARED)
            target_scope, _params = self._scope_sql(scope, "registry_entity.supervising_agency_id")
            cursor.execute(
                f"UPDATE registry_entity SET {assignments}, "
                "supervising_agency_id = "
                "COALESCE(s.supervising_agency_id, registry_entity.supervising_agency_id), "
                "dedupe_key = s.dedupe_key, updated_at = %s "
                "FROM registry_entitystaging s "
                "WHERE s.job_id = %s AND s.row_no BETWEEN %s AND %s "
                "AND registry_entity.uscc = s.uscc AND registry_entity.merged_into_id IS NULL "
                f"AND {_differs('registry_entity')}{target_scope}",
                [
                    connection.ops.adapt_datetimefield_value(now),
                    self.job.pk,
                    lo,
                    hi,
                    *scope_params,
                ],
            )
        return len(changes)

    def _insert(self, lo: int, hi: int) -> int:
        """Insert the staged rows whose code is not registered yet.

        Rows of registered entities were handled by ``_update`` or are
        unchanged. Not sorted and no ON CONFLICT: on a million rows each of
        those costs more than the insert itself; the import lock keeps the
        NOT EXISTS check race-free.
        """
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        actor_id = self.actor.pk if getattr(self.actor, "pk", None) else None
        columns = ", ".join((*COMPARED, "uscc", "supervising_agency_id", "dedupe_key"))
        selected = ", ".join(f"s.{c}" for c in COMPARED)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO registry_entity ({columns}, "
                "created_at, updated_at, created_by_id, source_job_id) "
                f"SELECT {selected}, s.uscc, COALESCE(s.supervising_agency_id, %s), s.dedupe_key, "
                "%s, %s, %s, %s "
                "FROM registry_entitystaging s WHERE s.job_id = %s AND s.row_no BETWEEN %s AND %s "
                "AND NOT EXISTS (SELECT 1 FROM registry_entity e "
                "WHERE e.uscc = s.uscc AND e.merged_into_id IS NULL)",
                [self.job.unit_id, now, now, actor_id, self.job.pk, self.job.pk, lo, hi],
            )
            return max(cursor.rowcount, 0)


def export_row(entity: Entity, categories: list[RegulatoryCategory]) -> list[Any]:
    """One entity as a row of the import layout (so an export re-imports)."""
    return [
        entity.uscc,
        entity.name,
        labels.file_label(labels.KIND, entity.kind),
        entity.legal_representative,
        entity.region_code,
        entity.address,
        entity.industry_section,
        entity.industry_division,
        labels.file_label(labels.SCALE, entity.scale) if entity.scale else "",
        "、".join(c.name for c in categories if entity.category_bits & c.mask),
        "是" if entity.key_supervision else "否",
        labels.file_label(labels.STANDARDIZATION, entity.standardization_level)
        if entity.standardization_level
        else "",
        labels.file_label(labels.RISK, entity.risk_level) if entity.risk_level else "",
        entity.credit_class,
        labels.file_label(labels.STATUS, entity.status),
        entity.contact_phone,
        entity.supervising_agency.name,
    ]
