"""Numbering: 文书号/案号 per agency and year, gap-free and unique under races."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from fazhi.core import numbering
from fazhi.core.errors import DomainError, NotAllowed
from fazhi.core.models import AuditEvent, IssuedNumber, NumberPattern, OrgUnit

DAY = datetime.date(2026, 12, 5)
PENALTY = "{agency_abbr}应急罚〔{year}〕{seq}号"


@pytest.fixture
def numbered(personas):
    OrgUnit.objects.filter(pk=personas.city.pk).update(doc_abbr="济")
    OrgUnit.objects.filter(pk=personas.county_a.pk).update(doc_abbr="任")
    NumberPattern.objects.create(kind="test_penalty", label="处罚决定书", pattern=PENALTY)
    for unit in ("city", "county_a", "city_detachment", "county_a_brigade"):
        getattr(personas, unit).refresh_from_db()
    return personas


def _next(unit: OrgUnit, on: datetime.date = DAY, kind: str = "test_penalty") -> str:
    with transaction.atomic():
        return numbering.number_next(agency=unit, kind=kind, on=on)


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (PENALTY, None),
        ("{agency_abbr}应急检〔{year}〕{seq:04d}号", None),
        ("{agency_abbr}应急罚〔{year}〕号", "{seq}"),
        ("{agency_abbr}应急罚{seq}号", "{year}"),
        ("{agency}罚〔{year}〕{seq}号", "agency"),
        ("{agency_abbr}罚〔{year}〕{seq号", "花括号|brace"),
        ("〔{year}〕{seq:q}号", "{seq:04d}"),
    ],
)
def test_pattern_problems_name_what_is_wrong(pattern, problem) -> None:
    found = numbering.pattern_problem(pattern)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert re.search(problem, found)


def test_number_format_writes_the_agency_year_and_padded_sequence() -> None:
    assert numbering.number_format(PENALTY, agency_abbr="济", year=2026, seq=12) == (
        "济应急罚〔2026〕12号"
    )
    assert (
        numbering.number_format(
            "{agency_abbr}应急检〔{year}〕{seq:04d}号", agency_abbr="任", year=2026, seq=31
        )
        == "任应急检〔2026〕0031号"
    )


def test_numbers_run_per_agency_and_restart_each_year(numbered) -> None:
    assert _next(numbered.city) == "济应急罚〔2026〕1号"
    assert _next(numbered.city_detachment) == "济应急罚〔2026〕2号"  # the unit's agency counts
    assert _next(numbered.county_a_brigade) == "任应急罚〔2026〕1号"
    assert _next(numbered.city, on=datetime.date(2027, 1, 4)) == "济应急罚〔2027〕1号"
    assert IssuedNumber.objects.count() == 4


def test_an_agencys_own_pattern_wins_over_the_default(numbered) -> None:
    NumberPattern.objects.create(
        kind="test_penalty",
        label="处罚决定书",
        agency=numbered.county_a,
        pattern="{agency_abbr}应急罚字〔{year}〕第{seq:03d}号",
    )
    assert _next(numbered.county_a) == "任应急罚字〔2026〕第001号"
    assert _next(numbered.city) == "济应急罚〔2026〕1号"


def test_a_rollback_hands_the_number_back(numbered) -> None:
    def allocate_then_fail() -> None:
        with transaction.atomic():
            numbering.number_next(agency=numbered.city, kind="test_penalty", on=DAY)
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        allocate_then_fail()
    assert _next(numbered.city) == "济应急罚〔2026〕1号"


@pytest.mark.django_db(transaction=True)
def test_numbering_outside_a_transaction_is_a_programming_error(numbered) -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        numbering.number_next(agency=numbered.city, kind="test_penalty", on=DAY)


def test_an_agency_without_its_abbreviation_or_a_kind_without_pattern_is_refused(
    numbered,
) -> None:
    with pytest.raises(DomainError, match="机关代字"):
        _next(numbered.county_b)
    with pytest.raises(DomainError, match="unknown_kind"):
        _next(numbered.city, kind="unknown_kind")


def test_a_text_already_issued_under_an_earlier_pattern_is_never_issued_again(
    numbered,
) -> None:
    # e.g. the numbers of 2026 carried over from the old platform, under another kind
    IssuedNumber.objects.create(
        agency=numbered.city, kind="legacy", year=2026, seq=1, text="济应急罚〔2026〕1号"
    )
    with pytest.raises(DomainError, match=r"已被使用|already issued"):
        _next(numbered.city)


def test_pattern_changes_go_through_the_service_with_scope_and_audit(numbered) -> None:
    p = numbered
    with pytest.raises(NotAllowed):
        numbering.number_pattern_save(
            actor=p.county_a_officer, kind="x_kind", label="x", pattern=PENALTY, agency=p.county_a
        )
    with pytest.raises(NotAllowed):  # a city legal reviewer may not change every agency's default
        numbering.number_pattern_save(
            actor=p.city_reviewer, kind="x_kind", label="x", pattern=PENALTY
        )
    with pytest.raises(NotAllowed):  # nor a pattern of an agency outside the scope
        numbering.number_pattern_save(
            actor=p.city_reviewer, kind="x_kind", label="x", pattern=PENALTY, agency=OrgUnit(pk=-1)
        )
    row = numbering.number_pattern_save(
        actor=p.city_reviewer, kind="x_kind", label="检查记录", pattern=PENALTY, agency=p.city
    )
    event = AuditEvent.objects.get(verb="core.numberpattern.save", object_id=str(row.pk))
    assert event.after is not None
    assert event.after["pattern"] == PENALTY
    with pytest.raises(Exception, match="year"):
        numbering.number_pattern_save(
            actor=p.admin, kind="y_kind", label="y", pattern="{agency_abbr}{seq}号"
        )


RACE_SCRIPT = """
import datetime, sys
import django
django.setup()
from django.db import transaction
from fazhi.core.models import OrgUnit
from fazhi.core.numbering import number_next
agency = OrgUnit.objects.get(pk=int(sys.argv[1]))
got = []
for _ in range(int(sys.argv[2])):
    with transaction.atomic():
        got.append(number_next(agency=agency, kind="test_penalty", on=datetime.date(2026, 12, 5)))
