"""文书: Word templates an administrator edits in Word, rendered with docxtpl.

A template is a .docx with Jinja tags (``{{ party_name }}``, ``{%p for … %}``);
docxtpl renders it without touching the layout, so what the legal section
drew in Word is what comes out. Each upload is a new version, stored by hash;
documents keep the version they were made from.

Rendering refuses a context that lacks a variable the template uses, naming
it, instead of printing a blank (the engine runs with StrictUndefined), and
escapes every value, so a party named "A&B<公司>" cannot break the XML.

The shipped defaults are data: ``fazhi/<app>/data/doc_templates/<code>.json``
describes a 文书 (title, number line, body paragraphs, tables, signature);
``template_build`` lays it out in GB/T 9704 and the post-migrate loader adds it
as version 1 when no version of that code exists yet.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateError, UndefinedError

from fazhi.core import files, gbt9704, policy
from fazhi.core.actors import SystemActor
from fazhi.core.audit import audit_record
from fazhi.core.errors import DomainError
from fazhi.core.formats import cn_date, wan_yuan
from fazhi.core.models import Document, DocumentTemplate, OrgUnit, User
from fazhi.core.numbering import number_next
from fazhi.core.policy import scope_q
from fazhi.core.services import attachment_store

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024


def jinja_env() -> Environment:
    """The engine every 文书 renders with: strict, escaping, with our filters."""
    env = Environment(undefined=StrictUndefined, autoescape=True)
    env.filters["cn_date"] = cn_date
    env.filters["wan_yuan"] = wan_yuan
    return env


# --- templates ---------------------------------------------------------------


def template_variables(data: bytes) -> list[str]:
    """Return the variables a .docx template uses; DomainError if it is not one."""
    try:
        doc = DocxTemplate(io.BytesIO(data))
        names = doc.get_undeclared_template_variables(jinja_env=jinja_env())
    except TemplateError as exc:
        raise DomainError(
            _("The template has a tag Word or Fazhi cannot read: %(error)s") % {"error": exc},
            field="file",
        ) from exc
    except Exception as exc:  # python-docx raises many kinds on a damaged file
        raise DomainError(_("This is not a Word (.docx) file."), field="file") from exc
    return sorted(names)


def template_active(code: str) -> DocumentTemplate:
    """Return the newest active version of the template ``code``."""
    found = DocumentTemplate.objects.filter(code=code, is_active=True).order_by("-version")
    template = found.first()
    if template is None:
        raise DomainError(_("No active document template “%(code)s”.") % {"code": code})
    return template


def _template_add(
    *, actor: Any, code: str, name: str, data: bytes, note: str = "", audit: bool = True
) -> DocumentTemplate:
    variables = template_variables(data)
    sha256 = hashlib.sha256(data).hexdigest()
    latest = DocumentTemplate.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0
    template = DocumentTemplate(
        code=code,
        version=latest + 1,
        name=name,
        content=data,
        sha256=sha256,
        variables=variables,
        note=note,
        uploaded_by=actor if isinstance(actor, User) else None,
    )
    template.full_clean()
    template.save()
    if not audit:  # shipped defaults are seed data, like the clock rules' seed
        return template
    audit_record(
        actor=actor,
        verb="core.documenttemplate.upload",
        obj=template,
        after={
            "code": code,
            "version": template.version,
            "sha256": sha256,
            "variables": variables,
        },
    )
    return template


@policy.requires("core.add_documenttemplate")
@transaction.atomic
def document_template_upload(
    *, actor: Any, code: str, upload: IO[bytes], name: str = "", note: str = ""
) -> DocumentTemplate:
    """Add the next version of template ``code`` from a .docx edited in Word."""
    data = upload.read(MAX_TEMPLATE_BYTES + 1)
    if len(data) > MAX_TEMPLATE_BYTES:
        raise DomainError(_("The template is larger than 10 MB."), field="file")
    if files.sniff(data[:4096], io.BytesIO(data)) != DOCX:
        raise DomainError(_("This is not a Word (.docx) file."), field="file")
    previous = DocumentTemplate.objects.filter(code=code).order_by("-version").first()
    if previous is None and not name:
        raise DomainError(_("A new template needs a name."), field="name")
    template = _template_add(
        actor=actor,
        code=code,
        name=name or (previous.name if previous else ""),
        data=data,
        note=note,
    )
    if previous is not None:
        missing = sorted(set(previous.variables) - set(template.variables))
        if missing:
            template.note = (
                _("Variables no longer used: %(names)s") % {"names": "、".join(missing)}
            )[:255]
            template.save(update_fields=["note"])
    return template


@policy.requires("core.add_documenttemplate")
@transaction.atomic
def document_template_set_active(
    *, actor: Any, template: DocumentTemplate, active: bool
) -> DocumentTemplate:
    """Switch one version on or off (the newest active version is used)."""
    template.is_active = active
    template.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        verb="core.documenttemplate.activate" if active else "core.documenttemplate.deactivate",
        obj=template,
        after={"is_active": active},
    )
    return template


def template_bytes(template: DocumentTemplate) -> bytes:
    return bytes(template.content)


# --- rendering ---------------------------------------------------------------


def _context_dict(context: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(context) and not isinstance(context, type):
        return {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}
    return dict(context)


def render_bytes(data: bytes, context: Mapping[str, Any]) -> bytes:
    """Render template bytes with ``context``; DomainError naming what is missing."""
    doc = DocxTemplate(io.BytesIO(data))
    env = jinja_env()
    missing = doc.get_undeclared_template_variables(jinja_env=env, context=dict(context))
    if missing:
        raise DomainError(
            _("The document cannot be made: the template uses %(names)s, which were not given.")
            % {"names": "、".join(sorted(missing))}
        )
    try:
        doc.render(dict(context), jinja_env=env, autoescape=True)
    except UndefinedError as exc:
        raise DomainError(
            _("The document cannot be made: %(error)s") % {"error": exc.message}
        ) from exc
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@policy.requires("core.add_document")
@transaction.atomic
def document_render(
    *,
    actor: Any,
    template_code: str,
    obj: models.Model,
    unit: OrgUnit,
    context: Mapping[str, Any] | Any,
    number_kind: str | None = None,
    title: str = "",
    on: Any = None,
) -> Document:
    """Make one 文书 about ``obj``: number it, render it, store it by hash.

    ``number_kind`` allocates the 文书号 in this transaction (a failure later
    returns it); the template sees it as ``number``. The document is stored as
    an attachment of ``unit`` and listed in ``obj``'s timeline.
    """
    policy.require_in_scope(actor, unit)
    template = template_active(template_code)
    values = _context_dict(context)
    number = ""
    if number_kind:
        number = number_next(agency=unit, kind=number_kind, on=on or timezone.localdate())
        values["number"] = number
    data = render_bytes(template_bytes(template), values)
    name = title or template.name
    attachment = attachment_store(
        actor=actor,
        upload=io.BytesIO(data),
        name=f"{name}{number}.docx",
        unit=unit,
        role="document",
        description=number,
    )
    document = Document(
        template=template,
        title=name,
        number=number,
        unit=unit,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        attachment=attachment,
        created_by=actor if isinstance(actor, User) else None,
    )
    document.full_clean()
    document.save()
    audit_record(
        actor=actor,
        verb="core.document.render",
        obj=document,
        after={
            "template": template.code,
            "template_version": template.version,
            "number": number,
            "object": f"{obj._meta.label_lower}:{obj.pk}",
            "sha256": attachment.blob.sha256,
        },
        unit=unit,
    )
    return document


def document_list(*, actor: Any, q: str = "") -> QuerySet[Document]:
    """Every 文书 made in the actor's scope, newest first."""
    found = Document.objects.filter(scope_q(actor, "unit__path"))
    if q:
        found = found.filter(Q(number__icontains=q) | Q(title__icontains=q))
    return found.select_related("template", "unit", "created_by", "attachment").order_by(
        "-created_at", "-pk"
    )


