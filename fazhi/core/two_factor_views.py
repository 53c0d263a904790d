"""Pages of the two-factor login: verify, enrol, manage; an administrator's reset."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fazhi.core import policy, selectors, two_factor
from fazhi.core.errors import DomainError, NotAllowed
from fazhi.core.forms import StyledMixin, apply_errors
from fazhi.core.models import User


class CodeForm(StyledMixin, forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Second step of the login: a code from the authenticator or a recovery code."""
    user: Any = request.user
    if two_factor.session_ok(request):
        return redirect(_next(request))
    if not two_factor.is_enrolled(user):
        return redirect("two_factor_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            used = two_factor.verify(user=user, token=form.cleaned_data["token"])
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            two_factor.mark_verified(request)
            if used == "recovery":
                left = two_factor.recovery_left(user)
                text = _("You used a recovery code; %(left)d are left.") % {"left": left}
                messages.warning(request, text + " " + _("Set up new codes if few remain."))
            return redirect(_next(request))
    return render(request, "core/two_factor_verify.html", {"form": form, "next": _next(request)})


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: QR code and key, then the first code confirms it.

    An enrolled user whose session is not verified yet proves the current
    authenticator first (verify), so a stolen password cannot replace it.
    """
    user: Any = request.user
    if two_factor.is_enrolled(user) and not two_factor.session_ok(request):
        return redirect("two_factor_verify")
    device = two_factor.enrol_start(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.enrol_confirm(
                user=user, device=device, token=form.cleaned_data["token"]
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            two_factor.mark_verified(request)
            return render(
                request,
                "core/two_factor_codes.html",
                {"codes": codes, "next": _next(request), "enrolled": True},
            )
    url = device.config_url
    return render(
        request,
        "core/two_factor_enrol.html",
        {
            "form": form,
            "qr": two_factor.qr_svg(url),
            "manual_key": two_factor.manual_key(device),
            "required": two_factor.required_for(user),
            "replacing": two_factor.is_enrolled(user),
            "next": _next(request),
        },
    )


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    """One's own second factor: status, new recovery codes, switch off (if optional)."""
    user: Any = request.user
    codes = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "regenerate":
                codes = two_factor.recovery_regenerate(user=user)
            elif request.POST.get("action") == "disable":
                two_factor.disable(user=user)
                messages.success(request, _("Two-factor login is switched off."))
                return redirect("two_factor")
        except (DomainError, NotAllowed) as exc:
            messages.error(request, str(exc.message))
        if codes is not None:
            return render(
                request,
                "core/two_factor_codes.html",
                {"codes": codes, "next": "", "enrolled": False},
            )
    return render(
        request,
        "core/two_factor.html",
        {
            "enrolled": two_factor.is_enrolled(user),
            "required": two_factor.required_for(user),
            "recovery_left": two_factor.recovery_left(user),
        },
    )


@login_required
@require_POST
def reset(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator removes a user's authenticator (lost phone)."""
    policy.page_require(request.user, "core.change_user", hide=True)
    subject = selectors.user_list(actor=request.user).filter(pk=pk).first()
    if subject is None or not isinstance(subject, User):
        raise Http404
    try:
        two_factor.reset(actor=request.user, user=subject)
    except NotAllowed as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The user's two-factor login was reset."))
    return redirect("core:user_detail", pk=pk)
