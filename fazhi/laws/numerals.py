"""Chinese numerals as used in article labels (第一百零一条, 第十条之一).

``cn_to_int("一百零一") == 101`` and ``int_to_cn(101) == "一百零一"``; both
accept the plain forms used in legal texts (no 壹贰叁).
"""

from __future__ import annotations

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "零〇一二三四五六七八九十百千两"
_WRITE = "零一二三四五六七八九"


def cn_to_int(text: str) -> int:
    """Return the value of a Chinese (or Arabic) numeral; raise ValueError if it is none."""
    text = text.strip()
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    total = 0
    current = 0
    for ch in text:
        if ch in DIGITS:
            current = DIGITS[ch]
        elif ch in UNITS:
            total += (current or 1) * UNITS[ch]
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + current


def int_to_cn(value: int) -> str:
    """Write 1–9999 the way laws do: 十, 十五, 二十, 一百零一, 一百一十."""
    if value <= 0 or value > 9999:
        raise ValueError(f"out of range: {value}")
    parts: list[str] = []
    zero_pending = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = value // unit_value % 10
        if digit == 0:
            if parts:
                zero_pending = True
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        if unit == "十" and digit == 1 and not parts:
            parts.append("十")
        else:
            parts.append(_WRITE[digit] + unit)
    return "".join(parts)


def article_label(number: int, suffix: int = 0) -> str:
    """Return ``第X条`` or ``第X条之Y``."""
    label = f"第{int_to_cn(number)}条"
    if suffix:
        label += f"之{int_to_cn(suffix)}"
    return label


def article_anchor(number: int, suffix: int = 0) -> str:
    """Return the ASCII key used in article URLs: ``99`` or ``10-1``."""
    return f"{number}-{suffix}" if suffix else str(number)


def parse_anchor(anchor: str) -> tuple[int, int] | None:
    """Parse ``99``, ``10-1`` or a label such as ``第十条之一``; None if it is neither."""
    anchor = anchor.strip()
    try:
        if anchor.startswith("第"):
            body = anchor[1:]
            number_text, _, rest = body.partition("条")
            suffix_text = rest[1:] if rest.startswith("之") else ""
            if rest and not suffix_text:
                return None
            return cn_to_int(number_text), cn_to_int(suffix_text) if suffix_text else 0
        number_text, _, suffix_text = anchor.partition("-")
        if not number_text.isdigit() or (suffix_text and not suffix_text.isdigit()):
            return None
        return int(number_text), int(suffix_text) if suffix_text else 0
    except ValueError:
        return None
