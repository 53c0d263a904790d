"""Forms of the registry pages: filters, entity and officer edits, imports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import selectors as core_selectors
from fazhi.core.formfields import UnitChoiceField, unit_choices
from fazhi.core.forms import StyledMixin
from fazhi.core.models import OrgUnit
from fazhi.registry import industries, selectors
from fazhi.registry.choices import (
    CertificateStatus,
    ConflictKind,
    ConflictSource,
    CreditClass,
    EnforcementDomain,
    EntityKind,
    EntityScale,
    EntityStatus,
    ExternalAgencyKind,
    OfficerStatus,
    RiskLevel,
    StandardizationLevel,
)
from fazhi.registry.models import Entity, ExternalAgency, Officer, RegistryRule
from fazhi.registry.widgets import FixedChoices, fast_selects

YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


def _blank(choices: Any, label: Any = None) -> list[tuple[str, Any]]:
    return [("", label or _("Any")), *choices]


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class EntityFilterForm(StyledMixin, forms.Form):
    q = forms.CharField(label=_("Name or credit code"), required=False)
    agency = forms.TypedChoiceField(
        label=_("Supervising agency"), required=False, coerce=int, empty_value=None
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_blank(EntityKind.choices))
    status = forms.ChoiceField(
        label=_("Registration status"), required=False, choices=_blank(EntityStatus.choices)
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"),
        required=False,
        choices=_blank(RiskLevel.choices, _("All risk levels")),
    )
    credit_class = forms.ChoiceField(
        label=_("Credit class"), required=False, choices=_blank(CreditClass.choices)
    )
    key_supervision = forms.ChoiceField(label=_("Key supervision"), required=False, choices=YES_NO)
    category = forms.ChoiceField(label=_("Regulatory category"), required=False)
    industry_section = forms.ChoiceField(
        label=_("Industry section"),
        required=False,
        choices=FixedChoices(lambda: _blank(industries.section_choices())),
    )
    industry_division = forms.ChoiceField(
        label=_("Industry division"),
        required=False,
        choices=FixedChoices(lambda: _blank(industries.division_choices())),
    )
    standardization_level = forms.ChoiceField(
        label=_("Safety standardization"),
        required=False,
        choices=_blank(StandardizationLevel.choices),
    )
    scale = forms.ChoiceField(
        label=_("Scale"), required=False, choices=_blank(EntityScale.choices)
    )
    region = forms.RegexField(label=_("Region code"), required=False, regex=r"^\d{2,6}$")

    # Selects whose choices never change while the server runs (``widgets``,
    # set up below the class); agencies and categories come from the database.
    FIXED = (
        "kind",
        "status",
        "risk_level",
        "credit_class",
        "key_supervision",
        "industry_section",
        "industry_division",
        "standardization_level",
        "scale",
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = core_selectors.agency_list(actor=actor).values_list("pk", "name")
        self.fields["agency"].choices = _blank(list(units), _("All agencies"))
        self.categories = selectors.category_list()
        self.fields["category"].choices = _blank(
            [(c.code, c.name) for c in self.categories], _("All categories")
        )

    def filters(self) -> selectors.EntityFilters:
        if not self.is_bound:
            return selectors.EntityFilters()
        if not self.is_valid():
            # The page says which value it refused (``errors``).
            return selectors.EntityFilters(nothing=True)
        data = self.cleaned_data
        return selectors.EntityFilters(
            q=data["q"],
            agency=data["agency"],
            kind=data["kind"],
            status=data["status"],
            risk_level=data["risk_level"],
            credit_class=data["credit_class"],
            key_supervision=yes_no(data["key_supervision"]),
            category=data["category"],
            industry_section=data["industry_section"],
            industry_division=data["industry_division"],
            standardization_level=data["standardization_level"],
            scale=data["scale"],
            region=data["region"] or "",
        )


fast_selects(EntityFilterForm, fixed=EntityFilterForm.FIXED)


class EntityForm(StyledMixin, forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("Regulatory categories"), required=False, widget=forms.CheckboxSelectMultiple
    )
    industry_section = forms.ChoiceField(label=_("Industry section"), required=False)
    industry_division = forms.ChoiceField(label=_("Industry division"), required=False)
    allow_duplicate = forms.BooleanField(
        label=_("Save even though an entity with the same name and address exists"),
        required=False,
        help_text=_("Tick only after checking the entity named in the error."),
    )

    class Meta:
        model = Entity
        fields = [
            "uscc",
            "name",
            "kind",
            "legal_representative",
            "region_code",
            "address",
            "industry_section",
            "industry_division",
            "scale",
            "key_supervision",
            "standardization_level",
            "risk_level",
            "credit_class",
            "status",
            "contact_phone",
            "supervising_agency",
        ]
        field_classes = {"supervising_agency": UnitChoiceField}

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category_table = selectors.category_list()
        self.fields["categories"].choices = [
            (c.code, c.name)
            for c in self.category_table
            if c.is_active or (self.instance.category_bits & c.mask)
        ]
        self.fields["industry_section"].choices = _blank(industries.section_choices(), "—")
        self.fields["industry_division"].choices = _blank(industries.division_choices(), "—")
        self.fields["supervising_agency"].queryset = core_selectors.unit_list(actor=actor)
        if self.instance.pk:
            self.initial["categories"] = [
                c.code for c in self.category_table if self.instance.category_bits & c.mask
            ]
        elif actor.unit_id:
            self.initial.setdefault("supervising_agency", actor.unit.agency().pk)
        self.fields["categories"].widget.attrs["class"] = "list-unstyled"

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        chosen = set(data.pop("categories", []))
        data["category_bits"] = sum(c.mask for c in self.category_table if c.code in chosen)
        return data


class MergeForm(StyledMixin, forms.Form):
    duplicates = forms.MultipleChoiceField(
        label=_("Duplicates to merge into this entity"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, candidates: list[Entity], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(e.pk): e for e in candidates}
        self.fields["duplicates"].choices = [
            (str(e.pk), f"{e.name} · {e.uscc} · {e.address}") for e in candidates
        ]

    def chosen(self) -> list[Entity]:
        return [self.candidates[pk] for pk in self.cleaned_data["duplicates"]]


class ImportForm(StyledMixin, forms.Form):
    file = forms.FileField(label=_("File (XLSX, XLS or CSV)"))
    unit: forms.ModelChoiceField[OrgUnit] = UnitChoiceField(
        label=_("Default unit"), queryset=OrgUnit.objects.none()
    )
    valid_only = forms.BooleanField(
        label=_("Import the valid rows as soon as the check ends"),
        required=False,
        help_text=_("Leave unticked to read the check's report first and then decide."),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = core_selectors.unit_list(actor=actor)
        self.fields["unit"].help_text = _("Rows that name no unit are filed under this one.")
        if actor.unit_id:
            self.fields["unit"].initial = actor.unit.agency().pk


class OfficerFilterForm(StyledMixin, forms.Form):
    q = forms.CharField(label=_("Name or certificate number"), required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    external_agency = forms.TypedChoiceField(
        label=_("External agency"), required=False, coerce=int, empty_value=None
    )
    external = forms.ChoiceField(
        label=_("Belongs to"),
        required=False,
        choices=[("", _("Any")), ("no", _("Own bureau")), ("yes", _("External agency"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(OfficerStatus.choices)
    )
    certificate = forms.ChoiceField(
        label=_("Certificate"),
        required=False,
        choices=[
            ("", _("Any")),
            ("valid", _("Valid today")),
            ("expiring", _("Expiring soon")),
            ("expired", _("Expired")),
            ("none", _("No valid certificate")),
        ],
    )
    domain = forms.ChoiceField(
        label=_("Domain"), required=False, choices=_blank(EnforcementDomain.choices)
    )
    legal_qualification = forms.ChoiceField(
        label=_("Legal qualification"), required=False, choices=YES_NO
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fast_selects(self)
        self.fields["unit"].choices = _blank(unit_choices(core_selectors.unit_list(actor=actor)))
        self.fields["external_agency"].choices = _blank(
            [(a.pk, a.name) for a in selectors.external_agency_list(actor=actor)]
        )

    def filters(self) -> selectors.OfficerFilters:
        if not self.is_valid():
            return selectors.OfficerFilters()
        data = self.cleaned_data
        return selectors.OfficerFilters(
            q=data["q"],
            unit=data["unit"],
            external_agency=data["external_agency"],
            external=yes_no(data["external"]),
            status=data["status"],
            certificate=data["certificate"],
            domain=data["domain"],
            legal_qualification=yes_no(data["legal_qualification"]),
        )


class OfficerForm(StyledMixin, forms.ModelForm):
    domains = forms.MultipleChoiceField(
        label=_("Enforcement domains"),
        required=False,
        choices=EnforcementDomain.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Officer
        fields = [
            "full_name",
            "citizen_id",
            "unit",
            "external_agency",
            "user",
            "position",
            "phone",
            "domains",
            "legal_qualification",
            "legal_qualification_number",
            "status",
        ]
        field_classes = {"unit": UnitChoiceField}

    def __init__(self, *args: Any, actor: Any, show_citizen_id: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = core_selectors.unit_list(actor=actor)
        self.fields["external_agency"].queryset = selectors.external_agency_list(actor=actor)
        self.fields["user"].queryset = core_selectors.user_list(actor=actor)
        self.fields["domains"].widget.attrs["class"] = "list-unstyled"
        if self.instance.pk:
            self.initial["domains"] = self.instance.domain_list
            if not show_citizen_id:
                # The number is only shown and changed by those allowed to see it.
                del self.fields["citizen_id"]

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class CertificateForm(StyledMixin, forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=40)
    issuer = forms.CharField(label=_("Issued by"), max_length=120, initial="山东省人民政府")
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )


class CertificateStatusForm(StyledMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=CertificateStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=255)


class ConflictForm(StyledMixin, forms.Form):
    uscc = forms.CharField(label=_("Entity's credit code"), max_length=18)
    kind = forms.ChoiceField(label=_("Relation"), choices=ConflictKind.choices)
    source = forms.ChoiceField(label=_("Source"), choices=ConflictSource.choices)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    valid_from = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    valid_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_uscc(self) -> Entity:
        entity = selectors.entity_by_uscc(uscc=self.cleaned_data["uscc"])
        if entity is None:
            raise forms.ValidationError(_("No registered entity has this credit code."))
        return entity


class ConflictEndForm(StyledMixin, forms.Form):
    valid_to = forms.DateField(
        label=_("Ended on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )


class TrainingForm(StyledMixin, forms.Form):
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, initial=lambda: timezone.localdate().year
    )
    hours = forms.DecimalField(
        label=_("Training hours"), min_value=0, max_digits=6, decimal_places=1
    )


class ExternalAgencyForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = ExternalAgency
        fields = ["name", "kind", "region_code", "uscc", "contact", "phone", "unit", "is_active"]
        field_classes = {"unit": UnitChoiceField}

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = core_selectors.unit_list(actor=actor)
        self.fields["kind"].choices = ExternalAgencyKind.choices
        if not self.instance.pk and actor.unit_id:
            self.initial.setdefault("unit", actor.unit.agency().pk)


class RuleForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = RegistryRule
        fields = ["code", "value", "source", "verified", "effective_from", "effective_to", "notes"]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "effective_to": forms.DateInput(attrs={"type": "date"}),
        }
