"""Form widgets for the browser's own date pickers, in ISO whatever the language.

``settings.FORMAT_MODULE_PATH`` already puts ISO first for every language;
these widgets also say so where a form is declared, so a new form needs no
``attrs={"type": "date"}`` of its own.
"""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    """``<input type=date>`` with its value as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """``<input type=datetime-local>`` with its value as YYYY-MM-DDTHH:MM."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")
