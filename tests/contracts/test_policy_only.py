"""Every permission decision is made by the policy module (fazhi/core/policy.py).

A page, an API operation, a panel, a template or a service asks
``policy.has_permission`` / ``policy.require`` / ``@policy.requires`` /
``policy.view_requires``; nothing else calls ``User.has_perm`` or Django's
permission decorators, so that 403 and 404 mean the same thing everywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLICY = Path("fazhi/core/policy.py")
# Decisions the policy module does not make yet (another change moves them).
PENDING: set[Path] = set()
FORBIDDEN = re.compile(r"\.has_perms?\(|\bpermission_required\b|\buser_passes_test\b")


def _sources() -> list[Path]:
    files = [*sorted((ROOT / "fazhi").rglob("*.py")), *sorted((ROOT / "config").rglob("*.py"))]
    return [
        path.relative_to(ROOT)
        for path in files
        if "tests" not in path.relative_to(ROOT).parts
        and "migrations" not in path.relative_to(ROOT).parts
    ]


def offenders(sources: list[Path], text_of=lambda path: (ROOT / path).read_text("utf-8")):
    found = []
    for path in sources:
        if path == POLICY:
            continue
        for number, line in enumerate(text_of(path).splitlines(), 1):
            if FORBIDDEN.search(line):
                found.append(f"{path}:{number}: {line.strip()}")
    return found


def test_no_permission_is_decided_outside_the_policy_module():
    found = offenders([p for p in _sources() if p not in PENDING])
    assert found == [], "ask fazhi.core.policy instead:\n" + "\n".join(found)


def test_the_pending_files_still_need_their_exemption():
    # Once a pending file no longer decides on its own, its exemption goes.
    still = {Path(line.split(":", 1)[0]) for line in offenders(sorted(PENDING))}
    assert still == PENDING


def test_the_scan_finds_a_decision_made_elsewhere():
    texts = {
        Path("fazhi/x/views.py"): "if request.user.has_perm('x.view_y'):\n    pass\n",
        Path("fazhi/x/api.py"): "@permission_required('x.view_y', raise_exception=True)\n",
        Path("fazhi/x/ok.py"): "if policy.has_permission(request.user, 'x.view_y'):\n",
        POLICY: "return bool(actor.has_perm(perm))\n",
    }
    found = offenders(sorted(texts), text_of=texts.__getitem__)
    assert [line.split(":", 1)[0] for line in found] == ["fazhi/x/api.py", "fazhi/x/views.py"]


def test_templates_ask_the_policy_module():
    # The admin needs Django's auth processor; ours comes after it and replaces ``perms``.
    from django.conf import settings

    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    ours = processors.index("fazhi.core.context_processors.permissions")
    assert ours > processors.index("django.contrib.auth.context_processors.auth")
