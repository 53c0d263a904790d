"""Fixtures of the law-library tests: the shipped texts and a few imported laws."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from fazhi.core.tests.factories import SYSTEM
from fazhi.laws.models import Law
from fazhi.laws.services import law_import

DATA = Path(__file__).resolve().parents[1] / "data" / "laws"
ALL_FILES = sorted(DATA.glob("*.md"))


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    """Assert on the English source strings, whatever the default language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def law_file(short: str) -> Path:
    """The shipped file of a law by its short title (e.g. 安全生产法)."""
    matches = [p for p in ALL_FILES if p.name.split("(")[0] == short]
    assert matches, short
    return matches[0]


@pytest.fixture
def import_law(db: None) -> Callable[..., Law]:
    """Import one shipped law (by short title) and return it."""

    def _import(short: str) -> Law:
        path = law_file(short)
        result = law_import(actor=SYSTEM, text=path.read_text("utf-8"), source_name=path.name)
        assert not result.errors, result.errors
        assert result.law is not None
        return result.law

    return _import


@pytest.fixture
def safety_law(import_law: Callable[..., Law]) -> Law:
    return import_law("安全生产法")
