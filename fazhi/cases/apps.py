from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "fazhi.cases"
    label = "cases"
    verbose_name = _("Penalty cases")

    def ready(self) -> None:
        from fazhi.cases.permissions import GRANTS
        from fazhi.core.roles import ROLE_PERMISSIONS

        for role, granted in GRANTS.items():
            ROLE_PERMISSIONS.setdefault(role, set()).update(granted)
