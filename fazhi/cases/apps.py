from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "fazhi.cases"
    label = "cases"
    verbose_name = _("Penalty cases")

    def ready(self) -> None:
        from fazhi.cases.permissions import VIEW
        from fazhi.core.context_processors import NavItem, register_nav

        register_nav(
            NavItem(_("Penalty cases"), "cases:case_list", VIEW),
            NavItem(_("To do"), "cases:inbox", VIEW),
            NavItem(_("Deadlines"), "cases:board", VIEW),
        )
