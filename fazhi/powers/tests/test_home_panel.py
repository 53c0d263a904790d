"""The home page's catalog card shows the user's own agency's catalog."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fazhi.powers.tests import factories as f

pytestmark = pytest.mark.usefixtures("laws")


def test_a_county_user_sees_the_county_catalog_not_the_citys(personas) -> None:
    city = f.catalog(personas.city, 2026, personas.city_legal, count=1, publish=True)
    county = f.catalog(personas.county_a, 2026, personas.county_a_brigade, count=1, publish=True)
    page = personas.client(personas.county_a_officer).get(reverse("home")).content.decode()
    card = page.split('data-testid="powers-panel"', 1)[1][:2000]
    assert reverse("powers:catalog_detail", args=[county.pk]) in card
    assert reverse("powers:catalog_detail", args=[city.pk]) not in card
    city_page = personas.client(personas.city_reviewer).get(reverse("home")).content.decode()
    city_card = city_page.split('data-testid="powers-panel"', 1)[1][:2000]
    assert reverse("powers:catalog_detail", args=[city.pk]) in city_card
