"""A draw's selection rows: the COPY text numpy writes is the text a loop would print."""

from __future__ import annotations

import numpy as np
import pytest

from fazhi.inspections import draw, selection_rows


def _columns(rng: np.random.Generator, count: int, team: int) -> selection_rows.Columns:
    entities = rng.integers(0, 10**18, count)
    entities[: min(count, 3)] = [0, 9, 10][: min(count, 3)]  # one digit, the first with two
    return selection_rows.Columns(
        entities=entities,
        ranks=rng.permutation(count).astype(np.int64) + 1,
        strata=rng.integers(0, len(draw.STRATA), count).astype(np.int8),
        samples=rng.integers(0, len(selection_rows.SAMPLES), count).astype(np.int8),
        teams=rng.integers(0, 100_000, (count, team)),
    )


@pytest.mark.parametrize(("count", "team"), [(0, 2), (1, 1), (5, 2), (2_000, 3)])
def test_copy_text_is_the_rows_printed_one_by_one(count: int, team: int) -> None:
    columns = _columns(np.random.default_rng(count), count, team)
    rows = selection_rows._rows(7, columns)
    printed = "".join("\t".join(str(value) for value in row) + "\n" for row in rows)
    assert selection_rows.copy_text(7, columns) == printed.encode("ascii")
    if count:
        first = rows[0]
        assert first[0] == 7
        assert first[5] == "selected"
        assert first[6] == str(columns.teams[0].tolist())  # a JSON list: "[1, 2]"


def test_lines_text_refuses_negative_numbers() -> None:
    with pytest.raises(ValueError, match="negative"):
        selection_rows.lines_text(2, [np.array([1, -1], np.int64), b"\n"])
