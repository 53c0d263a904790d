from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fazhi.core import audit_verbs, selectors
from fazhi.core.choices import AttachmentRole
from fazhi.core.codes import VALIDATORS
from fazhi.core.errors import DomainError
from fazhi.core.formfields import UnitChoiceField
from fazhi.core.models import AuditEvent, OrgUnit, Role, User
from fazhi.core.request_context import client_ip_of
from fazhi.core.throttle import login_wait
from fazhi.core.widgets import DateTimeInput


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes in Bootstrap's form-check layout (the class goes on the inputs only)."""

    template_name = "core/widgets/checkbox_list.html"


class StyledMixin:
    """Give every widget its Bootstrap class; use in every form of the product."""

    fields: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"  # also each box of a list (a RadioSelect subclass)
                if type(widget) is forms.CheckboxSelectMultiple:
                    widget.template_name = CheckboxList.template_name  # each box a form-check
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            classes = widget.attrs.get("class", "").split()
            if css not in classes:
                widget.attrs["class"] = " ".join([*classes, css])


def apply_errors(
    form: Any, exc: ValidationError | DomainError, *, aliases: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: on its field when the form has it.

    ``aliases`` maps a model field to the form field that edits it.
    """
    if isinstance(exc, DomainError):
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        return
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = (aliases or {}).get(name, name)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class LoginForm(StyledMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong user name or password. After repeated failures you must wait "
            "longer and longer before the next try."
        ),
        "inactive": _("This account is inactive or temporarily locked."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username and self.request is not None:
            wait = login_wait(username=username, client_ip=client_ip_of(self.request))
            if wait:
                # Refused before the password is checked: waiting tells nothing.
                raise ValidationError(
                    ngettext(
                        "Too many failed attempts. Try again in %(n)d second.",
                        "Too many failed attempts. Try again in %(n)d seconds.",
                        wait,
                    )
                    % {"n": wait},
                    code="throttled",
                )
        return super().clean()


class PasswordChangeForm(StyledMixin, DjangoPasswordChangeForm):
    keep_tokens = forms.BooleanField(
        label=_("Keep my API tokens"),
        required=False,
        help_text=_("Unless you tick this, every API token you hold is revoked."),
    )


class OrgUnitForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = [
            "name",
            "short_name",
            "kind",
            "level",
            "parent",
            "region_code",
            "uscc",
            "doc_abbr",
            "sort_order",
            "is_active",
        ]
        field_classes = {"parent": UnitChoiceField}

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = selectors.unit_list(actor=actor)


class UserForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "username",
            "full_name",
            "unit",
            "role",
            "phone",
            "email",
            "enterprise_uscc",
            "is_active",
        ]
        field_classes = {"unit": UnitChoiceField}

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.unit_list(actor=actor)
        self.fields["unit"].required = True
        roles = Role.objects.all()
        if selectors.scope_paths(actor) is not None:
            roles = roles.exclude(code="system_admin")
        self.fields["role"].queryset = roles
        self.fields["role"].required = True


class AttachmentForm(StyledMixin, forms.Form):
    file = forms.FileField(label=_("File"))
    unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    role = forms.ChoiceField(
        label=_("Role"), choices=AttachmentRole.choices, initial=AttachmentRole.OTHER
    )
    description = forms.CharField(label=_("Description"), max_length=255, required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.unit_list(actor=actor)
        if actor.unit_id:
            self.fields["unit"].initial = actor.unit_id


def _audited_types() -> list[tuple[str, str]]:
    """The object types the log holds, as (``app.model``, name), by name."""
    from django.apps import apps

    found = []
    recorded = AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct()
    for label in recorded:
        try:
            name = str(apps.get_model(label)._meta.verbose_name)
        except (LookupError, ValueError):
            continue
        found.append((label, name))
    return sorted(found, key=lambda pair: pair[1])


class AuditFilterForm(StyledMixin, forms.Form):
    actor = forms.CharField(
        label=_("Actor"),
        required=False,
        help_text=_("Name or user name"),
        widget=forms.TextInput(attrs={"list": "audit-actors"}),
    )
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    verb = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateTimeField(label=_("From"), required=False, widget=DateTimeInput())
    until = forms.DateTimeField(label=_("Until"), required=False, widget=DateTimeInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", _("All")), *_audited_types()]
        # The verb picker: every app's verbs by label (old spellings are found too).
        self.fields["verb"].choices = [("", _("All")), *audit_verbs.choices()]


class CodeCheckForm(StyledMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("uscc", _("Unified social credit code")),
            ("ric", _("Citizen ID number")),
            ("region", _("Region code")),
        ],
    )
    value = forms.CharField(label=_("Value"), max_length=40)

    def check(self) -> Any:
        return VALIDATORS[self.cleaned_data["kind"]](self.cleaned_data["value"])
