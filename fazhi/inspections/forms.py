"""Forms of the inspections pages (the API takes the same fields as JSON)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledMixin
from fazhi.inspections.choices import InspectionSource, Severity
from fazhi.inspections.models import AnnualPlan, CheckItem, PlanGroup
from fazhi.registry.choices import EntityKind
from fazhi.registry.models import ExternalAgency, Officer

DATE = forms.DateInput(attrs={"type": "date"})


class CheckItemForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = CheckItem
        fields = ["code", "name", "kind", "basis_text", "object_scope", "method", "ratio_ppm"]


class PlanForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = AnnualPlan
        fields = [
            "year",
            "title",
            "working_days",
            "officers",
            "other_enforcement_days",
            "non_enforcement_days",
            "notes",
        ]


class PlanGroupForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = PlanGroup
        fields = [
            "name",
            "kind",
            "entities",
            "ratio",
            "frequency",
            "days_per_inspection",
            "officers_per_team",
            "industry",
            "county",
        ]


class OpinionForm(StyledMixin, forms.Form):
    opinion = forms.CharField(
        label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TaskForm(StyledMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    reference_date = forms.DateField(label=_("Inspection date"), widget=DATE)
    items = forms.ModelMultipleChoiceField(
        label=_("Check items"), queryset=CheckItem.objects.none(), required=False
    )
    region_codes = forms.CharField(
        label=_("Region codes"),
        required=False,
        help_text=_("Comma-separated, e.g. 370811,370826; empty for the whole agency."),
    )
    industry_sections = forms.CharField(
        label=_("Industry sections"), required=False, help_text=_("e.g. C,F")
    )
    kinds = forms.MultipleChoiceField(
        label=_("Entity kinds"), choices=EntityKind.choices, required=False
    )
    team_size = forms.IntegerField(label=_("Officers per team"), min_value=1, initial=2)
    joint_agencies = forms.ModelMultipleChoiceField(
        label=_("Joint departments"), queryset=ExternalAgency.objects.none(), required=False
    )
    joint_officers = forms.IntegerField(
        label=_("Officers per joint department"), min_value=1, initial=1
    )
    ratio_scale_pct = forms.IntegerField(
        label=_("Ratio scale (%)"), min_value=1, max_value=1000, initial=100
    )
    control_pct = forms.DecimalField(
        label=_("Control sample (%)"),
        min_value=0,
        max_value=100,
        initial=0,
        decimal_places=4,
        help_text=_("A simple random sample regardless of risk, to measure the weighting."),
    )
    seed_rule = forms.CharField(
        label=_("How the seed is formed"),
        max_length=300,
        initial="福彩3D 开奖号码（抽取日前一日）",
    )
    nonce_count = forms.IntegerField(
        label=_("Nonces at the public session"), min_value=0, max_value=10, initial=2
    )

    def __init__(self, *args: Any, items: Any = None, agencies: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if items is not None:
            self.fields["items"].queryset = items
        if agencies is not None:
            self.fields["joint_agencies"].queryset = agencies

    def scope(self) -> dict[str, Any]:
        def split(name: str) -> list[str]:
            return [v.strip() for v in self.cleaned_data[name].split(",") if v.strip()]

        scope: dict[str, Any] = {}
        if split("region_codes"):
            scope["region_codes"] = split("region_codes")
        if split("industry_sections"):
            scope["industry_sections"] = split("industry_sections")
        if self.cleaned_data["kinds"]:
            scope["kinds"] = list(self.cleaned_data["kinds"])
        return scope


class SeedForm(StyledMixin, forms.Form):
    announced = forms.CharField(label=_("Announced value"), max_length=300)
    nonces = forms.CharField(
        label=_("Nonces"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, in the order entered at the public session."),
        required=False,
    )

    def nonce_list(self) -> list[str]:
        return [n.strip() for n in self.cleaned_data["nonces"].splitlines() if n.strip()]


class ReplacementForm(StyledMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Replace"),
        choices=[("entity", _("An entity")), ("officer", _("An officer on a team"))],
    )
    out = forms.IntegerField(label=_("Entity ID or officer ID to replace"))
    entity = forms.IntegerField(label=_("Entity ID (for an officer)"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    skipped = forms.CharField(
        label=_("Skipped (entity ID: reason, one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def event(self) -> dict[str, Any]:
        data = self.cleaned_data
        event: dict[str, Any] = {
            "type": data["kind"],
            "reason": data["reason"],
            "out": data["out"],
        }
        if data["kind"] == "officer":
            event["entity"] = data["entity"]
            return event
        skipped = []
        for line in data["skipped"].splitlines():
            if ":" in line:
                entity, why = line.split(":", 1)
                if entity.strip().isdigit():
                    skipped.append([int(entity), why.strip()])
        event["skipped"] = skipped
        return event


class InspectionForm(StyledMixin, forms.Form):
    entity = forms.IntegerField(label=_("Entity ID"))
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[c for c in InspectionSource.choices if c[0] != InspectionSource.DRAW],
    )
    source_note = forms.CharField(label=_("Source details"), required=False, max_length=300)
    planned_on = forms.DateField(label=_("Planned date"), widget=DATE)
    officers = forms.ModelMultipleChoiceField(label=_("Team"), queryset=Officer.objects.none())
    items = forms.ModelMultipleChoiceField(
        label=_("Check items"), queryset=CheckItem.objects.none(), required=False
    )

    def __init__(self, *args: Any, officers: Any = None, items: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if officers is not None:
            self.fields["officers"].queryset = officers
        if items is not None:
            self.fields["items"].queryset = items


class FindingForm(StyledMixin, forms.Form):
    description = forms.CharField(label=_("Hazard"), widget=forms.Textarea(attrs={"rows": 2}))
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    provision = forms.CharField(
        label=_("Provision violated"),
        max_length=300,
        required=False,
        help_text=_("e.g. 《安全生产法》第四十一条; or choose an article below."),
    )
    article = forms.IntegerField(label=_("Article ID in the law library"), required=False)


class EvidenceForm(StyledMixin, forms.Form):
    file = forms.FileField(
        label=_("Photo or recording"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,audio/*,video/*"}),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=255)
    finding = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RectifyForm(StyledMixin, forms.Form):
    rectify_by = forms.DateField(label=_("Rectify by"), widget=DATE)


class ReinspectForm(StyledMixin, forms.Form):
    note = forms.CharField(
        label=_("Re-inspection findings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReferralForm(StyledMixin, forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
