"""Dates and money written as a Chinese legal section writes them.

2026年12月5日 (GB/T 9704 writes 成文日期 in Arabic numerals) and 1.5万元 /
2,000元: amounts of ten thousand yuan or more in 万元, smaller ones in 元,
never with trailing zeros.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

WAN = Decimal(10_000)


def cn_date(day: datetime.date | datetime.datetime | None) -> str:
    """Write ``day`` as 2026年12月5日 (empty for None)."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def wan_yuan(amount: Decimal | int | float | str | None) -> str:
    """Write an amount in yuan: 15000 → 1.5万元, 2000 → 2000元, 0.5 → 0.5元."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount))
    if abs(value) >= WAN:
        return f"{_plain(value / WAN)}万元"
    return f"{_plain(value)}元"
