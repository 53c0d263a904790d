"""Forms of the case sub-procedures (查封扣押, 移送) and of execution (执行)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.cases.choices import (
    CoercionKind,
    DeferralKind,
    DisposalKind,
    ReleaseGround,
    TestKind,
)
from fazhi.core.forms import StyledMixin

_DATE = forms.DateInput(attrs={"type": "date"})
_TEXT = forms.Textarea(attrs={"rows": 2})


def _money(label: Any, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
    )


class CoercionForm(StyledMixin, forms.Form):
    """The report asking the head to approve a measure (Art. 18(1))."""

    kind = forms.ChoiceField(label=_("Coercive measure"), choices=CoercionKind.choices)
    items = forms.CharField(label=_("Places, facilities or things (name, quantity)"), widget=_TEXT)
    reason = forms.CharField(label=_("Reason"), widget=_TEXT)
    basis = forms.CharField(label=_("Legal basis"), max_length=255)


class CoercionExtendForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("Why the situation is complex"), widget=_TEXT)


class CoercionTestForm(StyledMixin, forms.Form):
    test_kind = forms.ChoiceField(label=_("Testing or appraisal"), choices=TestKind.choices)
    agency = forms.CharField(label=_("Testing body"), max_length=200)
    until = forms.DateField(label=_("Expected to end on"), widget=_DATE)


class CoercionReleaseForm(StyledMixin, forms.Form):
    ground = forms.ChoiceField(label=_("Ground (Art. 28)"), choices=ReleaseGround.choices)
    text = forms.CharField(label=_("Return of the things"), required=False, widget=_TEXT)


class CoercionDisposeForm(StyledMixin, forms.Form):
    disposal = forms.ChoiceField(label=_("Disposal"), choices=DisposalKind.choices)
    text = forms.CharField(label=_("Decision on the things"), widget=_TEXT)


class ReferralReportForm(StyledMixin, forms.Form):
    """The written report of the case team (Art. 5 ¶1)."""

    crime = forms.CharField(label=_("Suspected crime"), max_length=200)
    report = forms.CharField(label=_("Written report"), widget=_TEXT)


class ReferralReferForm(StyledMixin, forms.Form):
    receiver = forms.CharField(label=_("Public security organ"), max_length=200)


class ReferralOutcomeForm(StyledMixin, forms.Form):
    text = forms.CharField(label=_("Notice of the public security organ"), widget=_TEXT)


class DeferralForm(StyledMixin, forms.Form):
    """Deferred or instalment payment on the party's application (行政处罚法 Art. 66)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=DeferralKind.choices)
    applied_on = forms.DateField(label=_("Applied for on"), widget=_DATE)
    reason = forms.CharField(label=_("Economic difficulty stated"), widget=_TEXT)
    schedule = forms.CharField(
        label=_("Due dates and amounts"),
        help_text=_("One line each: date amount, e.g. 2026-12-31 5000"),
        widget=_TEXT,
    )

    def clean_schedule(self) -> list[dict[str, str]]:
        import datetime
        from decimal import InvalidOperation

        rows = []
        for line in str(self.cleaned_data["schedule"]).splitlines():
            if not line.strip():
                continue
            parts = line.split()
            try:
                day = datetime.date.fromisoformat(parts[0])
                amount = Decimal(parts[1]) if len(parts) > 1 else None
            except (ValueError, InvalidOperation, IndexError):
                raise forms.ValidationError(_("Write each line as: date amount.")) from None
            if amount is not None and amount <= 0:
                raise forms.ValidationError(_("Each amount must be positive."))
            rows.append({"due": day.isoformat(), "amount": str(amount) if amount else ""})
        if not rows:
            raise forms.ValidationError(_("Give at least one due date."))
        return rows


class PaymentAmountForm(StyledMixin, forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=_DATE)
    amount = _money(_("Amount paid (yuan)"), required=False)
    receipt = forms.CharField(label=_("Receipt number"), max_length=60, required=False)


class InstalmentForm(PaymentAmountForm):
    amount = _money(_("Amount paid (yuan)"))


class DemandForm(StyledMixin, forms.Form):
    served_on = forms.DateField(label=_("Demand served on"), widget=_DATE)
    method = forms.CharField(label=_("Method of service"), max_length=60)


class CourtForm(StyledMixin, forms.Form):
    court = forms.CharField(label=_("Court"), max_length=200)
    applied_on = forms.DateField(label=_("Applied on"), widget=_DATE)
    no_remedy = forms.BooleanField(
        label=_("The party applied for no reconsideration and brought no suit (Art. 53)"),
    )
