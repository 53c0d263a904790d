"""Forms: the case intake, the proposal, and the data each transition needs.

Transition forms are attached to the workflow tables, so the web page and
the API validate a transition's data the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.cases.choices import (
    CaseFlag,
    CaseSource,
    CaseState,
    ChangeGround,
    DecisionChange,
    PartyKind,
    PenaltyKind,
    Procedure,
)
from fazhi.core.forms import StyledMixin

_DATE = forms.DateInput(attrs={"type": "date"})


class RecordForm(StyledMixin, forms.Form):
    """A written record: transcript, opinion, minutes or statement."""

    text = forms.CharField(label=_("Record"), widget=forms.Textarea(attrs={"rows": 3}))


class OptionalRecordForm(StyledMixin, forms.Form):
    text = forms.CharField(
        label=_("Record"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class StatementForm(StyledMixin, forms.Form):
    text = forms.CharField(
        label=_("Statement and defence (or the waiver)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    hearing_waived = forms.BooleanField(
        label=_("The party waived the hearing in writing"), required=False
    )


class HearingRequestForm(StyledMixin, forms.Form):
    requested_on = forms.DateField(label=_("Requested on"), widget=_DATE)


class HearingForm(StyledMixin, forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=_DATE)
    text = forms.CharField(label=_("Transcript summary"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(StyledMixin, forms.Form):
    """The penalty decided (Art. 59), with the amount's reasons (discretion)."""

    penalty_kinds = forms.MultipleChoiceField(
        label=_("Penalty"), choices=PenaltyKind.choices, widget=forms.CheckboxSelectMultiple
    )
    fine = forms.DecimalField(
        label=_("Fine (yuan)"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )
    fine_reason = forms.CharField(
        label=_("Reasons for the amount"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AmountReasonForm(StyledMixin, forms.Form):
    """Sending to 法制审核: why an intended fine lies outside the recommended range."""

    amount_reason = forms.CharField(
        label=_("Reason if the fine is outside the recommended range"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoPenaltyForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("Legal ground"), widget=forms.Textarea(attrs={"rows": 2}))
    education = forms.CharField(
        label=_("Education given to the party"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ReferralForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    receiver = forms.CharField(label=_("Receiving organ"), max_length=200)


class ServiceForm(StyledMixin, forms.Form):
    served_on = forms.DateField(label=_("Served on"), widget=_DATE)
    method = forms.CharField(label=_("Method of service"), max_length=60)


class OnSpotForm(StyledMixin, forms.Form):
    """简易程序: the penalty decided on the spot, after informing the party (Art. 52)."""

    penalty_kinds = forms.MultipleChoiceField(
        label=_("Penalty"), choices=PenaltyKind.choices, widget=forms.CheckboxSelectMultiple
    )
    fine = forms.DecimalField(
        label=_("Fine (yuan)"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )
    party_informed = forms.BooleanField(
        label=_("The party was told the facts, reasons, basis and their rights"), required=False
    )


class ExtensionForm(StyledMixin, forms.Form):
    days = forms.IntegerField(label=_("Days"), min_value=1)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class EntityPicker(forms.Select):
    """A select of regulated entities with a search box above it.

    Without JavaScript the "Find" button sends the form back to be shown with
    the entities that match; with htmx, typing replaces the select's options
    from the server (``cases:entity_options``). Either way the list comes from
    the registry's scoped selector, so only the user's units' entities show.
    """

    template_name = "cases/widgets/entity_picker.html"
    search = ""
    search_url = ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["search"] = self.search
        context["widget"]["search_url"] = self.search_url
        return context


PICKER_SIZE = 20


def entity_options(actor: Any, search: str, chosen: Any = None) -> list[tuple[Any, Any]]:
    """The picker's options: the entities in scope matching ``search`` (and the chosen one)."""
    from fazhi.registry.selectors import EntityFilters, entity_list

    found = list(entity_list(actor=actor, filters=EntityFilters(q=search))[:PICKER_SIZE])
    try:
        chosen_id = int(chosen) if chosen not in (None, "") else None
    except (TypeError, ValueError):
        chosen_id = None
    if chosen_id is not None and all(e.pk != chosen_id for e in found):
        found = [*entity_list(actor=actor).filter(pk=chosen_id), *found]
    return [("", _("— none (enter the party below) —")), *((e.pk, entity_label(e)) for e in found)]


def entity_label(entity: Any) -> str:
    return f"{entity.name}（{entity.uscc}）" if entity.uscc else entity.name


class CaseForm(StyledMixin, forms.Form):
    """案源登记 — a new case."""

    procedure = forms.ChoiceField(label=_("Procedure"), choices=Procedure.choices)
    title = forms.CharField(label=_("Cause of action"), max_length=200)
    source = forms.ChoiceField(label=_("Case source"), choices=CaseSource.choices)
    source_ref = forms.CharField(label=_("Source reference"), max_length=200, required=False)
    entity = forms.IntegerField(
        label=_("Regulated entity"),
        required=False,
        widget=EntityPicker,
        help_text=_("Search by name or unified social credit code; only your units' entities."),
    )
    party_kind = forms.ChoiceField(label=_("Party kind"), choices=PartyKind.choices)
    party_name = forms.CharField(
        label=_("Party"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the regulated entity's name."),
    )
    party_code = forms.CharField(label=_("Party identifier"), max_length=18, required=False)
    party_address = forms.CharField(label=_("Party address"), max_length=255, required=False)
    facts = forms.CharField(
        label=_("Facts"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    act_ended_on = forms.DateField(label=_("Violation ended on"), widget=_DATE)
    discovered_on = forms.DateField(label=_("Discovered on"), widget=_DATE)
    life_health_harm = forms.BooleanField(
        label=_("Life, health or financial safety harmed"), required=False
    )
    officers = forms.CharField(label=_("Officers (registry IDs, comma-separated)"), max_length=200)

    def __init__(self, *args: Any, actor: Any, search: str = "", **kwargs: Any) -> None:
        from django.urls import reverse

        super().__init__(*args, **kwargs)
        self.actor = actor
        picker = self.fields["entity"].widget
        assert isinstance(picker, EntityPicker)
        chosen = self.data.get("entity") if self.is_bound else self.initial.get("entity")
        picker.choices = entity_options(actor, search, chosen)
        picker.search = search
        picker.search_url = reverse("cases:entity_options")

    def clean_entity(self) -> int | None:
        from fazhi.registry.selectors import entity_list

        value = self.cleaned_data["entity"]
        if value is not None and not entity_list(actor=self.actor).filter(pk=value).exists():
            raise forms.ValidationError(_("Choose a regulated entity of your units."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("entity") and not (data.get("party_name") or "").strip():
            self.add_error("party_name", _("Name the party, or choose a regulated entity."))
        return data

    def clean_officers(self) -> list[int]:
        raw = self.cleaned_data["officers"]
        try:
            return [int(x) for x in raw.replace("，", ",").split(",") if x.strip()]
        except ValueError:
            raise forms.ValidationError(_("Give officer IDs separated by commas.")) from None


class ProposalForm(StyledMixin, forms.Form):
    """Facts, circumstances and the intended penalty (案件审理)."""

    facts = forms.CharField(label=_("Facts"), widget=forms.Textarea(attrs={"rows": 4}))
    flags = forms.MultipleChoiceField(
        label=_("Case circumstances"),
        choices=CaseFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    penalty_kinds = forms.MultipleChoiceField(
        label=_("Intended penalty"),
        choices=PenaltyKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    proposed_fine = forms.DecimalField(
        label=_("Intended fine (yuan)"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )
    confiscation = forms.DecimalField(
        label=_("Confiscation (yuan)"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )


class ViolationForm(StyledMixin, forms.Form):
    description = forms.CharField(label=_("Violation"), max_length=255)
    basis = forms.CharField(label=_("Penalty basis"), max_length=255)
    discretion_code = forms.CharField(
        label=_("Discretion entry code"), max_length=60, required=False
    )
    law_in_force_from = forms.DateField(label=_("Provision in force from"), widget=_DATE)
    law_in_force_to = forms.DateField(
        label=_("Provision in force until"), widget=_DATE, required=False
    )
    lighter_law_reason = forms.CharField(
        label=_("Why the newer law is lighter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CaseFilterForm(StyledMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *CaseState.choices]
    )
    procedure = forms.ChoiceField(
        label=_("Procedure"),
        required=False,
        choices=[("", _("All procedures")), *Procedure.choices],
    )

    def filters(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}


class DecisionChangeForm(StyledMixin, forms.Form):
    """行政处罚法 Art. 48 ¶2: the decision was changed, revoked, or held illegal or void."""

    change = forms.ChoiceField(label=_("What befell the decision"), choices=DecisionChange.choices)
    ground = forms.ChoiceField(label=_("Changed by"), choices=ChangeGround.choices)
    reason = forms.CharField(
        label=_("Reason and document (e.g. the reconsideration decision's number)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(StyledMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for the withdrawal (published)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PublicFilterForm(StyledMixin, forms.Form):
    """The public list of published decisions: search and filters."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1996, max_value=2100)
    kind = forms.ChoiceField(
        label=_("Penalty kind"),
        required=False,
        choices=[("", _("All")), *PenaltyKind.choices],
    )
    withdrawn = forms.BooleanField(label=_("Withdrawal notices"), required=False)

    def __init__(self, *args: Any, agencies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("All")), *((a, a) for a in agencies)]
