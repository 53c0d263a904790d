"""Checking a plain CSV block by block with polars instead of row by row.

A million-row file spends most of its check in Python's per-row work:
reading the cells, looking each up, building a tuple. Here a block of lines
becomes a polars frame; each column is checked at once, and code-table
columns are resolved once per distinct value by the same Python functions
the row check uses. A row goes the fast way only when every check is one
whose answer is certain here; any other row (a bad one, an unusual one)
goes back to the row check (``ImportSpec.clean_chunk``), which reports it
exactly as it would have. A test holds the two ways to the same result.

Rows that share a credit code, or a name and address, with another row
(found by a first pass over the whole file) all take the row check, in
order, so that it keeps the first good one as always. Text is only taken
the fast way when it consists of characters whose duplicate-matching form
(``normalize_text``: NFKC, no spaces, upper case) is known character by
character (``SAFE_TEXT``), so the two ways cannot disagree about which rows
are duplicates. See ``docs/decisions/0005-columnar-entity-check.md``.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from fazhi.registry.imports.readers import PlainCsv

# Characters in a "safe" text: printable ASCII, CJK ideographs and CJK
# punctuation that NFKC leaves alone, full-width ASCII forms (NFKC maps each
# to one ASCII character) and the ideographic space; but not the separator
# the duplicate key puts between name and address, so that a safe name and
# address are one pair of matching forms.
SEPARATOR = "|"
_CANDIDATES = (
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0x3000, 0x3040)]
    + [chr(c) for c in range(0x3400, 0x4DC0)]
    + [chr(c) for c in range(0x4E00, 0xA000)]
    + [chr(c) for c in range(0xFF01, 0xFF5F)]
    + ["·", "—"]
)


def _safe_characters() -> tuple[str, dict[str, str]]:
    """Return the safe characters, and the matching form of those it changes."""
    safe, changes = [], {}
    for char in _CANDIDATES:
        folded = unicodedata.normalize("NFKC", char)
        if unicodedata.combining(char) or len(folded) != 1:
            continue
        if not (folded.isascii() or (folded == char and folded.upper() == char)):
            continue
        matching = "".join(folded.split()).upper()  # as ``normalize_text`` does
        if matching == SEPARATOR:
            continue
        safe.append(char)
        if matching != char:
            changes[char] = matching
    return "".join(safe), changes


SAFE_CHARACTERS, _CHANGES = _safe_characters()


def _char_class(chars: str) -> str:
    """A regex character class of ``chars`` as ranges."""
    codes = sorted({ord(c) for c in chars})
    parts, start = [], codes[0]
    for previous, current in zip(codes, [*codes[1:], -1], strict=True):
        if current != previous + 1:
            parts.append(
                f"\\x{{{start:x}}}"
                if start == previous
                else f"\\x{{{start:x}}}-\\x{{{previous:x}}}"
            )
            start = current
    return "[" + "".join(parts) + "]"


SAFE_TEXT = "^" + _char_class(SAFE_CHARACTERS) + "*$"
SAFE_SPACES = " \u3000"  # the safe characters ``str.strip`` removes


@functools.cache
def blank_cell() -> str:
    """A regex matching what ``str.strip`` empties (Python's idea of space)."""
    return "^" + _char_class("".join(chr(c) for c in range(0x110000) if chr(c).isspace())) + "*$"


class Unreadable(Exception):
    """The block is not a clean table (ragged rows, bad UTF-8 …)."""


def _names(plain: PlainCsv) -> list[str]:
    return [f"c{i}" for i in range(plain.width)]


def read_block(plain: PlainCsv, block: bytes) -> pl.DataFrame:
    """Parse a block of lines into string columns ``c0`` … (nulls for empty
    cells). The header line goes first: it, not the block's first row, sets
    how many cells a row has (fewer: the rest are empty; more: unreadable)."""
    try:
        return pl.read_csv(
            io.BytesIO(plain.header + block),
            has_header=True,
            new_columns=_names(plain),
            infer_schema=False,
            separator=plain.delimiter,
            quote_char=None,
            encoding="utf8",
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise Unreadable(str(exc)) from exc


def read_columns(plain: PlainCsv, positions: Sequence[int]) -> pl.DataFrame:
    """Read some columns of the whole file (also a check of its encoding; a
    row with too many cells may pass unseen, but its block will not)."""
    names = _names(plain)
    try:
        return (
            pl.scan_csv(
                plain.path,
                has_header=True,
                with_column_names=lambda _header: names,
                infer_schema=False,
                separator=plain.delimiter,
                quote_char=None,
                encoding="utf8",
            )
            .select(names[i] for i in positions)
            .collect()
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise Unreadable(str(exc)) from exc


def normalized(text: pl.Series) -> pl.Series:
    """``normalize_text`` of safe texts (see ``SAFE_TEXT``), column-wise: each
    character has one matching form (CJK: itself), so one pass of
    replacements gives it."""
    return text.str.replace_many(list(_CHANGES), list(_CHANGES.values()))


def by_value(
    columns: Sequence[pl.Series], resolve: Callable[..., tuple[Any, ...]], names: Sequence[str]
) -> pl.DataFrame:
    """Resolve each distinct combination of ``columns`` once with ``resolve``.

    ``resolve`` takes the values and returns one value per name in
    ``names``; the result has those columns, in the rows' order.
    """
    keys = pl.DataFrame({f"k{i}": column for i, column in enumerate(columns)})
    distinct = keys.unique()
    results = [resolve(*values) for values in distinct.iter_rows()]
    if len(columns) == 1:
        old = distinct.to_series()
        return pl.DataFrame(
            {
                name: columns[0].replace_strict(
                    old, pl.Series(name, [r[i] for r in results], strict=False)
                )
                for i, name in enumerate(names)
            }
        )
    table = distinct.with_columns(
        pl.Series(name, [r[i] for r in results], strict=False) for i, name in enumerate(names)
    )
    return keys.join(table, on=list(keys.columns), how="left", maintain_order="left").select(names)
