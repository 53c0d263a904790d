"""Core's entries for the permission matrix (see test_permission_matrix.py).

``URL_ARGS["ns:name"] = fn(personas) -> (kwargs, scoped)``: ``fn`` creates an
object through the services and returns the URL's keyword arguments.
``scoped=True`` means the object belongs to county B: county A's officer must
get 404 (or 403), while county B's officer, the city legal reviewer and the
administrator must be able to open it. Where fewer personas may open a page
(an edit form only the administrator has the permission for), ``fn`` returns
a third item: the names of the ``Personas`` attributes that must be able to.

``PUBLIC_URLS`` names the pages anonymous users may open.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from fazhi.core import services
from fazhi.core.models import AuditEvent

PUBLIC_URLS = {"login", "health"}

ADMIN_ONLY = ("admin",)
AUDIT_READERS = ("city_reviewer", "admin")


def _unit(personas: Any) -> tuple[dict[str, Any], bool]:
    return {"pk": personas.county_b_brigade.pk}, True


def _unit_edit(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    return {"pk": personas.county_b_brigade.pk}, True, ADMIN_ONLY


def _user(personas: Any) -> tuple[dict[str, Any], bool]:
    return {"pk": personas.county_b_officer.pk}, True


def _proposal(personas: Any) -> tuple[dict[str, Any], bool]:
    """A county B proposal to the city (decided by POST only: not a scoped page)."""
    from fazhi.core import proposals
    from fazhi.core.tests import factories

    legal = factories.unit("法规股", personas.county_b)
    reviewer = factories.user("b_reviewer", legal, "legal_reviewer")
    row = proposals.proposal_create(actor=reviewer, subject="裁量基准", proposal="建议")
    return {"pk": row.pk}, False


def _user_edit(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    return {"pk": personas.county_b_officer.pk}, True, ADMIN_ONLY


def _audit_event(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    services.orgunit_update(actor=personas.admin, unit=personas.county_b_brigade, sort_order=5)
    event = AuditEvent.objects.filter(
        verb="core.orgunit.update", object_id=str(personas.county_b_brigade.pk)
    ).latest("seq")
    return {"seq": event.seq}, True, AUDIT_READERS


def _attachment(personas: Any) -> tuple[dict[str, Any], bool]:
    attachment = services.attachment_store(
        actor=personas.county_b_officer,
        upload=io.BytesIO(b"%PDF-1.7\n%%EOF\n"),
        name="matrix.pdf",
        unit=personas.county_b_brigade,
    )
    return {"pk": attachment.pk}, True


def _token(personas: Any) -> tuple[dict[str, Any], bool]:
    user = personas.county_b_officer
    token, _key = services.token_issue(actor=user, user=user, name="matrix")
    return {"pk": token.pk}, True


def _pattern(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    from fazhi.core.numbering import number_pattern_save

    row = number_pattern_save(
        actor=personas.admin,
        kind="matrix",
        label="matrix",
        pattern="{agency_abbr}〔{year}〕{seq}号",
        agency=personas.county_b,
    )
    return {"pk": row.pk}, True, AUDIT_READERS


def _doc_template(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    from fazhi.core import documents

    spec = {"code": "matrix", "name": "matrix", "title": "matrix", "paragraphs": ["{{ x }}"]}
    template = documents.document_template_upload(
        actor=personas.admin,
        code="matrix",
        name="matrix",
        upload=io.BytesIO(documents.template_build(spec)),
    )
    return {"pk": template.pk}, False, AUDIT_READERS


def _doc_template_toggle(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    kwargs, _scoped, _who = _doc_template(personas)
    return kwargs, False, ADMIN_ONLY


URL_ARGS: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    "core:unit_detail": _unit,
    "core:unit_edit": _unit_edit,
    "core:user_detail": _user,
    "core:user_edit": _user_edit,
    "core:user_unlock": _user_edit,
    "core:user_two_factor_reset": _user,
    "core:proposal_decide": _proposal,
    "core:audit_detail": _audit_event,
    "core:attachment_download": _attachment,
    "token_revoke": _token,
    "core:numberpattern_edit": _pattern,
    "core:doctemplate_download": _doc_template,
    "core:doctemplate_toggle": _doc_template_toggle,
}
