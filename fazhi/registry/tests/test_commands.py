"""manage.py import_entities: progress line, refusal without --valid-only, import."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from python_calamine import CalamineWorkbook

from fazhi.core.models import AuditEvent
from fazhi.registry.choices import ImportStatus
from fazhi.registry.models import Entity, EntityStaging, ImportJob
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_clean_file_is_imported_with_a_progress_line(personas, tmp_path):
    path = f.write_csv(
        tmp_path / "ok.csv", f.ENTITY_HEADERS, [f.entity_row(n) for n in range(1, 4)]
    )
    out = StringIO()
    call_command("import_entities", str(path), "--agency", str(personas.county_a.pk), stdout=out)
    text = out.getvalue()
    assert "\rChecking: 3 / 3 rows (100%)" in text
    assert "Importing:" in text
    assert "3 created" in text
    assert Entity.objects.filter(supervising_agency=personas.county_a).count() == 3


def test_bad_rows_stop_the_import_unless_valid_only(personas, tmp_path):
    rows = [f.entity_row(1), f.entity_row(2, **{"地址": ""})]
    path = f.write_csv(tmp_path / "bad.csv", f.ENTITY_HEADERS, rows)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "import_entities", str(path), "--agency", str(personas.county_a.pk), stdout=out
        )
    assert exit_info.value.code == 1
    assert "Nothing was imported" in out.getvalue()
    assert "Report:" in out.getvalue()
    assert not Entity.objects.exists()
    assert not EntityStaging.objects.exists()
    refused = ImportJob.objects.get()
    assert (refused.status, refused.import_if_clean) == ("discarded", True)
    assert AuditEvent.objects.filter(
        verb="registry.importjob.discard", object_id=str(refused.pk)
    ).exists()
    with pytest.raises(SystemExit):
        call_command(
            "import_entities",
            str(path),
            "--agency",
            str(personas.county_a.pk),
            "--valid-only",
            "--user",
            personas.county_a_officer.username,
            stdout=StringIO(),
        )
    assert Entity.objects.get().created_by == personas.county_a_officer
    assert ImportJob.objects.filter(status="done").count() == 1


def test_the_report_is_saved_where_asked(personas, tmp_path):
    rows = [f.entity_row(1), f.entity_row(2, **{"地址": ""})]
    path = f.write_csv(tmp_path / "bad.csv", f.ENTITY_HEADERS, rows)
    target = tmp_path / "out" / "report.xlsx"
    target.parent.mkdir()
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import_entities",
            str(path),
            "--agency",
            str(personas.county_a.pk),
            "--report",
            str(target),
            stdout=out,
        )
    assert f"Report saved to {target}" in out.getvalue()
    errors = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(1).to_python()[1:]
    assert [(int(float(str(r[0]))), str(r[1])) for r in errors] == [(3, "地址")]


def test_a_missing_file_is_a_command_error(personas, tmp_path):
    with pytest.raises(CommandError):
        call_command("import_entities", str(tmp_path / "none.csv"), stdout=StringIO())


def test_officers_have_their_command(personas, tmp_path):
    from fazhi.registry.tests.test_import_officers import row

    path = f.write_csv(tmp_path / "o.csv", f.OFFICER_HEADERS, [row(1)])
    out = StringIO()
    call_command("import_officers", str(path), "--agency", str(personas.county_a.pk), stdout=out)
    assert "1 created" in out.getvalue()


def test_only_checking_keeps_nothing(personas, tmp_path):
    path = f.write_csv(tmp_path / "ok.csv", f.ENTITY_HEADERS, [f.entity_row(1)])
    call_command(
        "import_entities",
        str(path),
        "--check",
        "--agency",
        str(personas.county_a.pk),
        stdout=StringIO(),
    )
    assert not Entity.objects.exists()
    assert ImportJob.objects.get().status == "discarded"


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="big files stream on PostgreSQL only"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bad", [False, True])
def test_a_big_first_load_from_the_command_line_skips_staging(
    personas, tmp_path, monkeypatch, bad
):
    from fazhi.registry.imports import entities, pgbulk, streams

    monkeypatch.setattr(streams, "STREAM_ROWS", 1)
    monkeypatch.setattr(pgbulk, "BULK_ROWS", 1)
    loads: list[bool] = []
    real_begin = entities.EntityLoad.begin

    def begin(self: entities.EntityLoad) -> bool:
        loads.append(real_begin(self))
        return loads[-1]

    monkeypatch.setattr(entities.EntityLoad, "begin", begin)
    rows = [f.entity_row(n) for n in range(1, 6)]
    if bad:
        rows[3]["地址"] = ""
    path = f.write_csv(tmp_path / "big.csv", f.ENTITY_HEADERS, rows)
    out = StringIO()
    arguments = ["import_entities", str(path), "--agency", str(personas.county_a.pk)]
    if bad:
        with pytest.raises(SystemExit):
            call_command(*arguments, stdout=out)
    else:
        call_command(*arguments, stdout=out)
    assert loads == [True]
    assert not EntityStaging.objects.exists()
    if bad:  # rolled back: the registry stays empty
        assert "Nothing was imported" in out.getvalue()
        assert not Entity.objects.exists()
    else:
        assert "5 created" in out.getvalue()
        assert "Importing:" not in out.getvalue()  # imported as it was checked
        assert Entity.objects.count() == 5


def test_the_progress_rate_is_not_absurd_when_a_phase_starts():
    from fazhi.registry.management.commands.import_entities import rate_text

    # Issue 15: "27,460,456,556 行/秒" as a phase started (a few rows in microseconds).
    assert rate_text(250_000, 0.000009) == "—"
    assert rate_text(0, 3.0) == "—"
    assert rate_text(30_000, 2.0) == "15,000"


def test_the_import_phase_counts_its_own_rows(personas, tmp_path):
    from fazhi.registry.management.commands.import_entities import Command

    command = Command()
    job = ImportJob(status=ImportStatus.VALIDATING, total_rows=100, processed_rows=100)
    command.importing, command.started, command.base = False, 0.0, None
    command._progress(job)
    job.status, job.processed_rows = ImportStatus.IMPORTING, 100  # carried from the check
    command._progress(job)
    assert command.base == 100  # the import's rate starts from there
