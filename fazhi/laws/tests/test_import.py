"""Importing law texts: the command, idempotence, versions and supersession, uploads."""

from __future__ import annotations

import datetime
import io
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from fazhi.core.models import AuditEvent
from fazhi.core.tests.factories import SYSTEM
from fazhi.laws.choices import ImportOutcome, LawLevel, LawStatus
from fazhi.laws.citations import citation_resolve
from fazhi.laws.compare import compare_versions
from fazhi.laws.models import Article, Law, LawWork
from fazhi.laws.services import law_import, law_update
from fazhi.laws.tests.conftest import ALL_FILES, DATA, law_file

pytestmark = pytest.mark.django_db


def _run(*paths: str | Path) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import_laws", *map(str, paths), stdout=out, stderr=err)
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return out.getvalue(), err.getvalue(), code


def test_import_command_loads_every_shipped_law_quickly_and_only_once() -> None:
    started = time.perf_counter()
    out, _err, code = _run(DATA)
    elapsed = time.perf_counter() - started
    assert code == 0
    assert Law.objects.count() == 50
    lines = [line for line in out.splitlines() if line.startswith(str(DATA))]
    assert len(lines) == 50
    assert "中华人民共和国安全生产法 (2021-06-10), 119 articles" in out
    assert Article.objects.count() == sum(law.article_count for law in Law.objects.all())
    assert elapsed < 30  # a few seconds on a quiet machine
    events = AuditEvent.objects.count()

    out, _err, code = _run(DATA)
    assert code == 0
    assert Law.objects.count() == 50
    assert AuditEvent.objects.count() == events
    assert out.count("Unchanged") == 50


def test_import_command_fails_naming_the_file_and_line(tmp_path: Path) -> None:
    good = tmp_path / law_file("安全生产许可证条例").name
    good.write_text(law_file("安全生产许可证条例").read_text("utf-8"), "utf-8")
    bad = tmp_path / "坏条例(2020-01-01).md"
    bad.write_text(
        "# 坏条例\n\n<!-- INFO END -->\n\n游离的文字\n\n第一条 内容。\n\n## 附录\n", "utf-8"
    )
    out, err, code = _run(tmp_path)
    assert code == 1
    assert "安全生产许可证条例 (2014-07-29), 24 articles" in out
    assert f"{bad}:5:" in err
    assert f"{bad}:9:" in err
    assert not Law.objects.filter(title="坏条例").exists()
    assert Law.objects.count() == 1


def test_import_command_reports_a_missing_file(tmp_path: Path) -> None:
    _out, err, code = _run(tmp_path / "nope(2020-01-01).md")
    assert code == 1
    assert "nope(2020-01-01).md" in err


def _modified_safety_law() -> str:
    text = law_file("安全生产法").read_text("utf-8")
    text = text.replace(
        "第三条 安全生产工作坚持中国共产党的领导。",
        "第三条 安全生产工作坚持中国共产党的领导，坚持总体国家安全观。",
    )
    text = text.replace("<!-- INFO END -->", "2030年1月1日 施行\n\n<!-- INFO END -->")
    return text + "\n第一百二十条 本法新增的一条。\n"


def test_newer_version_supersedes_the_older_which_stays_readable(
    safety_law: Law, personas: Any
) -> None:
    result = law_import(
        actor=SYSTEM, text=_modified_safety_law(), source_name="安全生产法(2029-12-01).md"
    )
    assert result.outcome == ImportOutcome.CREATED
    new = result.law
    assert new is not None
    safety_law.refresh_from_db()
    assert safety_law.status == LawStatus.AMENDED
    assert safety_law.superseded_by_id == new.pk
    assert result.superseded == [safety_law]
    assert new.status == LawStatus.IN_FORCE
    assert new.work_id == safety_law.work_id
    assert LawWork.objects.count() == 1
    assert AuditEvent.objects.filter(
        verb="laws.law.supersede", object_id=str(safety_law.pk)
    ).exists()

    client = personas.client(personas.city_officer)
    page = client.get(reverse("laws:law_detail", args=[safety_law.pk]))
    assert page.status_code == 200
    assert "This version has been amended" in page.content.decode()
    assert client.get(reverse("laws:article_detail", args=[safety_law.pk, "3"])).status_code == 200

    comparison = compare_versions(safety_law, new)
    assert comparison.added == 1
    assert comparison.changed == 1
    assert comparison.removed == 0
    changed = next(c for c in comparison.changes if c.kind == "changed")
    assert changed.old is not None
    assert changed.old.label == "第三条"
    assert '<ins class="diff-ins">，坚持总体国家安全观</ins>' in str(changed.diff)
    page = client.get(reverse("laws:law_compare", args=[safety_law.pk, new.pk]))
    assert page.status_code == 200
    assert "坚持总体国家安全观" in page.content.decode()

    # The old version is still citable: on a date before the new one takes effect.
    before = citation_resolve("《安全生产法》第三条", on=datetime.date(2025, 1, 1))
    assert before.law == safety_law
    after = citation_resolve("《安全生产法》第三条", on=datetime.date(2030, 1, 2))
    assert after.law == new
    assert "总体国家安全观" in after.quote


