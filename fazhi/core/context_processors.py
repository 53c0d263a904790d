"""Navigation built from the apps that exist: areas not built are absent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
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


# The sidebar is the same for every request of one configuration, language,
# set of visible entries and current entry: its entries are reversed once
# per URL configuration and its markup written once per such key.
_ENTRIES: dict[tuple[Any, ...], list[tuple[str, NavItem, str]]] = {}
_SIDEBARS: dict[tuple[Any, ...], SafeString] = {}
_SIDEBARS_MAX = 512


def _entries() -> list[tuple[str, NavItem, str]]:
    """Every entry whose URL exists, with its group key and URL."""
    key = (
        settings.ROOT_URLCONF,
        get_urlconf(),
        get_script_prefix(),
        id(NAVIGATION),
        len(NAVIGATION),
        id(NAV_GROUPS),
        len(NAV_GROUPS),
    )
    entries = _ENTRIES.get(key)
    if entries is None:
        entries = []
        for item in NAVIGATION:
            try:
                entries.append((_group_key(item), item, reverse(item.url_name)))
            except NoReverseMatch:
                continue
        _ENTRIES[key] = entries
    return entries


def _sidebar(entries: list[tuple[str, NavItem, str]], current: str | None) -> SafeString:
    key = (get_language(), current, *(url for _k, _i, url in entries))
    html = _SIDEBARS.get(key)
    if html is None:
        groups: dict[str, dict[str, Any]] = {}
        for group_key, item, url in entries:
            nav_group = NAV_GROUPS.get(group_key) or NAV_GROUPS["system"]
            group = groups.setdefault(
                group_key,
                {
                    "label": nav_group.label,
                    "glyph": nav_group.glyph or str(nav_group.label)[:1],
                    "items": [],
                    "active": False,
                },
            )
            active = url == current
            group["items"].append({"label": item.label, "url": url, "active": active})
            group["active"] = group["active"] or active
        ordered = [groups[k] for k in NAV_GROUPS if k in groups]
        html = mark_safe(render_to_string("partials/sidebar.html", {"nav_groups": ordered}))
        if len(_SIDEBARS) >= _SIDEBARS_MAX:
            _SIDEBARS.clear()
        _SIDEBARS[key] = html
    return html


def navigation(request: HttpRequest) -> dict[str, object]:
    """The sidebar for this user (markup), and the breadcrumbs of this page.

    The current entry is the one whose URL is the longest prefix of the path,
    so a detail page under a list's URL sits under that list.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sidebar": "", "nav_crumbs": []}
    entries = [
        entry
        for entry in _entries()
        if not entry[1].permission or policy.has_permission(user, entry[1].permission)
    ]
    path = request.path
    current: str | None = None
    current_label: Any = None
    for _k, item, url in entries:
        if (path == url or (url != "/" and path.startswith(url))) and (
            current is None or len(url) >= len(current)
        ):
            current, current_label = url, item.label
    home = {"label": _("Home"), "url": reverse("home")}
    crumbs: list[dict[str, object]] = []
    if current is not None and current != home["url"]:
        crumbs = [home, {"label": current_label, "url": current}]
    elif current is None and path != home["url"]:
        crumbs = [home]
    return {"nav_sidebar": _sidebar(entries, current), "nav_crumbs": crumbs}


def site(request: HttpRequest) -> dict[str, object]:
    """Name the bureau and the system for the page header and the login page.

    The bureau is the user's own agency; before login it is
    ``settings.FAZHI_BUREAU_NAME``, else the top agency of the org tree.
    """
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
