from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path) -> Iterator[None]:
    """Fast hashing, files in a temporary media root, and English messages:
    the tests match message text, whatever the catalogs translate."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
