"""Batch code checks for imports: the same rules as ``fazhi.core.codes``.

``validate_uscc`` costs about 2 µs a call; a million-row import would spend
seconds in it. ``uscc_valid_mask`` checks a whole chunk of codes with numpy
in one pass and gives exactly the same verdict (a property test holds it to
that); only the codes it rejects go back to ``validate_uscc`` for the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fazhi.core.codes import USCC_ALPHABET

_WEIGHTS = np.array(
    (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28), dtype=np.int64
)
_INVALID = 255
_VALUE = np.full(256, _INVALID, dtype=np.uint8)
for _i, _ch in enumerate(USCC_ALPHABET):
    _VALUE[ord(_ch)] = _i
_FIRST_OK = np.zeros(256, dtype=bool)
for _ch in "123456789ANY":
    _FIRST_OK[ord(_ch)] = True
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[ord("0") : ord("9") + 1] = True


def uscc_valid_mask(codes: Sequence[str]) -> np.ndarray:
    """Return a boolean array: is each (already stripped, upper-case) code valid?"""
    n = len(codes)
    result = np.zeros(n, dtype=bool)
    if n == 0:
        return result
    shaped = [i for i, c in enumerate(codes) if len(c) == 18 and c.isascii()]
    if not shaped:
        return result
    result[np.asarray(shaped, dtype=np.int64)] = uscc_valid_joined(
        "".join(codes[i] for i in shaped)
    )
    return result


def uscc_valid_joined(joined: str) -> np.ndarray:
    """Check codes of exactly 18 ASCII characters each, given end to end."""
    chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    values = _VALUE[chars]
    ok = ~(values == _INVALID).any(axis=1)
    ok &= _FIRST_OK[chars[:, 0]]
    ok &= _DIGIT[chars[:, 2:8]].all(axis=1)
    total = values[:, :17].astype(np.int64) @ _WEIGHTS
    ok &= ((31 - total % 31) % 31) == values[:, 17]
    return ok
