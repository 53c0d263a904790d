"""Fixtures of the discretion tests: the real law texts and the discretion seed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from fazhi.core.tests.factories import SYSTEM
from fazhi.discretion.seed import discretion_seed, ensure_laws

SEED_LAWS = ["安全生产法(2021-06-10).md", "行政处罚法(2021-01-22).md"]


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
    """The law texts the discretion seed cites, imported through the laws app."""
    ensure_laws(actor=SYSTEM, names=SEED_LAWS)


# The entries most tests need: DOMAIN §6.4's three, a fixed-percentage one, a
# circumstance-tiered one and those with no-penalty rows.
FEW = {"AQ092-01", "AQ095", "AQ097-04", "AQ097-05", "AQ097-06", "AQ099-01", "AQ101-02", "AQ114"}


@pytest.fixture
def seeded(laws: None) -> None:
    """Rules, circumstances, the ``FEW`` entries and their no-penalty rows."""
    discretion_seed(actor=SYSTEM, codes=FEW)


@pytest.fixture
def seeded_all(laws: None) -> None:
    """The whole discretion seed: 38 entries."""
    discretion_seed(actor=SYSTEM)
