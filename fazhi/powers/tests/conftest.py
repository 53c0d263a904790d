"""Fixtures of the powers tests: the real law texts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from fazhi.core.tests.factories import SYSTEM
from fazhi.powers.demo import ensure_laws

CATALOG_LAWS = [
    "安全生产法(2021-06-10).md",
    "行政处罚法(2021-01-22).md",
    "危险化学品安全管理条例(2013-12-07).md",
    "烟花爆竹安全管理条例(2016-02-06).md",
    "安全生产许可证条例(2014-07-29).md",
]


@pytest.fixture(autouse=True)
def _english(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Messages are asserted in English (the msgids), whatever the translations say.

    Pages are Chinese by default (DefaultLanguageMiddleware), so the persona
    clients of these tests carry the English language cookie.
    """
    if "personas" in request.fixturenames:
        persona_class = type(request.getfixturevalue("personas"))
        make_client = persona_class.client

        def english_client(self: Any, user: Any) -> Any:
            client = make_client(self, user)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            return client

        monkeypatch.setattr(persona_class, "client", english_client)
    with translation.override("en"):
        yield


@pytest.fixture
def laws(db: None) -> None:
    """The law texts powers cite, imported through the laws app."""
    ensure_laws(actor=SYSTEM, names=CATALOG_LAWS)
