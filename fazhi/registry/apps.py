from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "fazhi.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from fazhi.core.context_processors import NavItem, register_nav
        from fazhi.core.views import HOME_PANELS
        from fazhi.registry.panels import certificate_expiry_panel

        register_nav(
            NavItem(_("Entities"), "registry:entity_list", "registry.view_entity"),
            NavItem(_("Officers"), "registry:officer_list", "registry.view_officer"),
            NavItem(
                _("External agencies"), "registry:agency_list", "registry.view_externalagency"
            ),
            NavItem(_("Imports"), "registry:import_list", "registry.view_importjob"),
            NavItem(_("Registry rules"), "registry:rule_list", "registry.view_registryrule"),
        )
        if certificate_expiry_panel not in HOME_PANELS:
            HOME_PANELS.append(certificate_expiry_panel)
