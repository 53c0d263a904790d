"""A select widget rendered in Python, for filter forms with long option lists.

Django renders each ``<option>`` through a template include: the entity
list's filter form (97 industry divisions, 20 sections, the agencies, the
categories…) spent more time there than in everything else on the page.
``FastSelect`` writes the same markup directly.

A select whose choices never change while the server runs (a ``TextChoices``
list, the industry table) is marked ``fixed`` by ``fast_selects``: its
options are written once per language and reused, with ``selected`` set at
render. Choices read from the database (agencies, regulatory categories,
which a user edits) are written on every render, so an edit shows at once.
Its choices become ``FixedChoices``, made once and shared by every form:
Django otherwise deep-copies each field's choices for every form it makes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# (fixed key, language) -> [(option value, "<option …" before " selected", rest)]
_OPTIONS: dict[tuple[str, str | None], list[tuple[str, str, str]]] = {}


class FixedChoices(BaseChoiceIterator):
    """Choices that never change while the server runs: made on first use
    (``make``, so importing a form loads no table) and shared, not copied,
    by every form made from the class. Django takes a choice iterator as it
    is, without normalizing it again."""

    def __init__(self, make: Callable[[], Iterable[tuple[Any, Any]]]) -> None:
        self._make = make
        self._choices: tuple[tuple[Any, Any], ...] | None = None

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self._choices is None:
            self._choices = tuple(self._make())
        return iter(self._choices)

    def __copy__(self) -> FixedChoices:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FixedChoices:
        return self


class FastSelect(forms.Select):
    """``forms.Select`` without a template per option (flat choices only)."""

    fixed: str = ""  # a key naming choices that never change (see the module)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        options = self._options()
        if options is None:
            return super().render(name, value, attrs, renderer)  # option groups
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        wanted = set(self.format_value(value))
        parts: list[str] = [format_html("<select{}>", flatatt(final))]
        chosen = False
        for option, head, tail in options:
            selected = not chosen and option in wanted
            chosen = chosen or selected
            parts.append(f"{head} selected{tail}" if selected else head + tail)
        parts.append("</select>")
        return mark_safe("".join(parts))

    def _options(self) -> list[tuple[str, str, str]] | None:
        key = (self.fixed, get_language())
        if self.fixed and key in _OPTIONS:
            return _OPTIONS[key]
        if any(isinstance(label, list | tuple) for _value, label in self.choices):
            return None
        options = []
        for value, label in self.choices:
            option = "" if value is None else str(value)
            head = f'<option value="{conditional_escape(option)}"'
            options.append((option, head, f">{conditional_escape(str(label))}</option>"))
        if self.fixed:
            _OPTIONS[key] = options
        return options


def fast_selects(form: forms.Form | type[forms.Form], fixed: tuple[str, ...] = ()) -> None:
    """Swap the plain selects of ``form`` for ``FastSelect`` (before setting choices).

    ``form`` is a form, or a form class (its fields, once, at import).
    ``fixed`` names the fields whose choices never change while the server
    runs: their options are written once per language, and their choices
    are made once and shared (``FixedChoices``).
    """
    form_class = form if isinstance(form, type) else type(form)
    fields = form.base_fields if isinstance(form, type) else form.fields
    for name, field in fields.items():
        if type(field.widget) is forms.Select:
            widget = FastSelect(attrs=field.widget.attrs, choices=field.widget.choices)
            widget.is_required = field.widget.is_required
            field.widget = widget
            if name in fixed and isinstance(field, forms.ChoiceField):
                widget.fixed = f"{form_class.__module__}.{form_class.__qualname__}.{name}"
                choices = field.choices
                if not isinstance(choices, FixedChoices):
                    choices = FixedChoices(partial(tuple, list(field.widget.choices)))
                field.choices = choices  # the field's and the widget's
