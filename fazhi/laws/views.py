"""Pages of the law library: list, detail, articles, versions, search, import, compilations."""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import unquote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.errors import DomainError
from fazhi.core.forms import apply_errors
from fazhi.core.listing import paginate
from fazhi.core.policy import view_requires
from fazhi.laws import selectors, services
from fazhi.laws.choices import LawLevel, LawStatus
from fazhi.laws.citations import citation_format, citations_find
from fazhi.laws.compare import compare_versions, counterpart
from fazhi.laws.docx_export import laws_docx
from fazhi.laws.forms import (
    CitationForm,
    CompilationForm,
    HeadingsForm,
    ImportForm,
    LawEditForm,
    LawFilterForm,
    SearchForm,
    TermForm,
)
from fazhi.laws.models import Article, Compilation, Law, LawTerm, LawWork
from fazhi.laws.parser import work_key
from fazhi.laws.terms import parse_reference_lines, reference_article, term_delete, term_save
from fazhi.laws.versions import law_in_force

VIEW = "laws.view_law"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _law_or_404(request: HttpRequest, pk: int) -> Law:
    try:
        return selectors.law_get(actor=request.user, pk=pk)
    except Law.DoesNotExist:
        raise Http404 from None


@view_requires(VIEW)
def law_list(request: HttpRequest) -> HttpResponse:
    form = LawFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    laws = selectors.law_list(
        actor=request.user,
        q=filters.get("q", ""),
        level=filters.get("level", ""),
        status=filters.get("status", ""),
    )
    context = paginate(request, laws)
    context["form"] = form
    return render(request, "laws/law_list.html", context)


@view_requires(VIEW)
def law_detail(request: HttpRequest, pk: int) -> HttpResponse:
    law = _law_or_404(request, pk)
    articles = list(selectors.article_list(actor=request.user, law=law))
    versions = list(selectors.law_versions(actor=request.user, law=law))
    return render(
        request,
        "laws/law_detail.html",
        {
            "law": law,
            "articles": articles,
            "toc": selectors.law_toc(articles),
            "versions": versions,
            "others": [v for v in versions if v.pk != law.pk],
            "repealed_by": citation_format(law.repealed_by) if law.repealed_by else "",
            "headings_form": HeadingsForm(law=law)
            if policy.allowed(request.user, "laws.change_law")
            else None,
        },
    )


