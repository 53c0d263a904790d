"""Forms for the deadline calculator, the calendar overrides and the rules.

The calculator form is shared by the page and the API so both give the same
field-level errors, in the user's language.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from fazhi.core.calendar import WorkCalendar
from fazhi.core.choices import ClockUnit, DayKind, Province
from fazhi.core.clock_rules import RULE_STATUSES, clock_rule_get
from fazhi.core.clocks import DeadlineResult, Pause, deadline_compute
from fazhi.core.errors import DomainError
from fazhi.core.forms import StyledMixin
from fazhi.core.models import ClockRule

ISO_DATE = ["%Y-%m-%d"]
LAW_TITLE = re.compile(r"《[^》]+》")
LAW_SEPARATORS = re.compile(r"[、，,；;（(]")
PAUSE_ROWS = 3


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date_field(label: Any, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, input_formats=ISO_DATE, widget=DateInput(), **kwargs
    )


class RuleDefaultSelect(forms.NullBooleanSelect):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [
            ("unknown", gettext_lazy("As the rule says")),
            ("true", gettext_lazy("Yes")),
            ("false", gettext_lazy("No")),
        ]


def duration_text(length: int, unit: str) -> str:
    """A time limit as a Chinese reader writes it: 20个工作日, 30日, 3个月, 2年."""
    if unit == ClockUnit.WORKDAY:
        text = ngettext("%(n)s working day", "%(n)s working days", length)
    elif unit == ClockUnit.MONTH:
        text = ngettext("%(n)s month", "%(n)s months", length)
    elif unit == ClockUnit.YEAR:
        text = ngettext("%(n)s year", "%(n)s years", length)
    else:
        text = ngettext("%(n)s day", "%(n)s days", length)
    return text % {"n": length}


def law_of(source: str) -> str:
    """The instrument a rule's source cites first: 《行政处罚法》, 国办发〔2018〕118号 …"""
    match = LAW_TITLE.search(source)
    if match:
        return match.group(0)
    head = LAW_SEPARATORS.split(source.strip(), maxsplit=1)[0]
    return head or _("Other sources")


def rules_by_law(rules: Iterable[ClockRule]) -> list[tuple[str, list[ClockRule]]]:
    """Group rule versions by the law they cite, laws and rules sorted, each once.

    Within a law the rules are sorted by name and then code, and the versions
    of one rule stay together: the national ones first, then each province's,
    newest first.
    """
    groups: dict[str, dict[str, list[ClockRule]]] = {}
    for rule in rules:
        groups.setdefault(law_of(rule.source), {}).setdefault(rule.code, []).append(rule)
    result = []
    for law in sorted(groups):
        versions = groups[law]
        ordered: list[ClockRule] = []
        for code in sorted(versions, key=lambda c: (versions[c][0].name, c)):
            ordered += sorted(
                sorted(versions[code], key=lambda r: r.effective_from, reverse=True),
                key=lambda r: r.province,
            )
        result.append((law, ordered))
    return result


def rule_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """One choice per rule code, labelled by its newest version, grouped by law."""
    newest: dict[str, ClockRule] = {}
    for rule in ClockRule.objects.order_by("code", "-effective_from"):
        newest.setdefault(rule.code, rule)
    choices = []
    for law, rules in rules_by_law(newest.values()):
        options = []
        for rule in rules:
            label = f"{rule.name} · {duration_text(rule.length, rule.unit)}"
            if not rule.verified:
                label += " · " + _("unverified")
            options.append((rule.code, label))
        choices.append((law, options))
    return choices


class DeadlineForm(StyledMixin, forms.Form):
    """Compute a due date from a rule, or from a length and a unit."""

    rule = forms.ChoiceField(
        label=gettext_lazy("Rule"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("There is no time-limit rule %(value)s.")},
    )
    start = _date_field(gettext_lazy("Start date"))
    length = forms.IntegerField(label=gettext_lazy("Length"), required=False, min_value=1)
    unit = forms.ChoiceField(
        label=gettext_lazy("Unit"), required=False, choices=[("", "---"), *ClockUnit.choices]
    )
    start_day_counts = forms.NullBooleanField(
        label=gettext_lazy("Start day counts"), required=False, widget=RuleDefaultSelect
    )
    roll_forward = forms.NullBooleanField(
        label=gettext_lazy("Roll to next working day"), required=False, widget=RuleDefaultSelect
    )
    province = forms.ChoiceField(
        label=gettext_lazy("Province"),
        required=False,
        choices=[("", gettext_lazy("National rule")), *Province.choices],
        help_text=gettext_lazy("A province's own version of the rule, where it has one."),
    )

    def __init__(self, *args: Any, calendar: WorkCalendar | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("None: enter length and unit")), *rule_choices()]
        self.calendar = calendar
        self.result: DeadlineResult | None = None
        self.rule_version: ClockRule | None = None

    def clean_pauses(self) -> list[Pause]:
        return []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start = data.get("start")
        code = data.get("rule")
        if code and start:
            try:
                self.rule_version = clock_rule_get(
                    code, on=start, province=data.get("province") or ""
                )
            except DomainError as exc:
                self.add_error("rule", str(exc.message))
        elif not code:
            if data.get("length") is None and "length" not in self.errors:
                self.add_error("length", _("Give a length, or choose a rule."))
            if not data.get("unit") and "unit" not in self.errors:
                self.add_error("unit", _("Choose a unit, or choose a rule."))
        pauses = self.clean_pauses()
        if self.errors or start is None:
            return data
        rule = self.rule_version
        try:
            self.result = deadline_compute(
                start=start,
                length=None if rule else data.get("length"),
                unit=None if rule else data.get("unit"),
                start_day_counts=data.get("start_day_counts"),
                roll_forward=data.get("roll_forward"),
                pauses=pauses,
                rule=rule,
                calendar=self.calendar,
            )
        except DomainError as exc:
            field = exc.field if exc.field in self.fields else None
            self.add_error(field, str(exc.message))
        return data


