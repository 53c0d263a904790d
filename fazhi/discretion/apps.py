from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VIEW = [
    "discretion.view_discretionentry",
    "discretion.view_nopenaltyitem",
    "discretion.view_discretionrule",
    "discretion.view_baseline",
    "discretion.view_baselineadoption",
]
EDIT = [
    "discretion.add_discretionentry",
    "discretion.change_discretionentry",
    "discretion.add_nopenaltyitem",
    "discretion.change_nopenaltyitem",
    "discretion.change_discretionrule",
    "discretion.add_discretionrule",
    "discretion.add_baselineadoption",
    "discretion.delete_baselineadoption",
]


class DiscretionConfig(AppConfig):
    name = "fazhi.discretion"
    label = "discretion"
    verbose_name = _("Discretion")

    def ready(self) -> None:
        from fazhi.core.choices import RoleCode
        from fazhi.core.context_processors import NavItem, register_nav
        from fazhi.core.roles import ROLE_PERMISSIONS
        from fazhi.core.views import HOME_PANELS
        from fazhi.discretion.views import home_panel

        ROLE_PERMISSIONS[RoleCode.SYSTEM_ADMIN].update(VIEW + EDIT)
        ROLE_PERMISSIONS[RoleCode.LEGAL_REVIEWER].update(VIEW + EDIT)
        for role in (
            RoleCode.LEADER,
            RoleCode.OFFICER,
            RoleCode.SUPERVISOR,
            RoleCode.LICENSING_CLERK,
        ):
            ROLE_PERMISSIONS[role].update(VIEW)
        register_nav(
            NavItem(
                _("Discretion"), "discretion:discretion_list", "discretion.view_discretionentry"
            ),
            before="core:unit_list",
        )
        HOME_PANELS.append(home_panel)
