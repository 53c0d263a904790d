"""Core pages: home, login, org units, users, tokens, audit log, attachments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fazhi.core import policy, privacy, selectors, services, two_factor
from fazhi.core.collation import by_pinyin
from fazhi.core.errors import DomainError
from fazhi.core.formfields import unit_choices
from fazhi.core.forms import (
    AttachmentForm,
    AuditFilterForm,
    CodeCheckForm,
    LoginForm,
    OrgUnitForm,
    PasswordChangeForm,
    UserForm,
    apply_errors,
)
from fazhi.core.listing import paginate
from fazhi.core.models import ApiToken


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Answer a load balancer or systemd probe: 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _activity_panel(request: HttpRequest) -> dict[str, Any] | None:
    if not policy.allowed(request.user, "core.view_auditevent"):
        return None
    events = selectors.audit_list(actor=request.user)[:8]
    return {"template": "core/_panel_activity.html", "events": events}


# Home-page panels: apps append callables (request) -> dict | None.
HOME_PANELS: list[Any] = [_activity_panel]


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    panels = [panel for make in HOME_PANELS if (panel := make(request))]
    return render(request, "core/home.html", {"panels": panels})


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = PasswordChangeForm

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.user
        services.user_set_password(
            actor=user,
            user=user,
            password=form.cleaned_data["new_password1"],
            keep_tokens=form.cleaned_data["keep_tokens"],
        )
        update_session_auth_hash(self.request, self.request.user)  # type: ignore[arg-type]
        messages.success(self.request, _("Your password was changed."))
        return redirect("password_change_done")


@policy.view_requires("core.view_orgunit")
def unit_list(request: HttpRequest) -> HttpResponse:
    units = selectors.unit_list(
        actor=request.user, q=request.GET.get("q", ""), kind=request.GET.get("kind", "")
    )
    return render(request, "core/unit_list.html", paginate(request, units, per_page=50))


@policy.view_requires("core.view_orgunit")
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _get_or_404(selectors.unit_list(actor=request.user), pk)
    return render(
        request,
        "core/unit_detail.html",
        {
            "unit": unit,
            "children": unit.children.order_by("sort_order", "name"),
            "users": selectors.user_list(actor=request.user).filter(unit=unit)[:100],
        },
    )


@login_required
def unit_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    perm = "core.change_orgunit" if pk else "core.add_orgunit"
    policy.require(request.user, perm)
    unit = _get_or_404(selectors.unit_list(actor=request.user), pk) if pk else None
    form = OrgUnitForm(request.POST or None, instance=unit, actor=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if unit is None:
                unit = services.orgunit_create(actor=request.user, **fields)
            else:
                services.orgunit_update(actor=request.user, unit=unit, **fields)
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("core:unit_detail", pk=unit.pk)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("Org unit"), "cancel": "core:unit_list"},
    )


@policy.view_requires("core.view_user")
def user_list(request: HttpRequest) -> HttpResponse:
    users = selectors.user_list(
        actor=request.user,
        q=request.GET.get("q", ""),
        role=request.GET.get("role", ""),
        unit=_int(request.GET.get("unit")),
    )
    context = paginate(request, users)
    context["units"] = unit_choices(selectors.unit_list(actor=request.user))
    from fazhi.core.models import Role

    context["roles"] = Role.objects.all()
    return render(request, "core/user_list.html", context)


@policy.view_requires("core.view_user")
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _get_or_404(selectors.user_list(actor=request.user), pk)
    events = selectors.audit_list(
        actor=request.user, object_type="core.user", object_id=str(user.pk)
    )[:20]
    return render(
        request,
        "core/user_detail.html",
        {
            "subject": user,
            "events": events,
            "two_factor_enrolled": two_factor.is_enrolled(user),
            "two_factor_required": two_factor.required_for(user),
        },
    )


@login_required
def user_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    perm = "core.change_user" if pk else "core.add_user"
    policy.require(request.user, perm)
    user = _get_or_404(selectors.user_list(actor=request.user), pk) if pk else None
    form = UserForm(request.POST or None, instance=user, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if user is None:
                user, password = services.user_create(actor=request.user, **data)
                messages.success(
                    request,
                    _("User created. Initial password (shown once): %(password)s")
                    % {"password": password},
                )
            else:
                services.user_update(actor=request.user, user=user, **data)
                messages.success(request, _("Saved."))
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            return redirect("core:user_detail", pk=user.pk)
    return render(
        request, "core/form.html", {"form": form, "title": _("User"), "cancel": "core:user_list"}
    )


@login_required
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "core.change_user")
    user = _get_or_404(selectors.user_list(actor=request.user), pk)
    services.user_unlock(actor=request.user, user=user)
    messages.success(request, _("The account was unlocked."))
    return redirect("core:user_detail", pk=pk)


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    new_key = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip() or _("Personal token")
        _token, new_key = services.token_issue(actor=request.user, user=request.user, name=name)  # type: ignore[arg-type]
    return render(
        request,
        "core/token_list.html",
        {"tokens": selectors.token_list(actor=request.user), "new_key": new_key},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("token_list")


@policy.view_requires("core.view_auditevent")
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "actor_q": data["actor"],
            "object_type": data["object_type"],
            "object_id": data["object_id"],
            "verb": data["verb"],
            "since": data["since"],
            "until": data["until"],
        }
    events = selectors.audit_list(actor=request.user, **filters)
    context = paginate(request, events, per_page=50)
    context["form"] = form
    # Suggestions for the actor filter: the people in the user's scope.
    context["actor_names"] = (
        selectors.user_list(actor=request.user)
        .exclude(full_name="")
        .order_by(by_pinyin("full_name"))
        .values_list("full_name", flat=True)[:500]
    )
    return render(request, "core/audit_list.html", context)


@policy.view_requires("core.view_auditevent")
def audit_detail(request: HttpRequest, seq: int) -> HttpResponse:
    events = selectors.audit_list(actor=request.user)
    event = events.filter(seq=seq).first()
    if event is None:
        raise Http404
    # The digests are over the whole payload; the page masks personal data.
    show = privacy.may_see_personal_data(request.user)
    context = {
        "event": event,
        "before": privacy.redact(event.before, show),
        "after": privacy.redact(event.after, show),
    }
    return render(request, "core/audit_detail.html", context)


@policy.view_requires("core.view_attachment")
def attachment_list(request: HttpRequest) -> HttpResponse:
    form = AttachmentForm(actor=request.user)
    if request.method == "POST":
        policy.require(request.user, "core.add_attachment")
        form = AttachmentForm(request.POST, request.FILES, actor=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.attachment_store(
                    actor=request.user,
                    upload=upload,
                    name=upload.name,
                    unit=form.cleaned_data["unit"],
                    role=form.cleaned_data["role"],
                    description=form.cleaned_data["description"],
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The file was stored."))
                return redirect("core:attachment_list")
    files = selectors.attachment_list(
        actor=request.user, q=request.GET.get("q", ""), role=request.GET.get("role", "")
    )
    context = paginate(request, files)
    context["form"] = form
    return render(request, "core/attachment_list.html", context)


@policy.view_requires("core.view_attachment")
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = _get_or_404(selectors.attachment_list(actor=request.user), pk)
    blob = attachment.blob
    response = FileResponse(
        default_storage.open(blob.storage_name, "rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=blob.content_type,
    )
    response["X-Content-SHA256"] = blob.sha256
    return response


@login_required
def code_check(request: HttpRequest) -> HttpResponse:
    form = CodeCheckForm(request.GET or None)
    result = form.check() if form.is_valid() else None
    return render(request, "core/code_check.html", {"form": form, "result": result})


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _get_or_404(queryset: Any, pk: int | None) -> Any:
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj
