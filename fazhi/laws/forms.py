"""Forms of the law library."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledMixin
from fazhi.laws.choices import LawLevel, LawStatus
from fazhi.laws.models import Law

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_FILES = 200


class LawFilterForm(StyledMixin, forms.Form):
    q = forms.CharField(label=_("Title, issuer or number"), required=False, max_length=100)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *LawLevel.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *LawStatus.choices]
    )


class SearchForm(LawFilterForm):
    q = forms.CharField(label=_("Words or phrase"), required=False, max_length=200)
    law = forms.IntegerField(label=_("Law"), required=False, min_value=1, widget=forms.HiddenInput)


class LawEditForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = Law
        fields = [
            "short_title",
            "level",
            "issuer",
            "region",
            "document_number",
            "effective_date",
            "status",
            "repealed_on",
        ]
        widgets = {
            "effective_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "repealed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files:
            raise forms.ValidationError(_("Choose at least one file."), code="required")
        if len(files) > MAX_UPLOAD_FILES:
            raise forms.ValidationError(
                _("At most %(n)s files at a time.") % {"n": MAX_UPLOAD_FILES}, code="too_many"
            )
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ImportForm(StyledMixin, forms.Form):
    uploads = MultipleFileField(
        label=_("Law texts"),
        help_text=_(
            "Markdown files named “short title(YYYY-MM-DD).md”; choose several to import a folder."
        ),
    )

    def clean_uploads(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["uploads"]
        for upload in files:
            if (upload.size or 0) > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(
                    _("%(name)s is larger than 5 MB.") % {"name": upload.name}
                )
        return files


class CompilationForm(StyledMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    laws = forms.ModelMultipleChoiceField(
        label=_("Laws"),
        queryset=Law.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pick at least one law.")},
    )

    def __init__(self, *args: Any, laws: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["laws"]
        field.queryset = laws
        field.widget.attrs["class"] = "form-check-input"

    def ordered_laws(self) -> list[Law]:
        """The chosen laws in the order the form listed them."""
        chosen = {law.pk for law in self.cleaned_data["laws"]}
        laws: Any = self.fields["laws"].queryset
        return [law for law in laws if law.pk in chosen]


class CitationForm(StyledMixin, forms.Form):
    text = forms.CharField(
        label=_("Citation or text"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "e.g. 《安全生产法》第九十九条第（一）项; "
            "several citations are found in a longer text."
        ),
    )
    on = forms.DateField(
        label=_("In force on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty for today."),
    )


class TermForm(StyledMixin, forms.Form):
    """A term of the term table, its aliases and its references (one per line)."""

    term = forms.CharField(label=_("Term"), max_length=60)
    aliases = forms.CharField(
        label=_("Aliases"),
        required=False,
        max_length=600,
        help_text=_("Other names people type, separated by 、 or commas."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    refs = forms.CharField(
        label=_("Articles"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One per line: the article, paragraph or item, then ｜ and the source of the "
            "mapping, e.g. 行政处罚法第五条第二款 ｜ 条文要求过罚相当"
        ),
    )

    @staticmethod
    def initial_for(term: Any) -> dict[str, Any]:
        return {
            "term": term.term,
            "aliases": "、".join(term.aliases),
            "note": term.note,
            "refs": "\n".join(f"{r.citation} ｜ {r.source}" for r in term.refs.all()),
        }


class HeadingsForm(StyledMixin, forms.Form):
    """Lines the importer took for possible chapter headings: tick those that are."""

    headings = forms.MultipleChoiceField(
        label=_("Chapter headings"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, law: Law, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = [w["heading"] for w in law.import_warnings if w.get("heading")]
        names += [h for h in law.heading_corrections if h not in names]
        self.fields["headings"].choices = [(n, n) for n in names]
        self.fields["headings"].initial = list(law.heading_corrections)
