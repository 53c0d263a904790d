from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "fazhi.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from fazhi.core.choices import RoleCode
        from fazhi.core.context_processors import NavItem, register_nav
        from fazhi.core.roles import ROLE_PERMISSIONS
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

        def perms(*names: str) -> set[str]:
            return {f"registry.{name}" for name in names}

        view_all = perms(
            "view_entity",
            "view_entitychange",
            "view_officer",
            "view_enforcementcertificate",
            "view_conflictofinterest",
            "view_externalagency",
            "view_registryrule",
            "view_officertraining",
        )
        entity_write = perms("add_entity", "change_entity", "view_importjob", "add_importjob")
        officer_write = perms(
            "add_officer",
            "change_officer",
            "add_enforcementcertificate",
            "change_enforcementcertificate",
            "add_externalagency",
            "change_externalagency",
            "add_officertraining",
            "change_officertraining",
            "view_importjob",
            "add_importjob",
        )
        conflicts = perms("add_conflictofinterest", "change_conflictofinterest")
        grants = {
            RoleCode.SYSTEM_ADMIN: view_all
            | entity_write
            | officer_write
            | conflicts
            | perms(
                "merge_entity",
                "view_officer_citizen_id",
                "add_registryrule",
                "change_registryrule",
                "view_regulatorycategory",
                "add_regulatorycategory",
                "change_regulatorycategory",
            ),
            RoleCode.LEGAL_REVIEWER: view_all
            | entity_write
            | officer_write
            | conflicts
            | perms("merge_entity", "view_officer_citizen_id"),
            RoleCode.LEADER: view_all,
            RoleCode.OFFICER: view_all | entity_write | perms("add_conflictofinterest"),
            RoleCode.SUPERVISOR: view_all | conflicts,
            RoleCode.LICENSING_CLERK: perms("view_entity", "view_entitychange", "view_officer")
            | entity_write,
        }
        for role, granted in grants.items():
            ROLE_PERMISSIONS.setdefault(role, set()).update(granted)
