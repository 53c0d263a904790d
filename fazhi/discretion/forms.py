"""Forms of the discretion pages (parsing only; services write)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import CheckboxList, StyledMixin
from fazhi.discretion import selectors
from fazhi.discretion.choices import (
    ConditionKind,
    ExtraMeasure,
    FineMeasure,
    FineTarget,
    HarmLevel,
    Stage,
)
from fazhi.discretion.engine import BoundsData, EntryData, Facts, TierData
from fazhi.discretion.models import DiscretionEntry, DiscretionRule, NoPenaltyItem
from fazhi.discretion.ranges import BOUNDS_FIELDS

YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class EntryFilterForm(StyledMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    on = forms.DateField(
        label=_("In force on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    unverified = forms.ChoiceField(label=_("Unverified tiers"), choices=YES_NO, required=False)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {
            "q": self.cleaned_data["q"],
            "on": self.cleaned_data["on"],
            "unverified": yes_no(self.cleaned_data["unverified"]),
        }


class EntryForm(StyledMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    violation = forms.CharField(
        label=_("Violation"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    legal_provision_text = forms.CharField(
        label=_("Provision violated"),
        max_length=300,
        required=False,
        help_text=_("e.g. 《中华人民共和国安全生产法》第三十五条"),
    )
    penalty_basis_text = forms.CharField(
        label=_("Penalty provision"),
        max_length=300,
        help_text=_("e.g. 《中华人民共和国安全生产法》第九十九条第（一）项"),
    )
    penalty_clause = forms.CharField(
        label=_("Statutory penalty"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    no_discretion = forms.BooleanField(label=_("Fixed by statute (no discretion)"), required=False)
    tier_required = forms.BooleanField(label=_("A tier must be chosen"), required=False)
    no_fault_exception = forms.CharField(
        label=_("Liability without fault"),
        max_length=300,
        required=False,
        help_text=_("行政处罚法第三十三条第二款：法律、行政法规另有规定的，从其规定"),
    )
    measures = forms.JSONField(
        label=_("Measures other than fines"),
        required=False,
        initial=list,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            '[{"target": "unit", "stage": "uncorrected", "measure": "suspend_production"}] — '
            "an optional “condition” quotes the statute."
        ),
    )
    issuing_document = forms.CharField(label=_("Issuing document"), max_length=200, required=False)
    effective_from = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_to = forms.DateField(
        label=_("Effective to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    as_new_version = forms.BooleanField(
        label=_(
            "Save as a new version from the effective date (the current one ends the day before)"
        ),
        required=False,
    )


class BoundsForm(StyledMixin, forms.Form):
    target = forms.ChoiceField(label=_("Target"), choices=FineTarget.choices)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    measure = forms.ChoiceField(
        label=_("Measure"), choices=FineMeasure.choices, initial=FineMeasure.AMOUNT
    )
    min_amount = forms.DecimalField(
        label=_("Minimum"), required=False, min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    min_inclusive = forms.BooleanField(label=_("incl."), required=False, initial=True)
    max_amount = forms.DecimalField(
        label=_("Maximum"), required=False, min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    max_inclusive = forms.BooleanField(label=_("incl."), required=False, initial=True)
    extra_measures = forms.MultipleChoiceField(
        label=_("Other measures"),
        choices=ExtraMeasure.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    gains_threshold = forms.DecimalField(
        label=_("Gains from"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )
    alternative_min = forms.DecimalField(
        label=_("No or small gains: minimum"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )
    alternative_max = forms.DecimalField(
        label=_("No or small gains: maximum"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )
    base_stage = forms.ChoiceField(
        label=_("Multiple of the fine of"), choices=[("", "—"), *Stage.choices], required=False
    )
    provision = forms.CharField(label=_("Provision of this range"), max_length=300, required=False)

    def bounds(self, ref: Any) -> BoundsData:
        data = self.cleaned_data
        return BoundsData(
            target=data["target"],
            stage=data["stage"],
            min_amount=data["min_amount"],
            max_amount=data["max_amount"],
            min_inclusive=data["min_inclusive"],
            max_inclusive=data["max_inclusive"],
            measure=data["measure"],
            extra_measures=list(data["extra_measures"]),
            gains_threshold=data.get("gains_threshold"),
            alternative_min=data.get("alternative_min"),
            alternative_max=data.get("alternative_max"),
            base_stage=data.get("base_stage") or "",
            provision=data.get("provision") or "",
            ref=ref,
        )


class FineForm(BoundsForm):
    tier = forms.IntegerField(label=_("Tier"), min_value=1, max_value=99)

    field_order = ["tier"]


class TierForm(StyledMixin, forms.Form):
    order = forms.IntegerField(label=_("Tier"), min_value=1, max_value=99)
    name = forms.CharField(label=_("Name"), max_length=60)
    condition_kind = forms.ChoiceField(label=_("Condition kind"), choices=ConditionKind.choices)
    condition_fact = forms.SlugField(label=_("Fact"), max_length=60, required=False)
    condition_fact_label = forms.CharField(label=_("Fact label"), max_length=100, required=False)
    condition_lower = forms.DecimalField(
        label=_("From"), required=False, max_digits=14, decimal_places=2
    )
    condition_lower_inclusive = forms.BooleanField(label=_("incl."), required=False, initial=True)
    condition_upper = forms.DecimalField(
        label=_("Up to"), required=False, max_digits=14, decimal_places=2
    )
    condition_upper_inclusive = forms.BooleanField(label=_("incl."), required=False, initial=True)
    condition_circumstance = forms.ChoiceField(label=_("Circumstance"), required=False)
    condition_text = forms.CharField(
        label=_("Condition"), widget=forms.Textarea(attrs={"rows": 2})
    )
    mitigated = forms.BooleanField(label=_("Mitigated (减轻)"), required=False)
    mitigation_ground = forms.CharField(label=_("Legal ground"), max_length=300, required=False)
    verified = forms.BooleanField(label=_("Verified"), required=False, initial=True)
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )

    def __init__(
        self, *args: Any, circumstances: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["condition_circumstance"].choices = [("", "—"), *(circumstances or [])]

    def tier(self, ref: Any) -> TierData:
        data = self.cleaned_data
        return TierData(
            order=data["order"],
            name=data["name"],
            condition_kind=data["condition_kind"],
            condition_text=data["condition_text"],
            condition_fact=data["condition_fact"],
            condition_fact_label=data["condition_fact_label"],
            condition_lower=data["condition_lower"],
            condition_lower_inclusive=data["condition_lower_inclusive"],
            condition_upper=data["condition_upper"],
            condition_upper_inclusive=data["condition_upper_inclusive"],
            condition_circumstance=data["condition_circumstance"],
            mitigated=data["mitigated"],
            mitigation_ground=data["mitigation_ground"],
            verified=data["verified"],
            source=data["source"],
            notes=data["notes"],
            ref=ref,
        )


RangeFormSet = formset_factory(BoundsForm, extra=1, can_delete=True)
TierFormSet = formset_factory(TierForm, extra=1, can_delete=True)
FineFormSet = formset_factory(FineForm, extra=2, can_delete=True)


def entry_initial(
    entry: DiscretionEntry,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Initial data of the entry form and its three formsets."""
    head = {
        name: getattr(entry, name)
        for name in [
            "code",
            "violation",
            "legal_provision_text",
            "penalty_basis_text",
            "penalty_clause",
            "no_discretion",
            "tier_required",
            "no_fault_exception",
            "measures",
            "issuing_document",
            "effective_from",
            "effective_to",
            "notes",
        ]
    }
    ranges = [{n: getattr(r, n) for n in BOUNDS_FIELDS} for r in entry.ranges.all()]
    tiers = []
    fines = []
    for tier in entry.tiers.all():
        tiers.append({n: getattr(tier, n) for n in TierForm.base_fields})
        for fine in tier.fines.all():
            fines.append({"tier": tier.order, **{n: getattr(fine, n) for n in BOUNDS_FIELDS}})
    return head, ranges, tiers, fines