def documents_for(obj: models.Model) -> QuerySet[Document]:
    """The 文书 made about ``obj``, oldest first (for its timeline)."""
    return Document.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("template", "attachment__blob", "created_by")


# --- shipped defaults ----------------------------------------------------------


def _paragraph(document: Any, spec: str | Mapping[str, Any]) -> None:
    item = {"text": spec} if isinstance(spec, str) else dict(spec)
    para = document.add_paragraph(item["text"])
    fmt = para.paragraph_format
    if not item.get("indent", True):
        fmt.first_line_indent = Pt(0)
    align = item.get("align")
    if align:
        fmt.first_line_indent = Pt(0)
        fmt.alignment = {
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }[align]
        if align == "right":
            fmt.right_indent = gbt9704.BODY_SIZE * 4  # 右空四字
    font = {"hei": gbt9704.HEI_FONT, "kai": gbt9704.KAI_FONT}.get(item.get("font", ""))
    if font:
        for run in para.runs:
            run.font.name = font
            gbt9704.set_fonts(run._r, font)


def template_build(spec: Mapping[str, Any]) -> bytes:
    """Lay out a shipped 文书 spec as a GB/T 9704 .docx with Jinja tags."""
    document = new_docx()
    gbt9704.setup(document)
    document.core_properties.title = spec["title"]
    document.core_properties.author = "Fazhi"
    if spec.get("issuer"):
        _paragraph(document, {"text": spec["issuer"], "align": "center"})
    document.add_paragraph(spec["title"], style="Title")
    if spec.get("number", True):
        _paragraph(document, {"text": "{{ number }}", "align": "center"})
    for item in spec.get("paragraphs", []):
        _paragraph(document, item)
    rows = spec.get("table", [])
    if rows:
        table = document.add_table(rows=0, cols=len(rows[0]))
        table.style = "Table Grid"
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = text
                for para in cell.paragraphs:
                    para.paragraph_format.first_line_indent = Pt(0)
    for item in spec.get("after_table", []):
        _paragraph(document, item)
    for line in spec.get("signature", []):
        _paragraph(document, {"text": line, "align": "right"})
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def default_template_files() -> list[Path]:
    base = Path(settings.BASE_DIR) / "fazhi"
    return sorted(base.glob("*/data/doc_templates/*.json"))


def document_templates_load(**kwargs: Any) -> None:
    """Add each shipped template whose code has no version yet (after migrate)."""
    # Stored text, so in the site's language (a command runs with translation off).
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Shipped default")
    for path in default_template_files():
        spec = json.loads(path.read_text(encoding="utf-8"))
        if DocumentTemplate.objects.filter(code=spec["code"]).exists():
            continue
        with transaction.atomic():
            _template_add(
                actor=SystemActor("document_templates_load"),
                code=spec["code"],
                name=spec["name"],
                data=template_build(spec),
                note=note,
                audit=False,
            )
