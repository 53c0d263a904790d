"""Pages of the power catalog (权责清单).

Views parse input, check permission, and call one service (writes) or the
selectors (reads). Objects are looked up through the scoped selectors first,
so an object outside the actor's scope is a 404 whatever the permission.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core import selectors as core_selectors
from fazhi.core import services as core_services
from fazhi.core.choices import AttachmentRole
from fazhi.core.errors import DomainError
from fazhi.core.forms import apply_errors
from fazhi.core.listing import paginate
from fazhi.core.models import Attachment
from fazhi.core.policy import view_requires
from fazhi.powers import selectors, services
from fazhi.powers.choices import CatalogStatus, PowerType
from fazhi.powers.diff import responsibilities_text
from fazhi.powers.excel import COLUMNS, write_catalog, write_error_report
from fazhi.powers.forms import (
    CatalogCreateForm,
    CatalogFilterForm,
    DiffForm,
    ImportForm,
    ItemFilterForm,
    ItemRemoveForm,
    ItemSearchForm,
    PowerItemForm,
    TemplateAdoptForm,
    TemplateDeriveForm,
)
from fazhi.powers.importing import ImportReport, catalog_import_check
from fazhi.powers.models import PowerCatalog, PowerItem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _get(getter: Any, **kwargs: Any) -> Any:
    try:
        return getter(**kwargs)
    except ObjectDoesNotExist:
        raise Http404 from None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Home card: draft catalogs to publish and unverified discretion tiers."""
    user = request.user
    if not policy.allowed(user, "powers.view_powercatalog"):
        return None
    catalogs = selectors.catalog_list(actor=user)
    drafts = [
        c
        for c in catalogs.filter(status=CatalogStatus.DRAFT)
        if core_selectors.unit_in_scope(user, c.agency)
    ]
    published = catalogs.filter(status=CatalogStatus.PUBLISHED)
    # The user's own agency's catalog first: a county sees its own, not the city's.
    unit = getattr(user, "unit", None)
    own = unit.agency() if unit is not None else None
    latest = (
        published.filter(agency=own).order_by("-year").first() if own is not None else None
    ) or published.first()
    return {
        "template": "powers/_home_panel.html",
        "drafts": drafts[:5],
        "draft_count": len(drafts),
        "latest": latest,
    }


# --- catalogs -------------------------------------------------------------------


@view_requires("powers.view_powercatalog")
def catalog_list(request: HttpRequest) -> HttpResponse:
    form = CatalogFilterForm(request.GET or None, actor=request.user)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "q": data["q"],
            "agency": data["agency"].pk if data["agency"] else None,
            "year": data["year"],
            "status": data["status"],
        }
    catalogs = selectors.catalog_list(actor=request.user, **filters)
    context = paginate(request, catalogs)
    context.update(
        {
            "form": form,
            "templates": selectors.template_list(actor=request.user)[:5],
            "can_create": policy.allowed(request.user, "powers.add_powercatalog"),
        }
    )
    return render(request, "powers/catalog_list.html", context)


@view_requires("powers.add_powercatalog")
def catalog_create(request: HttpRequest) -> HttpResponse:
    form = CatalogCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            catalog = services.catalog_create(
                actor=request.user,
                agency=data["agency"],
                year=data["year"],
                copy_previous=data["copy_previous"],
                notes=data["notes"],
            )
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The catalog version was created."))
            return redirect("powers:catalog_detail", pk=catalog.pk)
    return render(
        request,
        "powers/form.html",
        {
            "form": form,
            "title": _("New catalog version"),
            "cancel": reverse("powers:catalog_list"),
        },
    )


