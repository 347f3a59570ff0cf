"""MCI amounts in tenge, from the dated table of rates (2025: 3,932 ₸; 2026: 4,325 ₸)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from kenes.core.errors import DomainError
from kenes.relocation import money
from kenes.relocation.models import MciRate, Offer
from kenes.relocation.tests.factories import support_offer, vacancy_offer

pytestmark = pytest.mark.django_db


def _moment(year: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, 3, 1, 12, 0))


def test_the_seeded_rates_are_those_of_the_budget_laws() -> None:
    assert money.mci_rate(2025) == Decimal("3932")
    assert money.mci_rate(2026) == Decimal("4325")


def test_the_full_microcredit_of_2026_is_10_812_500_tenge() -> None:
    assert money.mci_to_tenge(Decimal("2500"), 2026) == Decimal("10812500")


def test_a_lifting_allowance_of_2025_is_393_200_tenge() -> None:
    assert money.mci_to_tenge(Decimal("100"), 2025) == Decimal("393200")


def test_the_same_amount_is_worth_more_in_2026_than_in_2025() -> None:
    assert money.mci_to_tenge(Decimal("70"), 2025) == Decimal("275240")
    assert money.mci_to_tenge(Decimal("70"), 2026) == Decimal("302750")


def test_tenge_are_rounded_to_whole_tenge_half_up() -> None:
    assert money.mci_to_tenge(Decimal("0.125"), 2026) == Decimal("541")  # 540.625
    assert money.mci_to_tenge(Decimal("0.01"), 2025) == Decimal("39")  # 39.32
    assert money.convert(Decimal("0.5"), Decimal("1")) == Decimal("1")


def test_a_year_missing_from_the_table_is_refused_naming_the_year() -> None:
    with translation.override("en"), pytest.raises(DomainError) as refused:
        money.mci_to_tenge(Decimal("100"), 2031)
    assert refused.value.code == "no_mci_rate"
    assert refused.value.status == 422
    assert "2031" in str(refused.value)


def test_a_rate_added_later_is_used() -> None:
    MciRate.objects.create(year=2027, tenge=Decimal("4500"))
    assert money.mci_to_tenge(Decimal("10"), 2027) == Decimal("45000")
    assert money.rates_by_year()[2027] == Decimal("4500")


def test_an_offer_is_priced_at_the_mci_of_the_year_it_was_published() -> None:
    of_2025 = support_offer(amount_mci=Decimal("100"), published_at=_moment(2025))
    of_2026 = support_offer(amount_mci=Decimal("2500"), published_at=_moment(2026))
    assert money.offer_year(of_2025) == 2025
    assert money.offer_amount_tenge(of_2025) == Decimal("393200")
    assert money.offer_amount_tenge(of_2026) == Decimal("10812500")
    assert money.offer_amount_tenge(of_2026, rates=money.rates_by_year()) == Decimal("10812500")


def test_a_draft_is_priced_at_this_years_mci() -> None:
    draft = support_offer(amount_mci=Decimal("1"), status=Offer.Status.DRAFT)
    assert draft.published_at is None
    assert money.offer_year(draft) == timezone.localdate().year


def test_an_offer_that_is_not_a_support_measure_has_no_amount() -> None:
    assert money.offer_amount_tenge(vacancy_offer()) is None


def test_an_offer_of_a_year_with_no_rate_has_no_tenge_amount() -> None:
    old = support_offer(amount_mci=Decimal("100"), published_at=_moment(2019))
    assert money.offer_amount_tenge(old) is None
    assert money.offer_amount_tenge(old, rates={}) is None
