"""Identifier validators: USCC (GB 32100), citizen ID (GB 11643), region codes (GB/T 2260)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from fazhi.core.codes import (
    USCC_ALPHABET,
    mask_ric,
    region_table,
    ric_check_char,
    uscc_check_char,
    validate_region,
    validate_ric,
    validate_uscc,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _with_check(first17: str) -> str:
    return first17 + uscc_check_char(first17)


# --- USCC ---

# Check characters worked out by hand from DOMAIN §8.1 (weights 3^(i-1) mod 31, value of a
# letter = its index in the 31-character alphabet). Worked example for the N-prefixed code:
#   N2370811MA0000001: 22·1 + 2·3 + 3·9 + 7·27 + 0·19 + 8·26 + 1·16 + 1·17 + 21·20 (M)
#   + 10·29 (A) + 1·28 = 1223; 1223 mod 31 = 14; 31 − 14 = 17 → "H".
HAND_CHECKED_USCC = [
    "91110000600037341L",  # python-stdnum's documented example (an enterprise)
    "91350100M000100Y43",  # a commonly published sample code
    "N2370811MA0000001H",  # 农村集体经济组织 (registering authority N)
    "A1100000MA0000000C",  # registering authority A
    "Y1370800MA3C0DE01D",  # registering authority Y ("other")
    "12100000400000624D",  # a 事业单位 (12…)
]


@pytest.mark.parametrize("code", HAND_CHECKED_USCC)
def test_hand_checked_uscc_codes_are_valid(code):
    assert uscc_check_char(code[:17]) == code[17]
    assert validate_uscc(code).valid


@pytest.mark.parametrize("first", ["A", "N", "Y"])
def test_uscc_with_letter_registering_authority_is_valid(first):
    # python-stdnum rejects these; GB 32100 allows them (DOMAIN §8.3).
    code = _with_check(f"{first}1370811MA3C0DE01")
    assert validate_uscc(code).valid
    assert not stdnum_uscc.is_valid(code)


def test_uscc_is_case_and_space_tolerant():
    assert validate_uscc(" 91110000600037341l ").valid


def test_uscc_wrong_check_character_is_rejected_with_reason():
    code = "91110000600037341L"
    for wrong in USCC_ALPHABET:
        if wrong == "L":
            continue
        check = validate_uscc(code[:17] + wrong)
        assert not check.valid
        assert "check character" in str(check.reason)


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z"])
def test_uscc_letters_never_used_are_rejected(bad):
    code = "91110000600037" + bad + "41L"
    check = validate_uscc(code)
    assert not check.valid
    assert f"“{bad}”" in str(check.reason)


@pytest.mark.parametrize("code", ["91110000600037341", "91110000600037341LL", "", "9"])
def test_uscc_wrong_length_is_rejected(code):
    check = validate_uscc(code)
    assert not check.valid
    assert f"not {len(code)}" in str(check.reason)


@pytest.mark.parametrize("first", ["0", "B", "C", "M", "X"])
def test_uscc_bad_registering_authority_is_rejected(first):
    code = _with_check(f"{first}1110000600037341")
    check = validate_uscc(code)
    assert not check.valid
    assert "1st character" in str(check.reason)


def test_uscc_letters_in_region_part_are_rejected():
    code = _with_check("91A10000600037341")
    check = validate_uscc(code)
    assert not check.valid
    assert "region code" in str(check.reason)


def test_uscc_organisation_code_digit_checked_only_when_asked():
    # 60003734 → check digit 1 (GB 11714: 3,7,9,10,5,8,4,2; 11 − Σ mod 11).
    good = "91110000600037341L"
    assert validate_uscc(good, check_org_code=True).valid
    bad = _with_check("91110000600037342")
    assert validate_uscc(bad).valid
    check = validate_uscc(bad, check_org_code=True)
    assert not check.valid
    assert "organisation-code" in str(check.reason)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.sampled_from("123456789"),
    digits=st.text(alphabet="0123456789", min_size=7, max_size=7),
    body=st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)
def test_uscc_check_char_agrees_with_stdnum(first, digits, body):
    first17 = first + digits + body
    assert uscc_check_char(first17) == stdnum_uscc.calc_check_digit(first17 + "0")
    code = first17 + uscc_check_char(first17)
    assert stdnum_uscc.is_valid(code)
    assert validate_uscc(code).valid


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.sampled_from("123456789"),
    digits=st.text(alphabet="0123456789", min_size=7, max_size=7),
    rest=st.text(alphabet=USCC_ALPHABET, min_size=10, max_size=10),
)
def test_uscc_validity_agrees_with_stdnum_on_digit_prefixed_codes(first, digits, rest):
    code = first + digits + rest
    assert validate_uscc(code).valid == stdnum_uscc.is_valid(code)


# --- Citizen ID (公民身份号码) ---


def test_ric_standard_example_is_valid():
    # The example printed in GB 11643-1999.
    assert validate_ric("11010519491231002X").valid
    assert validate_ric("11010519491231002x").valid


def test_ric_check_char_examples():
    assert ric_check_char("11010519491231002") == "X"
    # By hand: Σ digit·weight = 217; 217 mod 11 = 8; (12 − 8) mod 11 = 4.
    assert ric_check_char("37081119900101001") == "4"
    assert validate_ric("370811199001010014").valid


def test_ric_wrong_check_digit_is_rejected():
    check = validate_ric("110105194912310021")
    assert not check.valid
    assert "check character" in str(check.reason)


@pytest.mark.parametrize("date", ["19490230", "19491301", "19490000", "20230229"])
def test_ric_impossible_birth_date_is_rejected(date):
    first17 = f"110105{date}002"
    check = validate_ric(first17 + ric_check_char(first17))
    assert not check.valid
    assert "not a real date" in str(check.reason)


def test_ric_future_birth_date_is_rejected():
    first17 = "11010520300101002"
    code = first17 + ric_check_char(first17)
    check = validate_ric(code, today=datetime.date(2026, 1, 1))
    assert not check.valid
    assert "out of range" in str(check.reason)
    assert validate_ric(code, today=datetime.date(2031, 1, 1)).valid


def test_ric_unknown_province_is_rejected():
    first17 = "99010519491231002"
    check = validate_ric(first17 + ric_check_char(first17))
    assert not check.valid
    assert "province" in str(check.reason)


@pytest.mark.parametrize("code", ["11010519491231002", "1101051949123100X2", "11010519491231002Y"])
def test_ric_bad_shape_is_rejected(code):
    assert not validate_ric(code).valid


_PROVINCES = sorted({code[:2] for code in region_table()})


@st.composite
def _ric_first17(draw):
    province = draw(st.sampled_from(_PROVINCES))
    area = draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    birth = draw(
        st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31))
    )
    seq = draw(st.integers(min_value=0, max_value=999))
    return f"{province}{area}{birth:%Y%m%d}{seq:03d}"


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first17=_ric_first17())
def test_ric_any_well_formed_number_with_its_check_char_validates(first17):
    code = first17 + ric_check_char(first17)
    assert validate_ric(code, today=datetime.date(2026, 1, 1)).valid


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first17=_ric_first17(), position=st.integers(min_value=0, max_value=17), data=st.data())
def test_ric_changing_any_single_character_invalidates(first17, position, data):
    # MOD 11-2: every weight is non-zero mod 11, so any single substitution changes Σ mod 11.
    code = first17 + ric_check_char(first17)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from(alphabet))
    assume(replacement != code[position])
    changed = code[:position] + replacement + code[position + 1 :]
    assert not validate_ric(changed, today=datetime.date(2026, 1, 1)).valid


def test_mask_ric_keeps_first_six_and_last_four():
    assert mask_ric("11010519491231002X") == "110105********002X"
    assert mask_ric("123") == "***"
    assert mask_ric("1234567890") == "1234567890"


# --- Region codes (行政区划代码) ---


def test_current_region_code_is_valid():
    assert validate_region("370811").valid  # 任城区 (since 1993)
    assert validate_region("370800").valid  # 济宁市


def test_abolished_region_code_is_flagged_with_its_year():
    check = validate_region("370802")  # 市中区, merged into 任城区 in 2013
    assert not check.valid
    assert "2013" in str(check.reason)
    assert validate_region("370802", allow_historic=True).valid


def test_unknown_region_code_is_rejected():
    check = validate_region("379999")
    assert not check.valid
    assert "GB/T 2260" in str(check.reason)


@pytest.mark.parametrize("value", ["37081A", "37081", "3708111", ""])
def test_region_code_must_be_six_digits(value):
    check = validate_region(value)
    assert not check.valid
    assert "6 digits" in str(check.reason)


# --- API ---


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "value", "valid"),
    [
        ("uscc", "91110000600037341L", True),
        ("uscc", "91110000600037341M", False),
        ("ric", "11010519491231002X", True),
        ("ric", "110105194912310021", False),
        ("region", "370811", True),
        ("region", "370802", False),
    ],
)
def test_code_validation_api_is_public_and_gives_reason(kind, value, valid):
    response = Client().get(
        "/api/v1/codes/validate", {"kind": kind, "value": value}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is valid
    assert body["kind"] == kind
    assert body["value"] == value
    assert bool(body["reason"]) is (not valid)


@pytest.mark.django_db
def test_code_validation_api_reason_for_abolished_region():
    response = Client().get(
        "/api/v1/codes/validate", {"kind": "region", "value": "370802"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "2013" in response.json()["reason"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"kind": "passport", "value": "x"}, {"value": "370811"}])
def test_code_validation_api_rejects_unknown_kind(query):
    response = Client().get("/api/v1/codes/validate", query)
    assert response.status_code == 422
