"""Who may do what in inspections: default grants per role (rule data in code form).

Roles see their agency's subtree (core.roles); these grants decide the
actions. An administrator may add grants; defaults are only ever added.
"""

from __future__ import annotations

from fazhi.core.choices import RoleCode


def _p(*names: str) -> set[str]:
    return {f"inspections.{name}" for name in names}


VIEW = _p(
    "view_checkitem",
    "view_annualplan",
    "view_plangroup",
    "view_inspectiontask",
    "view_taskselection",
    "view_inspection",
    "view_finding",
    "view_samplingratio",
    "view_inspectionrule",
    "view_referral",
)
PLAN_WRITE = _p("add_annualplan", "change_annualplan", "add_checkitem", "change_checkitem")
TASK_WRITE = _p(
    "add_inspectiontask", "change_inspectiontask", "commit_inspectiontask", "draw_inspectiontask"
)
INSPECT = _p("add_inspection", "change_inspection", "refer_finding", "publish_inspection")
RULES = _p(
    "add_samplingratio", "change_samplingratio", "add_inspectionrule", "change_inspectionrule"
)

GRANTS: dict[str, set[str]] = {
    RoleCode.SYSTEM_ADMIN: VIEW
    | PLAN_WRITE
    | TASK_WRITE
    | INSPECT
    | RULES
    | _p("review_annualplan", "approve_annualplan", "publish_annualplan"),
    # 法规科: legal review of the plan, the item list, the sampling rules of its level.
    RoleCode.LEGAL_REVIEWER: VIEW
    | PLAN_WRITE
    | TASK_WRITE
    | RULES
    | _p("review_annualplan", "publish_inspection"),
    RoleCode.LEADER: VIEW | _p("approve_annualplan", "publish_annualplan"),
    # 执法人员: runs tasks and inspections of the agency's subtree.
    RoleCode.OFFICER: VIEW | TASK_WRITE | INSPECT | _p("add_annualplan", "change_annualplan"),
    RoleCode.SUPERVISOR: VIEW,
}
