"""Every form of the product gives its widgets Bootstrap's classes (StyledMixin).

A form without it renders bare inputs on its page (the case forms did, issue 14).
"""

from __future__ import annotations

import importlib
import pkgutil

from django import forms

import fazhi
from fazhi.core.forms import StyledMixin


def _product_forms() -> list[type[forms.BaseForm]]:
    for info in pkgutil.walk_packages(fazhi.__path__, "fazhi."):
        if ".tests" in info.name or ".migrations" in info.name or info.name.endswith(".tests"):
            continue
        importlib.import_module(info.name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type] = [forms.Form, forms.ModelForm]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("fazhi.") and ".tests" not in sub.__module__:
                found.append(sub)
    return found


def test_every_form_is_styled():
    found = _product_forms()
    assert len(found) > 60
    bare = sorted(
        f"{f.__module__}.{f.__qualname__}" for f in found if not issubclass(f, StyledMixin)
    )
    assert bare == []


def test_a_list_of_checkboxes_gets_the_check_class_not_form_control():
    class Choices(StyledMixin, forms.Form):
        many = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple)
        hidden = forms.CharField(widget=forms.HiddenInput)

    form = Choices()
    assert form.fields["many"].widget.attrs["class"] == "form-check-input"
    # Each box in Bootstrap's form-check layout: a bare list let its label cover the box.
    assert '<div class="form-check">' in str(form["many"])
    assert "class" not in form.fields["hidden"].widget.attrs