@login_required
def law_headings(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the lines the importer doubted as chapter headings (or unmark them)."""
    if not policy.allowed(request.user, "laws.change_law") or request.method != "POST":
        raise Http404
    law = _law_or_404(request, pk)
    form = HeadingsForm(request.POST, law=law)
    if form.is_valid():
        try:
            services.law_headings_correct(
                actor=request.user, law=law, headings=form.cleaned_data["headings"]
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The chapters were read again."))
    else:
        messages.error(request, _("Pick headings from the list."))
    return redirect("laws:law_detail", pk=law.pk)


@login_required
def law_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not policy.allowed(request.user, "laws.change_law"):
        raise Http404
    law = _law_or_404(request, pk)
    stored_effective_date = law.effective_date
    form = LawEditForm(request.POST if request.method == "POST" else None, instance=law)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if fields["effective_date"] == stored_effective_date:
            fields.pop("effective_date")  # unchanged: keep whether it was stated
        try:
            services.law_update(actor=request.user, law=law, **fields)
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("laws:law_detail", pk=law.pk)
    return render(request, "laws/law_edit.html", {"form": form, "law": law})


@view_requires(VIEW)
def article_detail(request: HttpRequest, pk: int, anchor: str) -> HttpResponse:
    law = _law_or_404(request, pk)
    try:
        article = selectors.article_get(actor=request.user, law=law, anchor=anchor)
    except Article.DoesNotExist:
        raise Http404 from None
    siblings = selectors.article_list(actor=request.user, law=law)
    previous = siblings.filter(seq__lt=article.seq).order_by("-seq").first()
    following = siblings.filter(seq__gt=article.seq).order_by("seq").first()
    others = []
    for version in selectors.law_versions(actor=request.user, law=law):
        if version.pk == law.pk:
            continue
        match = counterpart(article, version)
        others.append(
            {"law": version, "article": match, "same": bool(match and match.text == article.text)}
        )
    return render(
        request,
        "laws/article_detail.html",
        {
            "law": law,
            "article": article,
            "citation": citation_format(article),
            "stable_url": unquote(
                reverse("laws:work_article", args=[law.work.key, article.anchor])
            ),
            "previous": previous,
            "following": following,
            "others": others,
        },
    )


@view_requires(VIEW)
def work_article(request: HttpRequest, key: str, anchor: str) -> HttpResponse:
    """Stable citation URL by work: redirect to the article in the version in force."""
    law = _law_in_force_or_404(request, key)
    return redirect("laws:article_detail", pk=law.pk, anchor=anchor)


@view_requires(VIEW)
def work_detail(request: HttpRequest, key: str) -> HttpResponse:
    law = _law_in_force_or_404(request, key)
    return redirect("laws:law_detail", pk=law.pk)


def _law_in_force_or_404(request: HttpRequest, key: str) -> Law:
    try:
        work = selectors.work_get(actor=request.user, key=work_key(key))
    except LawWork.DoesNotExist:
        raise Http404 from None
    on = None
    if request.GET.get("on"):
        try:
            on = datetime.date.fromisoformat(request.GET["on"])
        except ValueError:
            raise Http404 from None
    law = law_in_force(work=work, on=on)
    if law is None:
        raise Http404
    return law


@view_requires(VIEW)
def law_compare(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    law = _law_or_404(request, pk)
    other_law = _law_or_404(request, other)
    if law.work_id != other_law.work_id:
        raise Http404
    comparison = compare_versions(law, other_law)
    show_all = request.GET.get("all") == "1"
    changes = [c for c in comparison.changes if show_all or c.kind != "unchanged"]
    return render(
        request,
        "laws/law_compare.html",
        {"comparison": comparison, "changes": changes, "show_all": show_all, "law": law},
    )


@view_requires(VIEW)
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "searched": False}
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        results = selectors.article_search(
            actor=request.user,
            q=data["q"],
            law_id=data["law"],
            level=data["level"],
            status=data["status"],
        )
        context.update(paginate(request, results, per_page=20))  # type: ignore[arg-type]
        context["searched"] = True
        context["terms"] = results.terms
        context["capped"] = results.capped
        context["notes"] = results.notes
        if data["law"]:
            context["law"] = Law.objects.filter(pk=data["law"]).first()
    return render(request, "laws/search.html", context)


@view_requires(VIEW)
def cite(request: HttpRequest) -> HttpResponse:
    form = CitationForm(request.GET or None)
    found = None
    if form.is_valid():
        found = citations_find(form.cleaned_data["text"], on=form.cleaned_data["on"])
    return render(request, "laws/cite.html", {"form": form, "found": found})


@login_required
def law_import(request: HttpRequest) -> HttpResponse:
    if not policy.allowed(request.user, "laws.add_law"):
        raise Http404
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    results = None
    if request.method == "POST" and form.is_valid():
        results = []
        for upload in form.cleaned_data["uploads"]:
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                result = services.ImportResult(upload.name or "", "failed")
                line = raw[: exc.start].count(b"\n") + 1
                result.errors.append(services.Problem(line, _("The file is not UTF-8 text.")))
                results.append(result)
                continue
            results.append(
                services.law_import(actor=request.user, text=text, source_name=upload.name or "")
            )
    return render(request, "laws/law_import.html", {"form": form, "results": results})


@view_requires("laws.view_compilation")
def compilation_list(request: HttpRequest) -> HttpResponse:
    items = selectors.compilation_list(actor=request.user, q=request.GET.get("q", ""))
    return render(request, "laws/compilation_list.html", paginate(request, items))


@login_required
def compilation_create(request: HttpRequest) -> HttpResponse:
    if not policy.allowed(request.user, "laws.add_compilation"):
        raise Http404
    laws = selectors.law_list(actor=request.user)
    form = CompilationForm(request.POST if request.method == "POST" else None, laws=laws)
    if request.method == "POST" and form.is_valid():
        try:
            compilation = services.compilation_create(
                actor=request.user, title=form.cleaned_data["title"], laws=form.ordered_laws()
            )
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The compilation was saved; download it below."))
            return redirect("laws:compilation_detail", pk=compilation.pk)
    return render(
        request,
        "laws/compilation_form.html",
        {"form": form, "laws": laws, "levels": LawLevel.choices, "statuses": LawStatus.choices},
    )


def _compilation_or_404(request: HttpRequest, pk: int) -> Compilation:
    try:
        return selectors.compilation_get(actor=request.user, pk=pk)
    except Compilation.DoesNotExist:
        raise Http404 from None


@view_requires("laws.view_compilation")
def compilation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    compilation = _compilation_or_404(request, pk)
    return render(
        request,
        "laws/compilation_detail.html",
        {"compilation": compilation, "laws": compilation.ordered_laws()},
    )


@view_requires("laws.view_compilation")
def compilation_download(request: HttpRequest, pk: int) -> HttpResponse:
    compilation = _compilation_or_404(request, pk)
    content = laws_docx(
        compilation.title,
        compilation.ordered_laws(),
        made_on=timezone.localtime(compilation.created_at).date(),
        author=str(compilation.created_by or ""),
    )
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{compilation.title}.docx")
    return response


@view_requires("laws.view_lawterm")
def term_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    context = paginate(request, selectors.term_list(actor=request.user, q=q), per_page=30)
    rows = []
    for term in context["object_list"]:
        refs = []
        for ref in term.refs.all():
            article = reference_article(ref)
            url = article.get_absolute_url() if article else ""
            refs.append({"ref": ref, "url": url})
        rows.append({"term": term, "refs": refs})
    context.update({"rows": rows, "q": q})
    return render(request, "laws/term_list.html", context)


def _term_form_page(request: HttpRequest, term: LawTerm | None) -> HttpResponse:
    if request.method == "POST":
        form = TermForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = term_save(
                    actor=request.user,
                    term=term,
                    name=data["term"],
                    aliases=re.split(r"[、,，;；\s]+", data["aliases"]),
                    note=data["note"],
                    refs=parse_reference_lines(data["refs"]),
                )
            except (ValidationError, DomainError) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{reverse('laws:term_list')}?q={saved.term}")
    else:
        form = TermForm(initial=TermForm.initial_for(term) if term else None)
    return render(request, "laws/term_form.html", {"form": form, "term": term})


@login_required
def term_create(request: HttpRequest) -> HttpResponse:
    if not policy.allowed(request.user, "laws.add_lawterm"):
        raise Http404
    return _term_form_page(request, None)


def _term_or_404(request: HttpRequest, pk: int) -> LawTerm:
    try:
        return selectors.term_list(actor=request.user).get(pk=pk)
    except LawTerm.DoesNotExist:
        raise Http404 from None


@login_required
def term_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not policy.allowed(request.user, "laws.change_lawterm"):
        raise Http404
    return _term_form_page(request, _term_or_404(request, pk))


@login_required
def term_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if not policy.allowed(request.user, "laws.delete_lawterm") or request.method != "POST":
        raise Http404
    term = _term_or_404(request, pk)
    term_delete(actor=request.user, term=term)
    messages.success(request, _("The term “%(term)s” was deleted.") % {"term": term.term})
    return redirect("laws:term_list")
