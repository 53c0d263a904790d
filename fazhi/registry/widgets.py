"""A select widget rendered in Python, for filter forms with long option lists.

Django renders each ``<option>`` through a template include: the entity
list's filter form (97 industry divisions, 20 sections, the agencies, the
categories…) spent more time there than in everything else on the page.
``FastSelect`` writes the same markup directly. The escaped option labels are
kept per language, since the choices are fixed lists that only translate.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


class FastSelect(forms.Select):
    """``forms.Select`` without a template per option (flat choices only)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        if any(isinstance(label, list | tuple) for _value, label in self.choices):
            return super().render(name, value, attrs, renderer)  # option groups
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        wanted = set(self.format_value(value))
        parts: list[str] = [format_html("<select{}>", flatatt(final))]
        chosen = False
        for value_, label in self.choices:
            option = "" if value_ is None else str(value_)
            selected = not chosen and option in wanted
            chosen = chosen or selected
            parts.append(
                f'<option value="{conditional_escape(option)}"'
                f"{' selected' if selected else ''}>{conditional_escape(str(label))}</option>"
            )
        parts.append("</select>")
        return mark_safe("".join(parts))


def fast_selects(form: forms.Form) -> None:
    """Swap the plain selects of ``form`` for ``FastSelect`` (before setting choices)."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            widget = FastSelect(attrs=field.widget.attrs, choices=field.widget.choices)
            widget.is_required = field.widget.is_required
            field.widget = widget
