"""The policy module's answers for pages, templates and services with several permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template import Context, Template

from fazhi.core import policy
from fazhi.core.actors import SystemActor
from fazhi.core.errors import NotAllowed


def test_page_require_answers_403_or_hides_with_404(personas):
    officer = personas.county_a_officer
    policy.page_require(officer, "registry.view_entity")
    policy.page_require(officer, "registry.merge_entity", "registry.view_entity")  # one suffices
    with pytest.raises(PermissionDenied):
        policy.page_require(officer, "registry.merge_entity")
    with pytest.raises(Http404):
        policy.page_require(officer, "registry.merge_entity", hide=True)


def test_templates_ask_the_policy_module(personas):
    template = Template(
        "{% if perms.registry.merge_entity %}merge{% endif %}"
        "{% if perms.registry.view_entity %} view{% endif %}"
        "{% if perms.registry %} registry{% endif %}{% if perms.discretion.nothing %}!{% endif %}"
        '{% if "registry.view_entity" in perms %} in{% endif %}'
    )

    def render(actor):
        return template.render(Context({"perms": policy.TemplatePerms(actor)}))

    assert render(personas.county_a_officer) == " view registry in"
    assert render(personas.admin) == "merge view registry in"
    assert render(SystemActor("test")) == "merge view registry! in"  # holds every permission
    assert render(None) == ""


def test_a_service_needing_one_of_several_permissions(personas):
    @policy.requires_any("inspections.approve_annualplan", "inspections.review_annualplan")
    def step(*, actor):
        return "moved"

    policy.SERVICES.pop(f"{__name__}.{step.__qualname__}")
    assert getattr(step, "required_permissions", None) == (
        "inspections.approve_annualplan",
        "inspections.review_annualplan",
    )
    assert step(actor=personas.leader) == "moved"  # approves
    assert step(actor=personas.city_reviewer) == "moved"  # reviews
    with pytest.raises(NotAllowed):
        step(actor=personas.county_a_officer)


def test_a_service_keeps_its_own_refusal():
    @policy.requires("core.change_clockrule", message="Not yours.")
    def change(*, actor):
        return "changed"

    policy.SERVICES.pop(f"{__name__}.{change.__qualname__}")
    with pytest.raises(NotAllowed, match="Not yours"):
        change(actor=None)
