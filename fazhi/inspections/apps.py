from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "fazhi.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from fazhi.core.context_processors import NavItem, register_nav
        from fazhi.core.views import HOME_PANELS
        from fazhi.inspections.panels import inspections_panel

        register_nav(
            NavItem(
                _("Inspections"), "inspections:inspection_list", "inspections.view_inspection"
            ),
            NavItem(
                _("Random checks"), "inspections:task_list", "inspections.view_inspectiontask"
            ),
            NavItem(_("Inspection plans"), "inspections:plan_list", "inspections.view_annualplan"),
        )
        HOME_PANELS.append(inspections_panel)
