from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone, translation
from hypothesis import assume, given
from hypothesis import strategies as st

from kenes.accounts.iin import IinFacts, Sex, compute_check_digit, iin_digest, mask_iin, validate_iin
from kenes.core.errors import DomainError

_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)


def _invalid_message(value: str) -> str:
    """The English message, so the assertions read the same whichever catalogues are compiled."""
    with pytest.raises(DomainError) as caught:
        validate_iin(value)
    assert caught.value.code == "invalid_iin"
    with translation.override("en"):
        return str(caught.value.message)


@pytest.mark.parametrize(
    ("iin", "facts"),
    [
        ("900101300017", IinFacts(birth_date=datetime.date(1990, 1, 1), sex=Sex.MALE)),
        ("050615600011", IinFacts(birth_date=datetime.date(2005, 6, 15), sex=Sex.FEMALE)),
        ("900101300811", IinFacts(birth_date=datetime.date(1990, 1, 1), sex=Sex.MALE)),
    ],
)
def test_it_accepts_the_sample_iins_and_reads_birth_date_and_sex(iin: str, facts: IinFacts) -> None:
    assert validate_iin(iin) == facts


def test_it_uses_the_second_weight_set_when_the_first_gives_ten() -> None:
    first_eleven = "90010130081"
    assert sum(int(d) * w for d, w in zip(first_eleven, _FIRST, strict=True)) % 11 == 10
    assert compute_check_digit(first_eleven) == 1
    validate_iin("900101300811")
    assert "check-digit" in _invalid_message("900101300810")


@pytest.mark.parametrize("check", range(10))
def test_it_rejects_numbers_that_are_never_issued_whatever_the_check_digit(check: int) -> None:
    # Both weight sets give 10 for these first eleven digits.
    assert compute_check_digit("90010130080") is None
    _invalid_message(f"90010130080{check}")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "90010130001",
        "9001013000170",
        "90010130001a",
        " 900101300017",
        "\uff19\uff10\uff10\uff11\uff10\uff11\uff13\uff10\uff10\uff10\uff11\uff17",
    ],
)
def test_it_rejects_anything_but_twelve_ascii_digits(value: str) -> None:
    assert "12 digits" in _invalid_message(value)


def test_it_rejects_a_trailing_newline() -> None:
    _invalid_message("900101300017\n")


@pytest.mark.parametrize("digit", ["0", "7", "8", "9"])
def test_it_rejects_a_century_and_sex_digit_outside_one_to_six(digit: str) -> None:
    first_eleven = f"900101{digit}0001"
    check = compute_check_digit(first_eleven)
    assert "7th digit" in _invalid_message(f"{first_eleven}{check if check is not None else 0}")


@pytest.mark.parametrize("date_part", ["900230", "901301", "900001", "900100", "010229"])
def test_it_rejects_a_birth_date_that_does_not_exist(date_part: str) -> None:
    first_eleven = f"{date_part}30001"
    check = compute_check_digit(first_eleven)
    assert "birth date" in _invalid_message(f"{first_eleven}{check if check is not None else 0}")


def test_it_rejects_a_birth_date_in_the_future() -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    first_eleven = f"{tomorrow:%y%m%d}50001"
    check = compute_check_digit(first_eleven)
    assert "birth date" in _invalid_message(f"{first_eleven}{check if check is not None else 0}")


def _issued(first_ten: str) -> str:
    """Completes ten digits with the first serial ending and check digit that give an issued number."""
    for last in range(10):
        check = compute_check_digit(f"{first_ten}{last}")
        if check is not None:
            return f"{first_ten}{last}{check}"
    raise AssertionError("no issued number")


@pytest.mark.parametrize(
    ("first_ten", "year", "sex"),
    [
        ("9001011000", 1890, Sex.MALE),
        ("9001012000", 1890, Sex.FEMALE),
        ("9001013000", 1990, Sex.MALE),
        ("9001014000", 1990, Sex.FEMALE),
        ("0506155000", 2005, Sex.MALE),
        ("0506156000", 2005, Sex.FEMALE),
    ],
)
def test_the_seventh_digit_gives_the_century_and_the_sex(first_ten: str, year: int, sex: Sex) -> None:
    facts = validate_iin(_issued(first_ten))
    assert (facts.birth_date.year, facts.sex) == (year, sex)


