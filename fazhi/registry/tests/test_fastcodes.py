"""The batch credit-code check gives exactly validate_uscc's verdict."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi.core.codes import USCC_ALPHABET, uscc_check_char, validate_uscc
from fazhi.registry.fastcodes import uscc_valid_mask
from fazhi.registry.models import dedupe_key

codes17 = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)
noise = st.text(alphabet=USCC_ALPHABET + "IOSVZ abc中-", min_size=0, max_size=20)


@settings(max_examples=300)
@given(
    st.lists(
        st.one_of(
            codes17.map(lambda c: c + uscc_check_char(c)), noise, codes17.map(lambda c: c + "0")
        ),
        max_size=40,
    )
)
def test_batch_check_agrees_with_validate_uscc(values):
    upper = [v.strip().upper() for v in values]
    assert list(uscc_valid_mask(upper)) == [validate_uscc(v).valid for v in upper]


def test_real_codes_pass_and_a_wrong_check_character_fails():
    good = "91370811MA0000001" + uscc_check_char("91370811MA0000001")
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    assert list(
        uscc_valid_mask(
            [good, bad, "", "N2370811MA0000001" + uscc_check_char("N2370811MA0000001")]
        )
    ) == [
        True,
        False,
        False,
        True,
    ]


def test_the_duplicate_key_ignores_spaces_and_full_width_forms():
    assert dedupe_key("济宁 华鑫化工（有限）公司", "任城区１号") == dedupe_key(
        "济宁华鑫化工(有限)公司", " 任城区1号"
    )
    assert dedupe_key("甲公司", "乙路1号") != dedupe_key("甲公司", "乙路2号")
