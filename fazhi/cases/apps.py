from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "fazhi.cases"
    label = "cases"
    verbose_name = _("Penalty cases")

    def ready(self) -> None:
        from fazhi.cases.panels import cases_panel
        from fazhi.cases.permissions import VIEW
        from fazhi.core.context_processors import NavItem, register_nav
        from fazhi.core.views import HOME_PANELS

        register_nav(
            NavItem(_("Penalty cases"), "cases:case_list", VIEW),
            NavItem(_("To do"), "cases:inbox", VIEW),
            NavItem(_("Case deadlines"), "cases:board", VIEW),
            NavItem(
                _("Administrative penalty decisions published"),
                "publicity:penalty_list",
                VIEW,
                group="cases",
            ),
        )
        HOME_PANELS.append(cases_panel)
