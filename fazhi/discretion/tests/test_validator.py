"""The discretion validator: tiers must stay inside the statutory range."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from fazhi.core.tests.factories import SYSTEM
from fazhi.discretion import services
from fazhi.discretion.choices import ConditionKind, FineTarget, Stage
from fazhi.discretion.engine import BoundsData, EntryData, TierData, discretion_validate
from fazhi.discretion.models import DiscretionEntry
from fazhi.discretion.services import DiscretionInvalid
from fazhi.discretion.tests.tables import (
    CF,
    R99,
    SHANXI_99_1_PUBLISHED,
    cite,
    rng,
    shanxi_99_1_tiers,
)

PERSON, UNCORRECTED = FineTarget.RESPONSIBLE_PERSON, Stage.UNCORRECTED


def shanxi_as_published() -> EntryData:
    """安全生产法 Art. 99(1) with the 山西 table exactly as DOMAIN §6.4(b) gives it."""
    return EntryData(
        code="SX-99-1",
        violation="未在有较大危险因素的生产经营场所和有关设施、设备上设置明显的安全警示标志",
        penalty_basis_text=cite(99, None, 1),
        legal_provision_text=cite(35),
        effective_from=datetime.date(2021, 9, 1),
        issuing_document="晋应急发〔2021〕260号",
        ranges=[
            rng(
                r.target,
                r.stage,
                None if r.min_amount is None else int(r.min_amount),
                int(r.max_amount or 0),
            )
            for r in R99
        ],
        tiers=shanxi_99_1_tiers(),
    )


def test_shanxi_table_as_published_is_caught() -> None:
    entry = shanxi_as_published()
    assert [row[3] for row in SHANXI_99_1_PUBLISHED][:2] == [(5_000, 5_000), (5_000, 10_000)]
    problems = discretion_validate(entry)
    below = [p for p in problems if "below the statutory minimum" in p.message]
    # Tiers 1 and 2 fine the responsible persons ¥5,000 against the statute's ¥10,000.
    assert {p.message.split(":")[0] for p in below} == {"Tier 1", "Tier 2"}
    assert all("1万元" in p.message for p in below)
    assert all(p.field == "min_amount" for p in below)
    # Tier 4 (¥10,000–15,000) allows less than tier 3 (¥10,000–20,000).
    assert any("Tier 4 allows a lower fine" in p.message for p in problems)


def test_shanxi_table_cannot_be_stored(laws: None) -> None:
    with pytest.raises(DiscretionInvalid) as caught:
        services.discretion_entry_create(actor=SYSTEM, data=shanxi_as_published())
    assert len(caught.value.problems) >= 3
    assert not DiscretionEntry.objects.filter(code="SX-99-1").exists()


def _with_person_tier(
    *, low: int, high: int, mitigated: bool = False, ground: str = ""
) -> EntryData:
    return EntryData(
        code="T-1",
        violation="测试",
        penalty_basis_text=cite(99, None, 1),
        effective_from=datetime.date(2021, 9, 1),
        ranges=[rng(PERSON, UNCORRECTED, 10_000, 20_000)],
        tiers=[
            TierData(
                order=1,
                name="减轻",
                condition_kind=ConditionKind.ALWAYS,
                condition_text="主动消除违法行为危害后果",
                mitigated=mitigated,
                mitigation_ground=ground,
                fines=[rng(PERSON, UNCORRECTED, low, high)],
            )
        ],
    )


def test_mitigated_tier_with_its_legal_ground_is_accepted(laws: None) -> None:
    data = _with_person_tier(low=5_000, high=8_000, mitigated=True, ground=CF + "第三十二条")
    assert discretion_validate(data) == []
    entry = services.discretion_entry_create(actor=SYSTEM, data=data)
    assert entry.tiers.get().mitigated


def test_mitigated_tier_without_ground_is_refused() -> None:
    problems = discretion_validate(_with_person_tier(low=5_000, high=8_000, mitigated=True))
    assert [p.field for p in problems] == ["mitigation_ground"]


def test_below_minimum_without_mitigation_is_refused() -> None:
    problems = discretion_validate(_with_person_tier(low=5_000, high=8_000))
    assert len(problems) == 1
    assert "below the statutory minimum" in problems[0].message


def test_mitigation_never_allows_going_above_the_maximum() -> None:
    data = _with_person_tier(low=5_000, high=25_000, mitigated=True, ground=CF + "第三十二条")
    problems = discretion_validate(data)
    assert [p.field for p in problems] == ["max_amount"]


def test_inclusive_flags_decide_whether_a_bound_is_inside() -> None:
    # Under the old convention "五万元以下" excludes ¥50,000.
    exclusive = EntryData(
        code="T-2",
        violation="测试",
        penalty_basis_text=cite(99, None, 1),
        effective_from=datetime.date(2010, 1, 1),
        ranges=[BoundsData("unit", "initial", None, Decimal(50_000), max_inclusive=False)],
        tiers=[
            TierData(
                order=1,
                name="一般",
                fines=[BoundsData("unit", "initial", Decimal(30_000), Decimal(50_000))],
            ),
        ],
    )
    assert [p.field for p in discretion_validate(exclusive)] == ["max_amount"]
    exclusive.tiers[0].fines[0].max_inclusive = False
    assert discretion_validate(exclusive) == []


def test_tier_fine_needs_a_statutory_range_for_its_target_and_stage() -> None:
    data = _with_person_tier(low=10_000, high=12_000)
    data.tiers[0].fines.append(rng(FineTarget.UNIT, Stage.INITIAL, None, 10_000))
    problems = discretion_validate(data)
    assert len(problems) == 1
    assert "sets no fine" in problems[0].message


def test_structural_problems_are_reported_with_their_fields() -> None:
    data = _with_person_tier(low=12_000, high=11_000)
    data.ranges.append(rng(PERSON, UNCORRECTED, 10_000, 20_000))
    data.tiers.append(
        TierData(order=1, name="x", condition_kind=ConditionKind.NUMERIC, condition_fact="")
    )
    data.tiers.append(
        TierData(
            order=2,
            name="y",
            condition_kind=ConditionKind.CIRCUMSTANCE,
            condition_circumstance="nope",
        )
    )
    fields = {p.field for p in discretion_validate(data, circumstances={"confessed"})}
    assert {"min_amount", "target", "order", "condition_fact", "condition_circumstance"} <= fields


def test_service_update_validates_and_keeps_the_old_rows(seeded: None) -> None:
    from fazhi.discretion.selectors import entry_data

    entry = DiscretionEntry.objects.get(code="AQ099-01", baseline__is_example=True)
    data = entry_data(entry)
    data.tiers[0].fines[2].min_amount = Decimal(5_000)
    with pytest.raises(DiscretionInvalid):
        services.discretion_entry_update(actor=SYSTEM, entry=entry, data=data)
    entry.refresh_from_db()
    assert entry.tiers.get(order=1).fines.get(target=PERSON).min_amount == Decimal(10_000)


def test_revise_starts_a_new_version_and_ends_the_old(seeded: None) -> None:
    from fazhi.discretion.selectors import discretion_entry_find, entry_data, entry_versions

    entry = DiscretionEntry.objects.get(code="AQ099-01", baseline__is_example=False)
    data = entry_data(entry)
    data.effective_from = datetime.date(2026, 2, 1)
    revised = services.discretion_entry_revise(actor=SYSTEM, entry=entry, data=data)
    entry.refresh_from_db()
    assert entry.effective_to == datetime.date(2026, 1, 31)
    assert revised.supersedes == entry
    assert revised.baseline_id == entry.baseline_id
    assert list(entry_versions(revised)) == [revised, entry]
    actor = type("Actor", (), {"is_authenticated": True})()
    assert (
        discretion_entry_find(actor=actor, ref=str(entry.pk), on=datetime.date(2026, 1, 31))
        == entry
    )
    assert entry.in_force_on(datetime.date(2026, 1, 31))
    assert revised.in_force_on(datetime.date(2026, 2, 1))
    with pytest.raises(Exception, match="must start after"):
        services.discretion_entry_revise(actor=SYSTEM, entry=revised, data=data)


def test_full_seed_stores_every_entry_with_linked_articles(seeded_all: None) -> None:
    assert DiscretionEntry.objects.count() == 47  # 38 national entries and 3 examples
    assert not DiscretionEntry.objects.filter(penalty_basis__isnull=True).exists()
    assert not DiscretionEntry.objects.filter(legal_provision__isnull=True).exists()
    entry = DiscretionEntry.objects.get(code="AQ099-01", baseline__is_example=True)
    assert entry.penalty_basis is not None
    assert entry.legal_provision is not None
    assert entry.penalty_basis.number == 99
    assert entry.legal_provision.number == 35
    assert entry.tiers.filter(verified=False).count() == 3


def test_seed_is_idempotent(seeded: None) -> None:
    from fazhi.discretion.models import DiscretionRule, NoPenaltyItem
    from fazhi.discretion.seed import discretion_seed
    from fazhi.discretion.tests.conftest import FEW

    counts = (
        DiscretionEntry.objects.count(),
        DiscretionRule.objects.count(),
        NoPenaltyItem.objects.count(),
    )
    discretion_seed(actor=SYSTEM, codes=FEW)
    assert counts == (
        DiscretionEntry.objects.count(),
        DiscretionRule.objects.count(),
        NoPenaltyItem.objects.count(),
    )
    assert DiscretionRule.objects.filter(code="lenient_band", verified=False).exists()
