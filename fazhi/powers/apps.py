from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VIEW = [
    "powers.view_powercatalog",
    "powers.view_poweritem",
    "powers.view_catalogtemplate",
]
EDIT_CATALOG = [
    "powers.add_powercatalog",
    "powers.change_powercatalog",
    "powers.add_poweritem",
    "powers.change_poweritem",
    "powers.delete_poweritem",
    "powers.add_catalogtemplate",
]
PUBLISH = ["powers.publish_powercatalog"]


class PowersConfig(AppConfig):
    name = "fazhi.powers"
    label = "powers"
    verbose_name = _("Powers")

    def ready(self) -> None:
        from fazhi.core.choices import RoleCode
        from fazhi.core.context_processors import NavItem, register_nav
        from fazhi.core.roles import ROLE_PERMISSIONS
        from fazhi.core.views import HOME_PANELS
        from fazhi.powers.views import home_panel

        ROLE_PERMISSIONS[RoleCode.SYSTEM_ADMIN].update(VIEW + EDIT_CATALOG + PUBLISH)
        ROLE_PERMISSIONS[RoleCode.LEGAL_REVIEWER].update(VIEW + EDIT_CATALOG + PUBLISH)
        ROLE_PERMISSIONS[RoleCode.LEADER].update(VIEW + PUBLISH)
        for role in (RoleCode.OFFICER, RoleCode.SUPERVISOR, RoleCode.LICENSING_CLERK):
            ROLE_PERMISSIONS[role].update(VIEW)
        register_nav(
            NavItem(_("Power catalogs"), "powers:catalog_list", "powers.view_powercatalog"),
            before="core:unit_list",
        )
        HOME_PANELS.append(home_panel)