def test_it_rejects_a_wrong_check_digit_with_a_message_that_does_not_repeat_the_number() -> None:
    message = _invalid_message("900101300018")
    assert "check-digit" in message
    assert "900101300018" not in message


def test_the_eleventh_digit_is_not_protected_by_the_first_weight_set() -> None:
    # Its weight is 11, which is 0 mod 11: a known limit of the official algorithm, not of ours.
    validate_iin("900101300017")
    validate_iin("900101300027")


def test_it_masks_all_but_the_first_four_digits() -> None:
    assert mask_iin("900101300017") == "9001********"


def test_mask_refuses_something_that_is_not_an_iin() -> None:
    with pytest.raises(ValueError, match="12-digit"):
        mask_iin("9001")


def test_the_digest_is_stable_keyed_and_does_not_contain_the_number() -> None:
    with override_settings(KENES_IIN_PEPPER="pepper-one"):
        first = iin_digest("900101300017")
        assert iin_digest("900101300017") == first
        assert iin_digest("050615600011") != first
    with override_settings(KENES_IIN_PEPPER="pepper-two"):
        assert iin_digest("900101300017") != first
    assert len(first) == 64
    assert "900101300017" not in first


def test_the_digest_falls_back_to_the_secret_key_without_a_pepper(settings: Any) -> None:
    settings.KENES_IIN_PEPPER = "a-secret-for-this-test"
    expected = iin_digest("900101300017")
    del settings.KENES_IIN_PEPPER
    settings.SECRET_KEY = "a-secret-for-this-test"
    assert iin_digest("900101300017") == expected


# --- properties over random valid dates and serials ---------------------------------------------

_CENTURY_DIGITS = {18: (1, 2), 19: (3, 4), 20: (5, 6)}


@st.composite
def issued_iins(draw: st.DrawFn) -> tuple[str, datetime.date, Sex]:
    birth_date = draw(st.dates(min_value=datetime.date(1800, 1, 1), max_value=timezone.localdate()))
    male_digit, female_digit = _CENTURY_DIGITS[birth_date.year // 100]
    female = draw(st.booleans())
    serial = draw(st.integers(min_value=0, max_value=9999))
    first_eleven = f"{birth_date:%y%m%d}{female_digit if female else male_digit}{serial:04d}"
    check = compute_check_digit(first_eleven)
    assume(check is not None)
    return f"{first_eleven}{check}", birth_date, Sex.FEMALE if female else Sex.MALE


def _first_set_remainder(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits[:11], _FIRST, strict=True)) % 11


@given(issued_iins())
def test_every_number_built_with_its_check_digit_is_valid(sample: tuple[str, datetime.date, Sex]) -> None:
    iin, birth_date, sex = sample
    assert validate_iin(iin) == IinFacts(birth_date=birth_date, sex=sex)


@given(issued_iins(), st.integers(min_value=1, max_value=9))
def test_changing_the_check_digit_is_always_caught(sample: tuple[str, datetime.date, Sex], shift: int) -> None:
    iin = sample[0]
    changed = iin[:11] + str((int(iin[11]) + shift) % 10)
    with pytest.raises(DomainError):
        validate_iin(changed)


@given(issued_iins(), st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_changing_one_of_the_first_ten_digits_is_caught(
    sample: tuple[str, datetime.date, Sex], position: int, shift: int
) -> None:
    iin = sample[0]
    changed = iin[:position] + str((int(iin[position]) + shift) % 10) + iin[position + 1 :]
    # Each of the first ten weights is non-zero mod 11 (a prime), so the first-set remainder always
    # moves; only a change that moves the number into or out of the second weight set can slip past.
    assume(_first_set_remainder(iin) != 10 and _first_set_remainder(changed) != 10)
    with pytest.raises(DomainError):
        validate_iin(changed)
