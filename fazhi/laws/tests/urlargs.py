"""URL arguments for the central permission test (see the project's test contract)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fazhi.core.tests.factories import SYSTEM
from fazhi.laws.models import Law
from fazhi.laws.services import compilation_create, law_import
from fazhi.laws.tests.conftest import law_file


def _law() -> Law:
    path = law_file("安全生产许可证条例")
    result = law_import(actor=SYSTEM, text=path.read_text("utf-8"), source_name=path.name)
    assert result.law is not None
    return result.law


def _two_versions() -> tuple[Law, Law]:
    old = _law()
    text = law_file("安全生产许可证条例").read_text("utf-8").replace("第一条 为了", "第一条 为")
    new = law_import(actor=SYSTEM, text=text, source_name="安全生产许可证条例(2030-01-01).md").law
    assert new is not None
    return old, new


def _compilation(personas: Any) -> tuple[dict[str, Any], bool]:
    compilation = compilation_create(
        actor=personas.county_b_officer, title="乙县汇编", laws=[_law()]
    )
    return {"pk": compilation.pk}, True


def _compare(personas: Any) -> tuple[dict[str, Any], bool]:
    old, new = _two_versions()
    return {"pk": old.pk, "other": new.pk}, False


def _term(personas: Any) -> tuple[dict[str, Any], bool]:
    from fazhi.laws.models import LawTerm

    return {"pk": LawTerm.objects.get_or_create(term="矩阵测试术语")[0].pk}, False


URL_ARGS: dict[str, Callable[[Any], tuple[dict[str, Any], bool]]] = {
    "laws:law_detail": lambda personas: ({"pk": _law().pk}, False),
    "laws:law_edit": lambda personas: ({"pk": _law().pk}, False),
    "laws:article_detail": lambda personas: ({"pk": _law().pk, "anchor": "1"}, False),
    "laws:law_compare": _compare,
    "laws:work_detail": lambda personas: ({"key": _law().work.key}, False),
    "laws:work_article": lambda personas: ({"key": _law().work.key, "anchor": "1"}, False),
    "laws:compilation_detail": _compilation,
    "laws:compilation_download": _compilation,
    "laws:law_headings": lambda personas: ({"pk": _law().pk}, False),
    "laws:term_edit": _term,
    "laws:term_delete": _term,
}

PUBLIC_URLS: set[str] = set()
