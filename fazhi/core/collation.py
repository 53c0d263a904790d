"""Names in pinyin order (安 < 李 < 王 < 张), as a Chinese roster is sorted.

PostgreSQL sorts with its ICU collation ``zh-x-icu``, whose Chinese order is
pinyin. SQLite has no such collation, so every SQLite connection gets one
(``fazhi_pinyin``) keyed by pypinyin. Decision 0021.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate
from pypinyin import Style, lazy_pinyin

POSTGRES_COLLATION = "zh-x-icu"
SQLITE_COLLATION = "fazhi_pinyin"


@lru_cache(maxsize=65536)
def pinyin_key(text: str) -> tuple[tuple[str, ...], str]:
    """Sort key: the syllables with their tone (li3 < wang2), then the text
    itself so that homophones keep a stable order."""
    return tuple(lazy_pinyin(text or "", style=Style.TONE3, neutral_tone_with_five=True)), text


def _compare(a: str | None, b: str | None) -> int:
    ka, kb = pinyin_key(a or ""), pinyin_key(b or "")
    return (ka > kb) - (ka < kb)


def by_pinyin(field: str) -> Any:
    """An ``order_by`` term sorting ``field`` in pinyin order."""
    name = POSTGRES_COLLATION if connection.vendor == "postgresql" else SQLITE_COLLATION
    return Collate(F(field), name)


def sqlite_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Register the pinyin collation on each new SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _compare)