def entry_from_forms(form: EntryForm, ranges: Any, tiers: Any, fines: Any) -> EntryData:
    """Assemble ``EntryData`` from valid forms; ``ref`` is each row's prefix."""
    head = form.cleaned_data
    tier_rows: dict[int, TierData] = {}
    tier_list = []
    for sub in tiers.forms:
        if not sub.has_changed() or sub.cleaned_data.get("DELETE"):
            continue
        tier = sub.tier(sub.prefix)
        tier_list.append(tier)
        tier_rows.setdefault(tier.order, tier)
    orphan_fines = []
    for sub in fines.forms:
        if not sub.has_changed() or sub.cleaned_data.get("DELETE"):
            continue
        owner = tier_rows.get(sub.cleaned_data["tier"])
        if owner is None:
            orphan_fines.append(sub)
            continue
        owner.fines.append(sub.bounds(sub.prefix))
    for sub in orphan_fines:
        sub.add_error("tier", _("No tier has this number."))
    return EntryData(
        code=head["code"],
        violation=head["violation"],
        penalty_basis_text=head["penalty_basis_text"],
        effective_from=head["effective_from"],
        effective_to=head["effective_to"],
        legal_provision_text=head["legal_provision_text"],
        penalty_clause=head["penalty_clause"],
        no_discretion=head["no_discretion"],
        tier_required=head["tier_required"],
        no_fault_exception=head["no_fault_exception"],
        measures=list(head["measures"] or []),
        issuing_document=head["issuing_document"],
        notes=head["notes"],
        ranges=[
            sub.bounds(sub.prefix)
            for sub in ranges.forms
            if sub.has_changed() and not sub.cleaned_data.get("DELETE")
        ],
        tiers=tier_list,
    )


