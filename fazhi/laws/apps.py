from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_READ = {"laws.view_law", "laws.view_article", "laws.view_compilation", "laws.add_compilation"}
_MANAGE = {"laws.add_law", "laws.change_law"}


class LawsConfig(AppConfig):
    name = "fazhi.laws"
    label = "laws"
    verbose_name = _("Laws")

    def ready(self) -> None:
        from fazhi.core.choices import RoleCode
        from fazhi.core.context_processors import NavItem, register_nav
        from fazhi.core.roles import ROLE_PERMISSIONS

        # Law texts are reference data: every staff role reads them and may
        # build compilations; importing and correcting is for administrators
        # and legal reviewers.
        for role in (
            RoleCode.SYSTEM_ADMIN,
            RoleCode.LEADER,
            RoleCode.LEGAL_REVIEWER,
            RoleCode.OFFICER,
            RoleCode.LICENSING_CLERK,
            RoleCode.SUPERVISOR,
        ):
            ROLE_PERMISSIONS[role] |= _READ
        for role in (RoleCode.SYSTEM_ADMIN, RoleCode.LEGAL_REVIEWER):
            ROLE_PERMISSIONS[role] |= _MANAGE
        register_nav(
            NavItem(_("Laws"), "laws:law_list", "laws.view_law"),
            NavItem(_("Search"), "laws:search", "laws.view_law"),
            before="core:unit_list",
        )
