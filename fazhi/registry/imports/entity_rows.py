"""The entity list's row check: each cell of a chunk of rows, column by
column, with code tables resolved once per distinct value."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from fazhi.core import codes
from fazhi.core.models import OrgUnit
from fazhi.registry import industries, selectors
from fazhi.registry.choices import EntityKind, EntityStatus
from fazhi.registry.fastcodes import uscc_valid_mask
from fazhi.registry.imports import labels, vocabulary
from fazhi.registry.imports.entity_layout import (
    _KIND_BY_PREFIX,
    _SPLIT,
    COLUMN_ORDER,
    MAX_LENGTH,
    Problem,
)
from fazhi.registry.imports.readers import cell_text
from fazhi.registry.imports.report import RowError
from fazhi.registry.imports.spec import ImportSpec
from fazhi.registry.models import RegulatoryCategory, dedupe_key


def territory_prefix(region_code: str) -> str:
    """The prefix every region code in a unit's territory starts with:
    370811 (a county) itself, 3708 for a city (370800), 37 for a province."""
    code = region_code.strip()
    if len(code) != 6 or not code.isdigit():
        return ""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


class EntityRowCheck(ImportSpec):
    """Checks entity rows one chunk at a time (``clean_chunk``)."""

    def prepare(self) -> None:
        self.seen_uscc: dict[str, int] = {}
        self.seen_key: dict[str, int] = {}
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
        # Rows must lie in the importing agency's territory (issue 14): a
        # county imports its own county's entities, a city its counties'.
        agency = self.job.unit.agency()
        self.territory = territory_prefix(agency.region_code)
        # The agency's own words, mapped on an earlier file.
        vocabulary.merge(self, agency)
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
            "territory": _(
                "Outside the territory of %(agency)s (%(code)s); the unit that covers "
                "this region imports it."
            )
            % {"agency": agency.name, "code": agency.region_code},
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
        if not check.valid:
            return [("region_code", value, str(check.reason))]
        if self.territory and not value.startswith(self.territory):
            return [("region_code", value, self.messages["territory"])]
        return []

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
