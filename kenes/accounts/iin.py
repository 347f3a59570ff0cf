"""The IIN (ЖСН / ИИН): checking, masking and a keyed digest, so the number itself is never stored.

Layout of the twelve digits: YYMMDD (birth date), one century-and-sex digit (1 to 6), a four-digit
serial, one check digit. The check digit is the weighted sum of the first eleven digits with weights
1..11 mod 11; when that gives 10, weights 3..11,1,2 are used instead; when that gives 10 again the
number is never issued.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.core.errors import DomainError

IIN_LENGTH = 12
_IIN_RE = re.compile(r"[0-9]{12}")
_FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
# The 7th digit: odd for men, even for women; the pair says the century of birth.
_CENTURY_BY_DIGIT = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class Sex(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class IinFacts:
    birth_date: datetime.date
    sex: Sex


def compute_check_digit(first_eleven: str) -> int | None:
    """The check digit for the first eleven digits, or None when no number with them is issued."""
    if len(first_eleven) != IIN_LENGTH - 1 or not first_eleven.isascii() or not first_eleven.isdigit():
        raise ValueError("compute_check_digit needs exactly eleven ASCII digits")
    digits = [int(character) for character in first_eleven]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        remainder = sum(digit * weight for digit, weight in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def validate_iin(value: str) -> IinFacts:
    """Checks an IIN completely; raises DomainError(code="invalid_iin") naming what is wrong.

    The messages never repeat the number, so they are safe to show and to log.
    """
    if not isinstance(value, str) or not _IIN_RE.fullmatch(value):
        raise DomainError(_("An IIN is exactly 12 digits."), code="invalid_iin")
    century_sex_digit = int(value[6])
    if century_sex_digit not in _CENTURY_BY_DIGIT:
        raise DomainError(
            _("The 7th digit of an IIN (century and sex) must be from 1 to 6."),
            code="invalid_iin",
        )
    year = _CENTURY_BY_DIGIT[century_sex_digit] + int(value[0:2])
    try:
        birth_date = datetime.date(year, int(value[2:4]), int(value[4:6]))
    except ValueError:
        birth_date = None
    if birth_date is None or birth_date > timezone.localdate():
        raise DomainError(
            _("The first six digits of an IIN must be a real birth date (YYMMDD)."),
            code="invalid_iin",
        )
    if compute_check_digit(value[:11]) != int(value[11]):
        raise DomainError(
            _("This IIN does not pass the check-digit test: please look for a mistyped digit."),
            code="invalid_iin",
        )
    sex = Sex.MALE if century_sex_digit % 2 == 1 else Sex.FEMALE
    return IinFacts(birth_date=birth_date, sex=sex)


def mask_iin(iin: str) -> str:
    """The only form of an IIN ever shown: the birth year and month, the rest hidden."""
    if not _IIN_RE.fullmatch(iin):
        raise ValueError("mask_iin needs a 12-digit IIN")
    return iin[:4] + "*" * (IIN_LENGTH - 4)


def iin_digest(iin: str) -> str:
    """A keyed HMAC-SHA256 of the IIN: equal numbers give equal digests, so lookups and the
    one-account-per-IIN rule work, yet the number cannot be read back without the pepper."""
    pepper = getattr(settings, "KENES_IIN_PEPPER", settings.SECRET_KEY)
    return hmac.new(str(pepper).encode("utf-8"), iin.encode("utf-8"), hashlib.sha256).hexdigest()
