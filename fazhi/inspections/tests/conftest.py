from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def personas(personas: Any) -> Any:
    """The shared personas, with the 机关代字 that numbering needs."""
    abbrs = ((personas.city, "示"), (personas.county_a, "任"), (personas.county_b, "微"))
    for unit, abbr in abbrs:
        unit.doc_abbr = abbr
        unit.save(update_fields=["doc_abbr"])
    return personas


@pytest.fixture(autouse=True)
def _english(settings: Any, tmp_path: Any) -> Any:
    """English messages (the tests match message text) and files in a temporary root."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with translation.override("en"):
        yield
