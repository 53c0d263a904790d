"""Forms for numbering patterns and 文书 templates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core import selectors
from fazhi.core.forms import StyledMixin
from fazhi.core.models import NumberPattern


class NumberPatternForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = NumberPattern
        fields = ["kind", "label", "agency", "pattern"]
        help_texts = {
            "pattern": _(
                "Fields: {agency_abbr} (机关代字), {year}, {seq} or {seq:04d}; "
                "e.g. {agency_abbr}应急罚〔{year}〕{seq}号."
            ),
            "agency": _("Empty: the default for every agency."),
        }

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = selectors.agency_list(actor=actor)


class TemplateUploadForm(StyledMixin, forms.Form):
    code = forms.SlugField(label=_("code"), max_length=60)
    name = forms.CharField(
        label=_("name"),
        max_length=100,
        required=False,
        help_text=_("Needed for a new template; a new version keeps the name if left empty."),
    )
    file = forms.FileField(label=_("Word file (.docx)"))
    note = forms.CharField(label=_("note"), max_length=255, required=False)