@view_requires("powers.view_powercatalog")
def catalog_detail(request: HttpRequest, pk: int) -> HttpResponse:
    catalog = _get(selectors.catalog_get, actor=request.user, pk=pk)
    units = selectors.agency_units(catalog.agency)
    form = ItemFilterForm(request.GET or None, units=units)
    items = selectors.item_list(actor=request.user, catalog=catalog, **form.filters())
    context = paginate(request, items, per_page=50)
    versions = selectors.catalog_list(actor=request.user, agency=catalog.agency_id)
    type_counts = dict(catalog.items.values_list("power_type").annotate(n=Count("id")).order_by())
    context.update(
        {
            "catalog": catalog,
            "form": form,
            "versions": versions,
            "can_edit": selectors.catalog_can_edit(request.user, catalog),
            "can_publish": catalog.is_draft
            and policy.allowed(request.user, "powers.publish_powercatalog")
            and core_selectors.unit_in_scope(request.user, catalog.agency),
            "can_derive": catalog.status == CatalogStatus.PUBLISHED
            and catalog.agency.level == "city"
            and policy.allowed(request.user, "powers.add_catalogtemplate")
            and core_selectors.unit_in_scope(request.user, catalog.agency)
            and not hasattr(catalog, "derived_template"),
            "type_counts": [
                (label, type_counts.get(value, 0))
                for value, label in PowerType.choices
                if type_counts.get(value)
            ],
            "removals": catalog.removals.all(),
            "local_changes": selectors.catalog_local_changes(catalog=catalog),
        }
    )
    return render(request, "powers/catalog_detail.html", context)