class DeadlinePageForm(DeadlineForm):
    """The page's form: pauses entered as rows of from / to / reason."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, PAUSE_ROWS + 1):
            self.fields[f"pause_start_{i}"] = _date_field(_("Paused from"), required=False)
            self.fields[f"pause_end_{i}"] = _date_field(
                _("Paused until (inclusive)"), required=False
            )
            self.fields[f"pause_reason_{i}"] = forms.CharField(
                label=_("Reason"),
                required=False,
                max_length=100,
                widget=forms.TextInput(attrs={"placeholder": _("Reason, e.g. 专家评审")}),
            )
        for name in self.fields:
            if name.startswith("pause_"):
                widget = self.fields[name].widget
                widget.attrs["class"] = (widget.attrs.get("class", "") + " form-control").strip()

    def pause_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"pause_start_{i}"], self[f"pause_end_{i}"], self[f"pause_reason_{i}"])
            for i in range(1, PAUSE_ROWS + 1)
        ]

    def clean_pauses(self) -> list[Pause]:
        pauses = []
        for i in range(1, PAUSE_ROWS + 1):
            first = self.cleaned_data.get(f"pause_start_{i}")
            last = self.cleaned_data.get(f"pause_end_{i}")
            reason = self.cleaned_data.get(f"pause_reason_{i}", "")
            if first is None and last is None:
                continue
            if first is None or last is None:
                missing = f"pause_start_{i}" if first is None else f"pause_end_{i}"
                if missing not in self.errors:
                    self.add_error(
                        missing, _("Give both the first and the last day of the pause.")
                    )
                continue
            if last < first:
                self.add_error(f"pause_end_{i}", _("The pause ends before it starts."))
                continue
            pauses.append(Pause(first, last, reason))
        return pauses


class PauseListField(forms.Field):
    """Repeated ``pause=YYYY-MM-DD..YYYY-MM-DD[:reason]`` parameters."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[Pause]:
        pauses = []
        for raw in value or []:
            text = str(raw).strip()
            if not text:
                continue
            span, _sep, reason = text.partition(":")
            first, sep, last = span.partition("..")
            try:
                start = datetime.date.fromisoformat(first.strip())
                end = datetime.date.fromisoformat(last.strip()) if sep else start
            except ValueError as exc:
                raise forms.ValidationError(
                    _("Write a pause as YYYY-MM-DD..YYYY-MM-DD (got %(value)s).") % {"value": text}
                ) from exc
            if end < start:
                raise forms.ValidationError(
                    _("The pause %(value)s ends before it starts.") % {"value": text}
                )
            pauses.append(Pause(start, end, reason.strip()))
        return pauses


class DeadlineApiForm(DeadlineForm):
    """The API's form: pauses as repeated ``pause`` parameters."""

    pause = PauseListField(required=False)

    def clean_pauses(self) -> list[Pause]:
        return list(self.cleaned_data.get("pause") or [])


class CalendarDayForm(StyledMixin, forms.Form):
    """法定节假日 / 调休上班日 override for one day."""

    date = _date_field(gettext_lazy("Date"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DayKind.choices)
    name = forms.CharField(
        label=gettext_lazy("Name"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("e.g. 春节"),
    )
    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=200,
        help_text=gettext_lazy("The State Council notice, e.g. 国办发明电〔2026〕…"),
    )


class CalendarYearForm(StyledMixin, forms.Form):
    """Mark a year's holiday notice as entered."""

    year = forms.IntegerField(label=gettext_lazy("Year"))
    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=200,
        help_text=gettext_lazy("The State Council notice the overrides of that year come from."),
    )


class ClockRuleVersionForm(StyledMixin, forms.ModelForm):
    """A new version of a time-limit rule."""

    class Meta:
        model = ClockRule
        fields = [
            "code",
            "name",
            "length",
            "unit",
            "start_day_counts",
            "roll_forward",
            "pausable",
            "source",
            "province",
            "verified",
            "effective_from",
            "effective_to",
            "notes",
        ]
        widgets = {"effective_from": DateInput(), "effective_to": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].input_formats = ISO_DATE
        self.fields["effective_to"].input_formats = ISO_DATE
        self.fields["notes"].widget.attrs["rows"] = 3

    def validate_unique(self) -> None:
        """Leave version overlaps to the service, which explains them."""

    def validate_constraints(self) -> None:
        """Leave version overlaps to the service, which explains them."""


class ClockRuleEditForm(StyledMixin, forms.ModelForm):
    """What may change without a new version: wording, citation, verification."""

    class Meta:
        model = ClockRule
        fields = ["name", "source", "verified", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notes"].widget.attrs["rows"] = 3


def rule_list_filters(params: Any) -> dict[str, Any]:
    """Turn the rule list's query string into selector arguments."""
    filters: dict[str, Any] = {"q": params.get("q", "").strip()}
    unit = params.get("unit", "")
    if unit in ClockUnit.values:
        filters["unit"] = unit
    verified = params.get("verified", "")
    if verified in ("yes", "no"):
        filters["verified"] = verified == "yes"
    status = params.get("status", "")
    if status in RULE_STATUSES:
        filters["status"] = status
    return filters
