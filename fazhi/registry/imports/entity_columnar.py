"""The entity list's columnar check of big plain CSV files (decision 0005)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from fazhi.registry.choices import EntityKind, EntityStatus
from fazhi.registry.fastcodes import uscc_valid_joined
from fazhi.registry.imports import columnar
from fazhi.registry.imports.entity_layout import _KIND_BY_PREFIX, MAX_LENGTH
from fazhi.registry.imports.entity_rows import EntityRowCheck
from fazhi.registry.imports.readers import PlainCsv, _is_blank, plain_rows
from fazhi.registry.imports.report import RowError
from fazhi.registry.imports.spec import ColumnarSpec, Step
from fazhi.registry.models import dedupe_hash, normalize_text

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


class EntityColumnarCheck(EntityRowCheck, ColumnarSpec):
    """Checks a big plain CSV column-wise; odd rows go to the row check."""

    def prepare(self) -> None:
        super().prepare()
        self.twins = pl.Series(dtype=pl.Int64)  # rows of a columnar check taking the row check

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