@view_requires("powers.publish_powercatalog")
def catalog_publish(request: HttpRequest, pk: int) -> HttpResponse:
    catalog = _get(selectors.catalog_get, actor=request.user, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.catalog_publish(actor=request.user, catalog=catalog)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The catalog was published."))
    return redirect("powers:catalog_detail", pk=pk)


@view_requires("powers.view_powercatalog")
def catalog_diff(request: HttpRequest, pk: int) -> HttpResponse:
    catalog = _get(selectors.catalog_get, actor=request.user, pk=pk)
    candidates = selectors.catalog_list(actor=request.user).exclude(pk=catalog.pk)
    initial = {"against": catalog.previous_id} if catalog.previous_id else {}
    form = DiffForm(request.GET or initial, catalogs=candidates)
    diff = None
    if form.is_valid():
        other = form.cleaned_data["against"]
        old, new = (
            (other, catalog)
            if (other.year, other.pk) <= (catalog.year, catalog.pk)
            else (catalog, other)
        )
        diff = selectors.catalog_diff(old=old, new=new)
    return render(
        request, "powers/catalog_diff.html", {"catalog": catalog, "form": form, "diff": diff}
    )


@view_requires("powers.view_powercatalog")
def catalog_export(request: HttpRequest, pk: int) -> HttpResponse:
    catalog = _get(selectors.catalog_get, actor=request.user, pk=pk)
    items = catalog.items.select_related("lead_unit", "parent").order_by("code")
    data = write_catalog(str(catalog), items)
    response = HttpResponse(data, content_type=XLSX)
    name = f"power-catalog-{catalog.agency.region_code or catalog.agency_id}-{catalog.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _editable_catalog(request: HttpRequest, pk: int) -> PowerCatalog:
    """A catalog the user sees (else 404) and may change (else 403: e.g. the city's)."""
    catalog = _get(selectors.catalog_get, actor=request.user, pk=pk)
    if not policy.allowed(request.user, "powers.change_poweritem", unit=catalog.agency):
        raise PermissionDenied
    return catalog


@view_requires("powers.change_poweritem")
def catalog_import(request: HttpRequest, pk: int) -> HttpResponse:
    catalog = _editable_catalog(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if not catalog.is_draft:
            form.add_error(
                None, _("A published catalog cannot be changed; create the next year's version.")
            )
        else:
            try:
                attachment = core_services.attachment_store(
                    actor=request.user,
                    upload=upload,
                    name=upload.name,
                    unit=catalog.agency,
                    role=AttachmentRole.IMPORT,
                    description=_("Import into %(catalog)s") % {"catalog": catalog},
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                return redirect(
                    "powers:catalog_import_review", pk=catalog.pk, upload=attachment.pk
                )
    return render(
        request,
        "powers/catalog_import.html",
        {"catalog": catalog, "form": form, "columns": COLUMNS},
    )


def _import_report(
    request: HttpRequest, catalog: PowerCatalog, upload: int
) -> tuple[Attachment, ImportReport]:
    attachment = _get(core_selectors.attachment_get, actor=request.user, pk=upload)
    if attachment.role != AttachmentRole.IMPORT or attachment.unit_id != catalog.agency_id:
        raise Http404
    with default_storage.open(attachment.blob.storage_name, "rb") as handle:
        data = handle.read()
    return attachment, catalog_import_check(catalog=catalog, data=data)


@view_requires("powers.change_poweritem")
def catalog_import_review(request: HttpRequest, pk: int, upload: int) -> HttpResponse:
    catalog = _editable_catalog(request, pk)
    attachment, report = _import_report(request, catalog, upload)
    if request.method == "POST":
        valid_only = request.POST.get("valid_only") == "1"
        try:
            created = services.catalog_import(
                actor=request.user, catalog=catalog, report=report, valid_only=valid_only
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("%(count)s items were imported.") % {"count": len(created)}
            )
            return redirect("powers:catalog_detail", pk=catalog.pk)
    return render(
        request,
        "powers/catalog_import_review.html",
        {
            "catalog": catalog,
            "attachment": attachment,
            "report": report,
            "errors": report.errors[:500],
            "valid_count": len(report.valid_rows),
        },
    )


@view_requires("powers.change_poweritem")
def catalog_import_report(request: HttpRequest, pk: int, upload: int) -> HttpResponse:
    catalog = _editable_catalog(request, pk)
    attachment, report = _import_report(request, catalog, upload)
    response = HttpResponse(
        write_error_report(report.errors, attachment.original_name), content_type=XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="import-problems-{upload}.xlsx"'
    return response


@view_requires("powers.view_powercatalog")
def catalog_local_changes(request: HttpRequest, pk: int) -> HttpResponse:
    catalog = _get(selectors.catalog_get, actor=request.user, pk=pk)
    changes = selectors.catalog_local_changes(catalog=catalog)
    if changes is None:
        raise Http404
    return render(request, "powers/local_changes.html", {"catalog": catalog, "changes": changes})


@view_requires("powers.view_poweritem")
def item_search(request: HttpRequest) -> HttpResponse:
    form = ItemSearchForm(request.GET or None, actor=request.user)
    items = selectors.item_list(actor=request.user, **form.filters())
    context = paginate(request, items, per_page=50)
    context["form"] = form
    return render(request, "powers/item_list.html", context)


@view_requires("powers.view_poweritem")
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get(selectors.item_get, actor=request.user, pk=pk)
    others = (
        selectors.item_list(actor=request.user, agency=item.catalog.agency_id)
        .filter(code=item.code)
        .exclude(pk=item.pk)
    )
    return render(
        request,
        "powers/item_detail.html",
        {
            "item": item,
            "catalog": item.catalog,
            "responsibilities": item.responsibilities,
            "responsibilities_text": responsibilities_text(item.responsibilities),
            "usages": selectors.power_item_usages(item=item),
            "other_versions": others,
            "children": item.children.order_by("code"),
            "can_edit": selectors.catalog_can_edit(request.user, item.catalog),
        },
    )


@view_requires("powers.change_poweritem")
def item_edit(
    request: HttpRequest, pk: int | None = None, catalog_pk: int | None = None
) -> HttpResponse:
    item = _get(selectors.item_get, actor=request.user, pk=pk) if pk else None
    catalog = (
        item.catalog
        if item is not None
        else _get(selectors.catalog_get, actor=request.user, pk=catalog_pk)
    )
    if not selectors.catalog_can_edit(request.user, catalog):
        raise PermissionDenied
    form = PowerItemForm(
        request.POST or None, instance=item or PowerItem(catalog=catalog), catalog=catalog
    )
    if request.method == "POST" and form.is_valid():
        try:
            if item is None:
                item = services.poweritem_create(
                    actor=request.user, catalog=catalog, **form.service_fields()
                )
            else:
                services.poweritem_update(actor=request.user, item=item, **form.service_fields())
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("powers:item_detail", pk=item.pk)
    return render(
        request,
        "powers/form.html",
        {
            "form": form,
            "title": _("Edit power item") if item else _("New power item"),
            "subtitle": str(catalog),
            "cancel": item.get_absolute_url() if item else catalog.get_absolute_url(),
        },
    )


@view_requires("powers.change_poweritem")
def item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get(selectors.item_get, actor=request.user, pk=pk)
    if not selectors.catalog_can_edit(request.user, item.catalog):
        raise PermissionDenied
    form = ItemRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        catalog = item.catalog
        try:
            services.poweritem_remove(
                actor=request.user, item=item, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The item was removed."))
            return redirect("powers:catalog_detail", pk=catalog.pk)
    return render(
        request,
        "powers/form.html",
        {
            "form": form,
            "title": _("Remove power item"),
            "subtitle": str(item),
            "cancel": item.get_absolute_url(),
            "danger": True,
        },
    )


# --- general catalogs --------------------------------------------------------------


@view_requires("powers.view_catalogtemplate")
def template_list(request: HttpRequest) -> HttpResponse:
    templates = selectors.template_list(
        actor=request.user, q=request.GET.get("q", ""), year=_int(request.GET.get("year"))
    )
    return render(request, "powers/template_list.html", paginate(request, templates))


@view_requires("powers.view_catalogtemplate")
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = _get(selectors.template_get, actor=request.user, pk=pk)
    items = selectors.template_items(template)
    q = request.GET.get("q", "").strip()
    if q:
        items = items.filter(name__icontains=q) | items.filter(code__icontains=q)
    context = paginate(request, items.order_by("code"), per_page=50)
    context.update(
        {
            "template": template,
            "adoptions": selectors.template_adoptions(actor=request.user, template=template),
            "can_adopt": policy.allowed(request.user, "powers.add_powercatalog")
            and selectors.adoptable_agencies(actor=request.user, template=template).exists(),
        }
    )
    return render(request, "powers/template_detail.html", context)


@view_requires("powers.add_catalogtemplate")
def template_derive(request: HttpRequest, pk: int) -> HttpResponse:
    catalog = _get(selectors.catalog_get, actor=request.user, pk=pk)
    form = TemplateDeriveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_derive(
                actor=request.user, catalog=catalog, name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The county general catalog was derived."))
            return redirect("powers:template_detail", pk=template.pk)
    shared = catalog.items.filter(shared_with_counties=True).count()
    return render(
        request,
        "powers/form.html",
        {
            "form": form,
            "title": _("Derive the county general catalog"),
            "subtitle": _(
                "%(count)s items of %(catalog)s are marked as the same power at county level."
            )
            % {"count": shared, "catalog": catalog},
            "cancel": catalog.get_absolute_url(),
        },
    )


@view_requires("powers.add_powercatalog")
def template_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    template = _get(selectors.template_get, actor=request.user, pk=pk)
    form = TemplateAdoptForm(request.POST or None, actor=request.user, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            catalog = services.template_adopt(
                actor=request.user,
                template=template,
                agency=form.cleaned_data["agency"],
                lead_unit=form.cleaned_data["lead_unit"],
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The general catalog was adopted; make the local changes, then publish."),
            )
            return redirect("powers:catalog_detail", pk=catalog.pk)
    return render(
        request,
        "powers/form.html",
        {
            "form": form,
            "title": _("Adopt the general catalog"),
            "subtitle": str(template),
            "cancel": template.get_absolute_url(),
        },
    )
