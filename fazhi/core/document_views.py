"""Pages: numbering patterns (文书号/案号), 文书 templates and the document register."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhi.core import documents, numbering, policy
from fazhi.core.document_forms import NumberPatternForm, TemplateUploadForm
from fazhi.core.errors import DomainError
from fazhi.core.forms import apply_errors
from fazhi.core.listing import paginate
from fazhi.core.models import DocumentTemplate, NumberPattern


@policy.view_requires("core.view_numberpattern")
def numberpattern_list(request: HttpRequest) -> HttpResponse:
    patterns = numbering.number_pattern_list(actor=request.user)
    q = request.GET.get("q", "").strip()
    if q:
        patterns = patterns.filter(Q(kind__icontains=q) | Q(label__icontains=q))
    context = paginate(request, patterns.order_by("kind", "agency__path"), per_page=50)
    return render(request, "core/numberpattern_list.html", context)


@login_required
def numberpattern_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy.require(
        request.user, "core.change_numberpattern" if pk is not None else "core.add_numberpattern"
    )
    instance = None
    if pk is not None:
        instance = numbering.number_pattern_list(actor=request.user).filter(pk=pk).first()
        if instance is None:
            raise Http404
    form = NumberPatternForm(request.POST or None, instance=instance, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            numbering.number_pattern_save(
                actor=request.user,
                instance=NumberPattern.objects.get(pk=instance.pk) if instance else None,
                **{name: form.cleaned_data[name] for name in NumberPatternForm.Meta.fields},
            )
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("core:numberpattern_list")
    title = _("Edit numbering pattern") if instance else _("New numbering pattern")
    return render(
        request,
        "core/form.html",
        {"form": form, "title": title, "cancel": "core:numberpattern_list"},
    )


@policy.view_requires("core.view_documenttemplate")
def doctemplate_list(request: HttpRequest) -> HttpResponse:
    templates = DocumentTemplate.objects.defer("content").select_related("uploaded_by")
    q = request.GET.get("q", "").strip()
    if q:
        templates = templates.filter(Q(code__icontains=q) | Q(name__icontains=q))
    context = paginate(request, templates.order_by("code", "-version"), per_page=50)
    return render(request, "core/doctemplate_list.html", context)


@login_required
def doctemplate_upload(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "core.add_documenttemplate")
    initial = {"code": request.GET.get("code", "")}
    form = TemplateUploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            template = documents.document_template_upload(
                actor=request.user,
                code=form.cleaned_data["code"],
                upload=form.cleaned_data["file"],
                name=form.cleaned_data["name"],
                note=form.cleaned_data["note"],
            )
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(version)s of %(name)s was saved.")
                % {"version": template.version, "name": template.name},
            )
            return redirect(f"{reverse('core:doctemplate_list')}?q={template.code}")
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": _("Upload a document template"),
            "cancel": "core:doctemplate_list",
        },
    )


@policy.view_requires("core.view_documenttemplate")
def doctemplate_download(request: HttpRequest, pk: int) -> HttpResponse:
    template = DocumentTemplate.objects.filter(pk=pk).first()
    if template is None:
        raise Http404
    response = HttpResponse(documents.template_bytes(template), content_type=documents.DOCX)
    filename = f"{template.code}-v{template.version}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def doctemplate_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "core.add_documenttemplate")
    template = DocumentTemplate.objects.filter(pk=pk).defer("content").first()
    if template is None:
        raise Http404
    documents.document_template_set_active(
        actor=request.user, template=template, active=not template.is_active
    )
    messages.success(request, _("Saved."))
    return redirect(f"{reverse('core:doctemplate_list')}?q={template.code}")


@policy.view_requires("core.view_document")
def document_list(request: HttpRequest) -> HttpResponse:
    context = paginate(
        request, documents.document_list(actor=request.user, q=request.GET.get("q", "").strip())
    )
    return render(request, "core/document_list.html", context)
