from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscretionConfig(AppConfig):
    name = "fazhi.discretion"
    label = "discretion"
    verbose_name = _("Discretion")

    def ready(self) -> None:
        from fazhi.core.context_processors import NavItem, register_nav
        from fazhi.core.views import HOME_PANELS
        from fazhi.discretion.views import home_panel

        register_nav(
            NavItem(
                _("Discretion"), "discretion:discretion_list", "discretion.view_discretionentry"
            ),
            before="core:unit_list",
        )
        HOME_PANELS.append(home_panel)