def test_older_version_imported_later_is_linked_behind_the_newer(safety_law: Law) -> None:
    text = law_file("安全生产法").read_text("utf-8").replace("第一条 为了", "第一条 为")
    result = law_import(actor=SYSTEM, text=text, source_name="安全生产法(2014-08-31).md")
    older = result.law
    assert older is not None
    assert older.status == LawStatus.AMENDED
    assert older.superseded_by_id == safety_law.pk
    safety_law.refresh_from_db()
    assert safety_law.status == LawStatus.IN_FORCE


def test_reimporting_the_same_text_changes_nothing(safety_law: Law) -> None:
    path = law_file("安全生产法")
    events = AuditEvent.objects.count()
    again = law_import(
        actor=SYSTEM, text=path.read_text("utf-8").replace("\n", "\r\n"), source_name=path.name
    )
    assert again.outcome == ImportOutcome.UNCHANGED
    assert again.law == safety_law
    assert Law.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_different_text_for_a_stored_version_is_refused(safety_law: Law) -> None:
    result = law_import(
        actor=SYSTEM, text=_modified_safety_law(), source_name="安全生产法(2021-06-10).md"
    )
    assert result.failed
    assert "already stored" in result.errors[0].message
    assert Law.objects.count() == 1


def test_admin_corrects_the_inferred_level_with_audit(safety_law: Law, personas: Any) -> None:
    admin = personas.admin
    law_update(
        actor=admin,
        law=safety_law,
        level=LawLevel.ADMINISTRATIVE_REGULATION,
        effective_date=datetime.date(2021, 9, 1),
    )
    safety_law.refresh_from_db()
    assert safety_law.level == LawLevel.ADMINISTRATIVE_REGULATION
    assert safety_law.effective_date_stated
    event = AuditEvent.objects.get(verb="laws.law.update")
    assert event.before is not None
    assert event.after is not None
    assert event.before["level"] == LawLevel.LAW
    assert event.after["level"] == LawLevel.ADMINISTRATIVE_REGULATION


def test_edit_page_refuses_an_inconsistent_status(safety_law: Law, personas: Any) -> None:
    client = personas.client(personas.admin)
    url = reverse("laws:law_edit", args=[safety_law.pk])
    data = {
        "short_title": "安全生产法",
        "level": LawLevel.LAW,
        "issuer": "全国人民代表大会常务委员会",
        "region": "",
        "document_number": "",
        "effective_date": "2021-09-01",
        "status": LawStatus.REPEALED,
        "repealed_on": "",
    }
    page = client.post(url, data)
    assert page.status_code == 200
    assert "Give the date the text was repealed." in page.content.decode()
    data["status"] = LawStatus.IN_FORCE
    page = client.post(url, data)
    assert page.status_code == 302
    safety_law.refresh_from_db()
    assert safety_law.effective_date == datetime.date(2021, 9, 1)
    officer = personas.client(personas.city_officer)
    assert officer.get(url).status_code == 404


def test_upload_in_the_ui_shows_results_and_line_numbers(personas: Any) -> None:
    client = personas.client(personas.city_reviewer)
    good = law_file("生产安全事故应急条例")
    files = [
        SimpleUploadedFile(good.name, good.read_bytes(), content_type="text/markdown"),
        SimpleUploadedFile(
            "坏条例(2020-01-01).md",
            "# 坏条例\n\n<!-- INFO END -->\n\n游离\n".encode(),
            content_type="text/markdown",
        ),
        SimpleUploadedFile(
            "gbk(2020-01-01).md", "# 条例\n第一条 内容".encode("gbk"), content_type="text/markdown"
        ),
    ]
    page = client.post(reverse("laws:law_import"), {"uploads": files})
    assert page.status_code == 200
    html = page.content.decode()
    assert "生产安全事故应急条例" in html
    assert "35 articles" in html
    assert "line 5: Text outside any article" in html
    assert "not UTF-8" in html
    assert Law.objects.count() == 1


def test_upload_needs_the_import_permission(personas: Any) -> None:
    officer = personas.client(personas.city_officer)
    assert officer.get(reverse("laws:law_import")).status_code == 404
    admin = personas.client(personas.admin)
    assert admin.get(reverse("laws:law_import")).status_code == 200
    page = admin.post(reverse("laws:law_import"), {})
    assert page.status_code == 200
    assert "Choose at least one file." in page.content.decode()


def test_demo_loads_every_text_once(personas: Any) -> None:
    import random

    from fazhi.core.demo_context import DemoContext
    from fazhi.laws import demo

    ctx = DemoContext(
        seed=1,
        rng=random.Random(1),
        admin=personas.admin,
        city=personas.city,
        counties=[personas.county_a, personas.county_b],
    )
    first = demo.load(ctx)
    assert first[0].startswith(f"{len(ALL_FILES)} texts, 50 new")
    second = demo.load(ctx)
    assert second[0].startswith("50 texts, 0 new")
    assert Law.objects.count() == 50
