from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "fazhi.cases"
    label = "cases"
    verbose_name = _("Penalty cases")

    def ready(self) -> None:
        from fazhi.cases.permissions import GRANTS, VIEW
        from fazhi.core.context_processors import NavItem, register_nav
        from fazhi.core.roles import ROLE_PERMISSIONS

        register_nav(
            NavItem(_("Penalty cases"), "cases:case_list", VIEW),
            NavItem(_("To do"), "cases:inbox", VIEW),
            NavItem(_("Deadlines"), "cases:board", VIEW),
        )

        for role, granted in GRANTS.items():
            ROLE_PERMISSIONS.setdefault(role, set()).update(granted)
