"""Navigation built from the apps that exist: areas not built are absent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fazhi.core import policy


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str = ""
    icon: str = ""
    group: str = ""  # a key of NAV_GROUPS; defaults to the URL namespace


@dataclass(frozen=True)
class NavGroup:
    """A domain of the left sidebar; ``glyph`` stands for it when collapsed."""

    label: str | Promise
    glyph: str | Promise = ""


# Domains of the sidebar, in display order; an item's group defaults to its
# URL namespace. A group with no visible item is not shown, so the domains of
# apps not built yet cost nothing. A new domain: ``register_nav_group``.
NAV_GROUPS: dict[str, NavGroup] = {
    "home": NavGroup(_("Home")),
    "laws": NavGroup(_("Laws")),
    "powers": NavGroup(_("Powers")),
    "discretion": NavGroup(_("Discretion")),
    "registry": NavGroup(_("Two databases")),
    "inspections": NavGroup(_("Inspections")),
    "cases": NavGroup(_("Cases")),
    "deadlines": NavGroup(_("Deadlines")),
    "system": NavGroup(_("System")),
}

# Apps append their entries here from their AppConfig.ready().
NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "home", group="home"),
    NavItem(_("Deadline calculator"), "core:clock", group="deadlines"),
    NavItem(_("Calendar"), "core:calendar", "core.view_calendarday", group="deadlines"),
    NavItem(_("Rule proposals"), "core:proposal_list", "core.view_ruleproposal", group="system"),
    NavItem(_("Org units"), "core:unit_list", "core.view_orgunit", group="system"),
    NavItem(_("Users"), "core:user_list", "core.view_user", group="system"),
    NavItem(_("Attachments"), "core:attachment_list", "core.view_attachment", group="system"),
    NavItem(_("Check a code"), "core:code_check", group="system"),
    NavItem(_("Audit log"), "core:audit_list", "core.view_auditevent", group="system"),
    NavItem(
        _("Verify the audit chain"), "core:audit_verify", "core.view_auditevent", group="system"
    ),
    NavItem(_("Documents issued"), "core:document_list", "core.view_document", group="system"),
    NavItem(
        _("Document templates"),
        "core:doctemplate_list",
        "core.view_documenttemplate",
        group="system",
    ),
    NavItem(
        _("Numbering patterns"),
        "core:numberpattern_list",
        "core.view_numberpattern",
        group="system",
    ),
]


def register_nav(*items: NavItem, before: str | None = None) -> None:
    """Add navigation entries, optionally before the entry named ``before``."""
    index = len(NAVIGATION)
    if before is not None:
        index = next((i for i, item in enumerate(NAVIGATION) if item.url_name == before), index)
    NAVIGATION[index:index] = items


def register_nav_group(
    key: str, label: str | Promise, glyph: str | Promise = "", *, before: str | None = None
) -> None:
    """Add a domain to the sidebar, optionally before the group ``before``."""
    groups = list(NAV_GROUPS.items())
    index = len(groups)
    if before is not None:
        index = next((i for i, (k, _g) in enumerate(groups) if k == before), index)
    groups.insert(index, (key, NavGroup(label, glyph)))
    NAV_GROUPS.clear()
    NAV_GROUPS.update(groups)


def _group_key(item: NavItem) -> str:
    if item.group:
        return item.group
    namespace = item.url_name.split(":", 1)[0] if ":" in item.url_name else "home"
    return namespace if namespace in NAV_GROUPS else "system"


def navigation(request: HttpRequest) -> dict[str, object]:
    """The sidebar's groups for this user, and the breadcrumbs of this page.

    The current entry is the one whose URL is the longest prefix of the path,
    so a detail page under a list's URL sits under that list.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": [], "nav_crumbs": []}
    entries: list[tuple[str, NavItem, str]] = []
    for item in NAVIGATION:
        if item.permission and not policy.has_permission(user, item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append((_group_key(item), item, url))
    path = request.path
    matches = [
        url for _k, _i, url in entries if path == url or (url != "/" and path.startswith(url))
    ]
    current = max(matches, key=len) if matches else None
    groups: dict[str, dict[str, Any]] = {}
    crumbs: list[dict[str, object]] = []
    home = {"label": _("Home"), "url": reverse("home")}
    for key, item, url in entries:
        nav_group = NAV_GROUPS.get(key) or NAV_GROUPS["system"]
        group = groups.setdefault(
            key,
            {
                "label": nav_group.label,
                "glyph": nav_group.glyph or str(nav_group.label)[:1],
                "items": [],
                "active": False,
            },
        )
        active = url == current
        group["items"].append({"label": item.label, "url": url, "active": active})
        if active:
            group["active"] = True
            if url != home["url"]:
                crumbs = [home, {"label": item.label, "url": url}]
    if not crumbs and path != home["url"]:
        crumbs = [home]
    ordered = [groups[key] for key in NAV_GROUPS if key in groups]
    return {"nav_groups": ordered, "nav_crumbs": crumbs}


def site(request: HttpRequest) -> dict[str, object]:
    """Name the bureau and the system for the page header and the login page.

    The bureau is the user's own agency; before login it is
    ``settings.FAZHI_BUREAU_NAME``, else the top agency of the org tree.
    """
    from django.conf import settings
    from django.db import DatabaseError, transaction

    from fazhi.core.choices import UnitKind
    from fazhi.core.models import OrgUnit

    bureau = ""
    user = request.user
    unit = getattr(user, "unit", None) if user.is_authenticated else None
    if unit is not None:
        bureau = unit.agency().name
    if not bureau:
        bureau = settings.FAZHI_BUREAU_NAME
    if not bureau:
        # The login page must render before the org tree exists (a fresh
        # install, a health check): no name then.
        try:
            with transaction.atomic():
                top = (
                    OrgUnit.objects.filter(kind=UnitKind.AGENCY, parent__isnull=True)
                    .order_by("pk")
                    .values_list("name", flat=True)
                    .first()
                )
        except DatabaseError:
            top = None
        bureau = top or ""
    return {"system_name": _("Rule-of-law administration system"), "bureau_name": bureau}


def permissions(request: HttpRequest) -> dict[str, object]:
    """``perms`` for templates, decided by the policy module (replaces the auth one)."""
    return {"perms": policy.TemplatePerms(getattr(request, "user", None))}
