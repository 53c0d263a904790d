"""FastSelect writes the markup Django's Select writes, without a template per option."""

from __future__ import annotations

import re

import pytest
from django import forms

from fazhi.registry.widgets import FastSelect

CHOICES = [("", "Any"), ("A", "农、林、牧、渔业"), ("B", "<b>&采矿业</b>"), (3, "三")]


def _options(html: str) -> list[tuple[str, bool, str]]:
    return [
        (value, bool(selected), label)
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html
        )
    ]


@pytest.mark.parametrize("value", [None, "", "B", "3", "missing"])
def test_the_same_options_as_django(value):
    attrs = {"id": "id_x", "class": "form-select"}
    ours = FastSelect(choices=CHOICES, attrs=attrs).render("x", value)
    django = forms.Select(choices=CHOICES, attrs=attrs).render("x", value)
    assert _options(ours) == _options(django)
    assert ours.startswith('<select class="form-select" id="id_x" name="x">')
    assert "<b>" not in ours
    assert "&lt;b&gt;&amp;采矿业&lt;/b&gt;" in ours


def test_a_filter_form_keeps_its_choice_and_validation(personas):
    from fazhi.registry.forms import EntityFilterForm

    form = EntityFilterForm({"industry_division": "01"}, actor=personas.admin)
    assert form.is_valid()
    html = str(form["industry_division"])
    assert '<option value="01" selected>' in html
    assert isinstance(form.fields["industry_division"].widget, FastSelect)


def test_fixed_choices_are_shared_by_every_form_and_still_validate(personas):
    """Django deep-copies a form's choices for every form; fixed ones are made
    once and shared, and an unknown value is still refused."""
    from fazhi.registry.forms import EntityFilterForm

    one = EntityFilterForm({"industry_division": "99"}, actor=personas.admin)
    two = EntityFilterForm({"industry_division": "26"}, actor=personas.admin)
    assert one.fields["industry_division"].choices is two.fields["industry_division"].choices
    assert not one.is_valid()
    assert "industry_division" in one.errors
    assert two.is_valid()
    assert '<option value="26" selected>' in str(two["industry_division"])
