"""Permission-matrix entries for the clock pages (see urlargs.py for the contract).

Time-limit rules are shared by every agency, so they are not scoped to a county:
only the personas holding ``core.change_clockrule`` may open the edit form.
"""

from __future__ import annotations

import datetime
from typing import Any

from fazhi.core import clock_services

RULE_EDITORS = ("admin", "city_reviewer")


def _clockrule(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    rule = clock_services.clock_rule_add_version(
        actor=personas.admin,
        code="matrix_rule",
        name="矩阵测试规则",
        length=5,
        unit="workday",
        source="测试",
        effective_from=datetime.date(2025, 1, 1),
    )
    return {"pk": rule.pk}, False, RULE_EDITORS


URL_ARGS = {"core:clockrule_edit": _clockrule}
