"""Navigation built from the apps that exist: areas not built are absent."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str = ""
    icon: str = ""
    group: str = ""  # a key of NAV_GROUPS; defaults to the URL namespace


# Menus of the navigation bar, in display order; an item's group defaults to
# its URL namespace. A group with a single visible item shows as a plain link.
NAV_GROUPS: dict[str, str | Promise] = {
    "home": _("Home"),
    "laws": _("Laws"),
    "powers": _("Powers"),
    "registry": _("Two databases"),
    "deadlines": _("Deadlines"),
    "system": _("System"),
}

# Apps append their entries here from their AppConfig.ready().
NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "home", group="home"),
    NavItem(_("Deadline calculator"), "core:clock", group="deadlines"),
    NavItem(_("Calendar"), "core:calendar", "core.view_calendarday", group="deadlines"),
    NavItem(_("Org units"), "core:unit_list", "core.view_orgunit", group="system"),
    NavItem(_("Users"), "core:user_list", "core.view_user", group="system"),
    NavItem(_("Attachments"), "core:attachment_list", "core.view_attachment", group="system"),
    NavItem(_("Check a code"), "core:code_check", group="system"),
    NavItem(_("Audit log"), "core:audit_list", "core.view_auditevent", group="system"),
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


def _group_key(item: NavItem) -> str:
    if item.group:
        return item.group
    namespace = item.url_name.split(":", 1)[0] if ":" in item.url_name else "home"
    return namespace if namespace in NAV_GROUPS else "system"


def navigation(request: HttpRequest) -> dict[str, object]:
    user = request.user
    if not user.is_authenticated:
        return {"nav_groups": []}
    groups: dict[str, dict[str, object]] = {
        key: {"label": label, "items": [], "active": False} for key, label in NAV_GROUPS.items()
    }
    for item in NAVIGATION:
        if item.permission and not user.has_perm(item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = request.path == url or (url != "/" and request.path.startswith(url))
        group = groups[_group_key(item)]
        group["items"].append({"label": item.label, "url": url, "active": active})  # type: ignore[attr-defined]
        group["active"] = group["active"] or active
    return {"nav_groups": [g for g in groups.values() if g["items"]]}
