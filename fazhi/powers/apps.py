from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PowersConfig(AppConfig):
    name = "fazhi.powers"
    label = "powers"
    verbose_name = _("Powers")

    def ready(self) -> None:
        from fazhi.core.context_processors import NavItem, register_nav
        from fazhi.core.views import HOME_PANELS
        from fazhi.powers.views import home_panel

        register_nav(
            NavItem(_("Power catalogs"), "powers:catalog_list", "powers.view_powercatalog"),
            before="core:unit_list",
        )
        HOME_PANELS.append(home_panel)
