"""Every unit picker names the agency of a section (four counties have a 法规股)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fazhi.core.formfields import unit_choices
from fazhi.core.models import OrgUnit
from fazhi.core.tests import factories

pytestmark = pytest.mark.django_db

PICKERS = [
    "core:unit_create",
    "core:user_create",
    "core:user_list",
    "registry:entity_create",
    "registry:officer_create",
    "registry:officer_list",
    "registry:agency_create",
]


@pytest.fixture
def sections(personas):
    factories.unit("法规股", personas.county_a)
    factories.unit("法规股", personas.county_b)


def test_hand_built_unit_choices_name_the_agency(personas, sections, django_assert_num_queries):
    units = OrgUnit.objects.all()
    with django_assert_num_queries(1):
        labels = [label for _pk, label in unit_choices(units)]
    assert "任城区应急管理局 / 法规股" in labels
    assert "微山县应急管理局 / 法规股" in labels


@pytest.mark.parametrize("name", PICKERS)
def test_each_unit_picker_page_disambiguates_sections(personas, sections, name):
    html = personas.client(personas.admin).get(reverse(name)).content.decode()
    assert "任城区应急管理局 / 法规股" in html, name
    assert "微山县应急管理局 / 法规股" in html, name