class CalculatorForm(StyledMixin, forms.Form):
    entry = forms.ModelChoiceField(label=_("Violation"), queryset=DiscretionEntry.objects.none())
    on = forms.DateField(
        label=_("Date of the decision"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Rules and entries in force on this day apply (default: today)."),
    )
    target = forms.ChoiceField(
        label=_("Fined party"), choices=FineTarget.choices, initial=FineTarget.UNIT
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.INITIAL)
    tier = forms.TypedChoiceField(label=_("Tier"), coerce=int, required=False, empty_value=None)
    circumstances = forms.MultipleChoiceField(
        label=_("Circumstances"), required=False, widget=CheckboxList
    )
    harm = forms.ChoiceField(label=_("Harm"), choices=HarmLevel.choices, initial=HarmLevel.GENERAL)
    first_violation = forms.BooleanField(label=_("First violation"), required=False)
    minor_violation = forms.BooleanField(label=_("Minor violation"), required=False)
    corrected_in_time = forms.BooleanField(label=_("Corrected in time"), required=False)
    emergency = forms.BooleanField(
        label=_("Violated emergency-response measures (行政处罚法 Art. 49)"), required=False
    )
    age = forms.IntegerField(
        label=_("Age (natural persons)"), required=False, min_value=0, max_value=130
    )
    mental_illness = forms.BooleanField(
        label=_("Could not recognise or control the conduct"), required=False
    )
    limited_capacity = forms.BooleanField(
        label=_("Limited capacity to recognise or control the conduct"), required=False
    )
    no_fault = forms.BooleanField(label=_("No subjective fault (proved)"), required=False)
    violation_ended_on = forms.DateField(
        label=_("Violation ended on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    discovered_on = forms.DateField(
        label=_("Discovered on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    life_or_finance_harm = forms.BooleanField(
        label=_("Harmed life, health or financial security"), required=False
    )
    mitigate = forms.BooleanField(
        label=_("Mitigate below the minimum (减轻) where the law allows"), required=False
    )
    annual_income = forms.DecimalField(
        label=_("Last year's income (for percentage fines)"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )
    gains = forms.DecimalField(
        label=_("Illegal gains (0 if none)"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )
    base_fine = forms.DecimalField(
        label=_("The original fine (for multiples and daily fines)"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )
    ordered_on = forms.DateField(
        label=_("Correction ordered on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    act_on = forms.DateField(
        label=_("Violation committed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "行政处罚法第三十七条: the rules in force then apply unless the new are lighter."
        ),
    )
    apply_grounds = forms.MultipleChoiceField(
        label=_("Apply these “may” grounds"),
        required=False,
        widget=CheckboxList,
        help_text=_("The law says 可以: the officer decides whether to be lenient."),
    )

    def __init__(
        self,
        *args: Any,
        entries: Any,
        circumstances: list[tuple[str, str]],
        entry: DiscretionEntry | None = None,
        may_grounds: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries
        self.fields["circumstances"].choices = circumstances
        self.fields["apply_grounds"].choices = may_grounds or []
        self.fact_names: list[tuple[str, str]] = []
        tier_choices: list[tuple[Any, Any]] = [("", _("By the facts"))]
        if entry is not None:
            self.fact_names = selectors.entry_facts(entry)
            for name, label in self.fact_names:
                self.fields[f"fact_{name}"] = forms.DecimalField(
                    label=label, required=False, max_digits=14, decimal_places=2
                )
                self.fields[f"fact_{name}"].widget.attrs["class"] = "form-control"
            tier_choices += [(t.order, f"{t.order}. {t.name}") for t in entry.tiers.all()]
        self.fields["tier"].choices = tier_choices

    def facts(self) -> Facts:
        data = self.cleaned_data
        values = {
            name: data[f"fact_{name}"]
            for name, _label in self.fact_names
            if data.get(f"fact_{name}") is not None
        }
        return Facts(
            target=data["target"],
            stage=data["stage"],
            tier=data.get("tier"),
            values=values,
            circumstances=frozenset(data["circumstances"]),
            first_violation=data["first_violation"],
            minor_violation=data["minor_violation"],
            harm=data["harm"],
            corrected_in_time=data["corrected_in_time"],
            emergency=data["emergency"],
            age=data["age"],
            mental_illness=data["mental_illness"],
            limited_capacity=data["limited_capacity"],
            no_fault=data["no_fault"],
            violation_ended_on=data["violation_ended_on"],
            discovered_on=data["discovered_on"],
            life_or_finance_harm=data["life_or_finance_harm"],
            mitigate=data["mitigate"],
            annual_income=data["annual_income"],
            gains=data["gains"],
            base_fine=data["base_fine"],
            ordered_on=data["ordered_on"],
            act_on=data["act_on"],
            apply_grounds=frozenset(data["apply_grounds"]),
        )

    GRID = [
        "on",
        "target",
        "stage",
        "tier",
        "harm",
        "age",
        "annual_income",
        "gains",
        "base_fine",
        "ordered_on",
        "act_on",
        "violation_ended_on",
        "discovered_on",
    ]

    def grid(self) -> list[Any]:
        """The bound fields shown in the grid: choices, numbers, dates and the entry's facts."""
        return [self[name] for name in self.GRID] + [
            self[f"fact_{n}"] for n, _l in self.fact_names
        ]

    def checks(self) -> list[Any]:
        """The yes/no facts."""
        return [self[name] for name, f in self.fields.items() if isinstance(f, forms.BooleanField)]

    @property
    def day(self) -> datetime.date:
        return self.cleaned_data.get("on") or timezone.localdate()


class NoPenaltyForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = NoPenaltyItem
        fields = [
            "code",
            "entry_code",
            "matter",
            "basis_text",
            "circumstance_text",
            "no_penalty_basis_text",
            "decision",
            "requires_first_violation",
            "requires_corrected_in_time",
            "max_harm",
            "condition_fact",
            "condition_upper",
            "condition_upper_inclusive",
            "issuing_document",
            "verified",
            "effective_from",
            "effective_to",
        ]
        widgets = {
            "circumstance_text": forms.Textarea(attrs={"rows": 3}),
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "effective_to": forms.DateInput(attrs={"type": "date"}),
        }


class RuleForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = DiscretionRule
        fields = [
            "code",
            "lower",
            "upper",
            "source",
            "verified",
            "effective_from",
            "effective_to",
            "notes",
        ]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "effective_to": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