print("\\n".join(got))
"""


def _database_url(tmp: Path) -> str:
    if connection.vendor == "sqlite":
        # The test database lives in memory: copy it to a file two processes can share.
        path = tmp / "race.sqlite3"
        target = __import__("sqlite3").connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    params = connection.settings_dict
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    user = params.get("USER") or "root"
    return f"postgres://{user}@{host}:{port}/{params['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_two_processes_numbering_at_once_never_share_or_skip_a_number(numbered) -> None:
    """Two writers (as two web workers would be) race from the very first number."""
    per_writer = 15
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": _database_url(Path(tmp))}
        env["DJANGO_SETTINGS_MODULE"] = "config.settings"
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", RACE_SCRIPT, str(numbered.city.pk), str(per_writer)],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [w.communicate(timeout=120) for w in writers]
        for writer, (_out, err) in zip(writers, outputs, strict=True):
            assert writer.returncode == 0, err
        numbers = [line for out, _err in outputs for line in out.split()]
        if connection.vendor == "sqlite":
            # The copy was written to; read the issued numbers back from it.
            import sqlite3

            with sqlite3.connect(Path(tmp) / "race.sqlite3") as db:
                issued = [row[0] for row in db.execute("SELECT seq FROM core_issuednumber")]
        else:
            issued = list(IssuedNumber.objects.values_list("seq", flat=True))
    assert len(numbers) == len(set(numbers)) == 2 * per_writer
    expected = {f"济应急罚〔2026〕{n}号" for n in range(1, 2 * per_writer + 1)}
    assert set(numbers) == expected
    assert sorted(issued) == list(range(1, 2 * per_writer + 1))
