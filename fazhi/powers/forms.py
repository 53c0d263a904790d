"""Forms of the power catalog pages (parsing only; services write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.formfields import UnitChoiceField
from fazhi.core.forms import CheckboxList, StyledMixin
from fazhi.core.models import OrgUnit
from fazhi.powers import selectors
from fazhi.powers.choices import (
    CatalogStatus,
    ExerciseLevel,
    PowerType,
)
from fazhi.powers.diff import responsibilities_text
from fazhi.powers.excel import parse_responsibilities
from fazhi.powers.models import (
    CatalogTemplate,
    PowerCatalog,
    PowerItem,
)

YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


# --- catalogs -------------------------------------------------------------------


class CatalogFilterForm(StyledMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("Any")
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *CatalogStatus.choices], required=False
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = selectors.visible_agencies(actor=actor)


class CatalogCreateForm(StyledMixin, forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    copy_previous = forms.BooleanField(
        label=_("Copy the items of the latest earlier version"), required=False, initial=True
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = selectors.catalog_agencies(actor=actor)
        self.fields["agency"].queryset = agencies
        if actor.unit_id:
            self.fields["agency"].initial = actor.unit.agency().pk
        self.fields["year"].initial = timezone.localdate().year + 1


class ItemFilterForm(StyledMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    power_type = forms.ChoiceField(
        label=_("Power type"), choices=[("", _("Any")), *PowerType.choices], required=False
    )
    lead_unit = UnitChoiceField(
        label=_("Lead unit"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("Any")
    )
    shared = forms.ChoiceField(
        label=_("Same power at county level"), choices=YES_NO, required=False
    )
    has_basis = forms.ChoiceField(label=_("Basis linked"), choices=YES_NO, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data["q"],
            "power_type": data["power_type"],
            "lead_unit": data["lead_unit"].pk if data["lead_unit"] else None,
            "shared": yes_no(data["shared"]),
            "has_basis": yes_no(data["has_basis"]),
        }


class ItemSearchForm(ItemFilterForm):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("Any")
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, units=OrgUnit.objects.none(), **kwargs)
        del self.fields["lead_unit"]
        self.fields["agency"].queryset = selectors.visible_agencies(actor=actor)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data["q"],
            "power_type": data["power_type"],
            "shared": yes_no(data["shared"]),
            "has_basis": yes_no(data["has_basis"]),
            "year": data["year"],
            "agency": data["agency"].pk if data["agency"] else None,
        }


class PowerItemForm(StyledMixin, forms.ModelForm):
    exercise_levels = forms.MultipleChoiceField(
        label=_("Levels exercising the power"),
        choices=ExerciseLevel.choices,
        required=False,
        widget=CheckboxList,
    )
    responsibilities = forms.CharField(
        label=_("Responsibilities"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One duty per stage, e.g. 1.受理责任：… 2.审查责任：… 3.决定责任：…"),
    )

    class Meta:
        model = PowerItem
        fields = [
            "code",
            "name",
            "power_type",
            "parent",
            "lead_unit",
            "legal_subject",
            "exercise_levels",
            "first_responsible_level",
            "basis_text",
            "responsibilities",
            "accountability_basis",
            "supervision_method",
            "shared_with_counties",
            "remarks",
            "change_reason",
        ]
        widgets = {
            "basis_text": forms.Textarea(attrs={"rows": 5}),
            "accountability_basis": forms.Textarea(attrs={"rows": 3}),
            "supervision_method": forms.Textarea(attrs={"rows": 2}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
            "change_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, catalog: PowerCatalog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = catalog.items.filter(parent__isnull=True).order_by("code")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
            self.initial["responsibilities"] = responsibilities_text(
                self.instance.responsibilities
            )
        self.fields["parent"].queryset = parents
        self.fields["lead_unit"].queryset = selectors.agency_units(catalog.agency)
        self.fields["basis_text"].required = True

    def clean_responsibilities(self) -> list[dict[str, str]]:
        return parse_responsibilities(self.cleaned_data.get("responsibilities") or "")

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ItemRemoveForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(StyledMixin, forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))


class ImportConfirmForm(StyledMixin, forms.Form):
    valid_only = forms.BooleanField(required=False)


class DiffForm(StyledMixin, forms.Form):
    against = forms.ModelChoiceField(label=_("Compare with"), queryset=PowerCatalog.objects.none())

    def __init__(self, *args: Any, catalogs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["against"].queryset = catalogs


class TemplateDeriveForm(StyledMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)


class TemplateAdoptForm(StyledMixin, forms.Form):
    agency = forms.ModelChoiceField(label=_("County agency"), queryset=OrgUnit.objects.none())
    lead_unit = UnitChoiceField(
        label=_("Default lead unit"),
        queryset=OrgUnit.objects.none(),
        help_text=_("Every adopted item starts with this unit; change single items afterwards."),
    )

    def __init__(self, *args: Any, actor: Any, template: CatalogTemplate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = selectors.adoptable_agencies(actor=actor, template=template)
        self.fields["agency"].queryset = agencies
        unit_ids: list[int] = []
        for agency in agencies:
            unit_ids.extend(selectors.agency_units(agency).values_list("pk", flat=True))
        self.fields["lead_unit"].queryset = OrgUnit.objects.filter(pk__in=unit_ids).order_by(
            "path"
        )
        if actor.unit_id and actor.unit.agency() in agencies:
            self.fields["agency"].initial = actor.unit.agency().pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency, unit = data.get("agency"), data.get("lead_unit")
        if agency is not None and unit is not None and unit.agency().pk != agency.pk:
            self.add_error("lead_unit", _("Choose a unit of the county agency chosen above."))
        return data
