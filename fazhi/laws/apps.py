from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LawsConfig(AppConfig):
    name = "fazhi.laws"
    label = "laws"
    verbose_name = _("Laws")

    def ready(self) -> None:
        from fazhi.core.context_processors import NavItem, register_nav
        from fazhi.core.roles import ROLE_PERMISSIONS
        from fazhi.laws.permissions import GRANTS

        # Until fazhi.core.roles collects each app's GRANTS itself, add ours here
        # (adding twice is harmless: they are sets).
        for role, perms in GRANTS.items():
            ROLE_PERMISSIONS[role] |= perms
        register_nav(
            NavItem(_("Laws"), "laws:law_list", "laws.view_law"),
            NavItem(_("Search"), "laws:search", "laws.view_law"),
            NavItem(_("Legal terms"), "laws:term_list", "laws.view_lawterm"),
            before="core:unit_list",
        )
