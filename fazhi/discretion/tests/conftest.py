"""Fixtures of the discretion tests: the real law texts and the discretion seed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from fazhi.core.tests.factories import SYSTEM
from fazhi.discretion.seed import NATIONAL, discretion_seed, ensure_laws

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
FEW = {
    "AQ092-01",
    "AQ095",
    "AQ096",
    "AQ097-04",
    "AQ097-05",
    "AQ097-06",
    "AQ099-01",
    "AQ101-02",
    "AQ104",
    "AQ114",
}


def adopt_national(*agencies: Any) -> None:
    """Let ``agencies`` apply the national baseline (应急〔2024〕90号)."""
    from fazhi.discretion import services
    from fazhi.discretion.models import Baseline

    national = Baseline.objects.get(document_number=NATIONAL)
    for agency in agencies:
        services.baseline_adopt(
            actor=SYSTEM, agency=agency, baseline=national, adopted_on=national.effective_from
        )


@pytest.fixture
def seeded(request: pytest.FixtureRequest, laws: None) -> None:
    """Rules, circumstances, the ``FEW`` entries and their no-penalty rows.

    With the ``personas`` fixture, the city and both counties adopt the
    national baseline.
    """
    discretion_seed(actor=SYSTEM, codes=FEW)
    if "personas" in request.fixturenames:
        personas = request.getfixturevalue("personas")
        adopt_national(personas.city, personas.county_a, personas.county_b)


@pytest.fixture
def seeded_all(laws: None) -> None:
    """The whole discretion seed: 38 entries."""
    discretion_seed(actor=SYSTEM)
