"""Default grants of the registry (entities, officers, agencies, imports), by role."""

from __future__ import annotations

from fazhi.core.choices import RoleCode
from fazhi.registry.choices import ImportKind


def perms(*names: str) -> set[str]:
    return {f"registry.{name}" for name in names}


# Exporting the entity list (a background job, issue 15); an administrator
# may take it from a role that should only read the list on screen.
export = perms("add_exportjob")
view_all = (
    perms(
        "view_entity",
        "view_entitychange",
        "view_officer",
        "view_enforcementcertificate",
        "view_conflictofinterest",
        "view_externalagency",
        "view_registryrule",
        "view_officertraining",
    )
    | export
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
GRANTS: dict[str, set[str]] = {
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
    | entity_write
    | export,
}

# What an import of each kind writes: its starter needs every one of these.
IMPORT_PERMS: dict[str, tuple[str, ...]] = {
    ImportKind.ENTITY.value: (
        "registry.add_entity",
        "registry.change_entity",
        "registry.add_importjob",
    ),
    ImportKind.OFFICER.value: (
        "registry.add_officer",
        "registry.change_officer",
        "registry.add_importjob",
    ),
}
