"""The text of a number pattern: check it and write one number (no database).

``fazhi.core.models`` validates ``NumberPattern`` rows with it, and
``fazhi.core.numbering`` allocates numbers with it.
"""

from __future__ import annotations

import string

from django.utils.translation import gettext as _

FIELDS = {"agency_abbr", "year", "seq"}


def pattern_problem(pattern: str) -> str | None:
    """Return why ``pattern`` cannot number documents, or None if it can."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError:
        return _("The pattern has an unbalanced brace.")
    unknown = names - FIELDS
    if unknown:
        return _(
            "Unknown field(s) in the pattern: %(names)s. Use {agency_abbr}, {year}, {seq}."
        ) % {"names": ", ".join(sorted(unknown))}
    if not {"year", "seq"} <= names:
        return _("A pattern must contain {year} and {seq}: numbers restart every year.")
    try:
        number_format(pattern, agency_abbr="济", year=2026, seq=1)
    except (ValueError, TypeError):
        return _("The pattern's format of {seq} is not valid (e.g. {seq:04d}).")
    return None


def number_format(pattern: str, *, agency_abbr: str, year: int, seq: int) -> str:
    """Write one number: ``{agency_abbr}应急罚〔{year}〕{seq}号`` → 济应急罚〔2026〕12号."""
    return pattern.format(agency_abbr=agency_abbr, year=year, seq=seq)
