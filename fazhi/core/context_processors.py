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


# Apps append their entries here from their AppConfig.ready().
NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "home"),
    NavItem(_("Org units"), "core:unit_list", "core.view_orgunit"),
    NavItem(_("Users"), "core:user_list", "core.view_user"),
    NavItem(_("Deadlines"), "core:clock"),
    NavItem(_("Calendar"), "core:calendar", "core.view_calendarday"),
    NavItem(_("Attachments"), "core:attachment_list", "core.view_attachment"),
    NavItem(_("Check a code"), "core:code_check"),
    NavItem(_("Audit log"), "core:audit_list", "core.view_auditevent"),
]


def register_nav(*items: NavItem, before: str | None = None) -> None:
    """Add navigation entries, optionally before the entry named ``before``."""
    index = len(NAVIGATION)
    if before is not None:
        index = next((i for i, item in enumerate(NAVIGATION) if item.url_name == before), index)
    NAVIGATION[index:index] = items


def navigation(request: HttpRequest) -> dict[str, object]:
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for item in NAVIGATION:
        if item.permission and not user.has_perm(item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append(
            {
                "label": item.label,
                "url": url,
                "active": request.path == url or (url != "/" and request.path.startswith(url)),
            }
        )
    return {"nav_items": items}
