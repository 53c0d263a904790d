from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LawsConfig(AppConfig):
    name = "fazhi.laws"
    label = "laws"
    verbose_name = _("Laws")

    def ready(self) -> None:
        from fazhi.core.context_processors import NavItem, register_nav

        register_nav(
            NavItem(_("Laws"), "laws:law_list", "laws.view_law"),
            NavItem(_("Search"), "laws:search", "laws.view_law"),
            NavItem(_("Legal terms"), "laws:term_list", "laws.view_lawterm"),
            before="core:unit_list",
        )
