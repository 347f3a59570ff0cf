"""Ranking on hand-made cases: every point has its reason, shown in the person's language."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from kenes.relocation.matching import ApplicantFacts, MemberFacts, rank_candidates, rank_offers
from kenes.relocation.models import Offer
from kenes.relocation.tests.factories import (
    housing_offer,
    land_offer,
    profession,
    support_offer,
    vacancy_offer,
)
from kenes.territory.models import District, Settlement
from kenes.territory.tests.factories import OkrugFactory, SettlementFactory

pytestmark = pytest.mark.django_db

RATES = {2025: Decimal("3932"), 2026: Decimal("4325")}
TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 10, 0))


def village(name: str) -> Settlement:
    """A village whose short Kazakh name is `name` (shown in English too)."""
    return SettlementFactory.create(short_name_kk=name)


def worker(code: str, *, seeks_work: bool = True) -> MemberFacts:
    found = profession(code)
    return MemberFacts(profession_id=found.pk, profession_name=str(found), seeks_work=seeks_work, is_child=False)


def child() -> MemberFacts:
    return MemberFacts(profession_id=None, profession_name="", seeks_work=False, is_child=True)


def family(*members: MemberFacts, districts: tuple[District, ...] = (), **facts: object) -> ApplicantFacts:
    return ApplicantFacts(
        applicant_id=1,
        current_city="Орал",
        members=members,
        wished_district_ids=frozenset(district.pk for district in districts),
        wished_district_names=tuple(district.short_name for district in districts),
        **facts,  # type: ignore[arg-type]
    )


def published(day: datetime.date = datetime.date(2026, 3, 1)) -> dict[str, Any]:
    return {"published_at": _moment(day)}


def test_a_vacancy_of_a_members_profession_scores_50_with_the_reason_naming_it() -> None:
    offer = vacancy_offer("veterinarian", positions=2, settlement=village("Қаратөбе"), **published())
    [match] = rank_offers(family(worker("veterinarian")), [offer], today=TODAY)
    assert match.offer == offer
    assert match.score == 50
    assert match.reasons == ["your profession: veterinarian — 2 vacancies in Қаратөбе"]


def test_one_position_is_said_in_the_singular() -> None:
    offer = vacancy_offer("teacher", positions=1, settlement=village("Жымпиты"), **published())
    [match] = rank_offers(family(worker("teacher")), [offer], today=TODAY)
    assert match.reasons == ["your profession: teacher — 1 vacancy in Жымпиты"]


def test_every_member_looking_for_work_in_the_profession_counts() -> None:
    offer = vacancy_offer("teacher", positions=3, **published())
    [match] = rank_offers(family(worker("teacher"), worker("teacher"), child()), [offer], today=TODAY)
    assert match.score == 100


def test_a_member_not_looking_for_work_does_not_match_a_vacancy() -> None:
    offer = vacancy_offer("teacher", **published())
    assert rank_offers(family(worker("teacher", seeks_work=False)), [offer], today=TODAY) == []


def test_a_vacancy_of_another_profession_is_left_out() -> None:
    offer = vacancy_offer("doctor", **published())
    assert rank_offers(family(worker("teacher")), [offer], today=TODAY) == []


def test_housing_with_enough_rooms_scores_30_naming_rooms_and_tenure() -> None:
    # Four people need ceil(4 / 2) = 2 rooms.
    offer = housing_offer(rooms=2, tenure=Offer.Tenure.FREE, **published())
    [match] = rank_offers(family(worker("driver"), worker("cook"), child(), child()), [offer], today=TODAY)
    assert match.score == 30
    assert match.reasons == ["2 rooms, free of charge — enough for your family"]


def test_the_rooms_the_family_asked_for_replace_the_estimate() -> None:
    offer = housing_offer(rooms=2, tenure=Offer.Tenure.SERVICE, **published())
    assert rank_offers(family(worker("driver"), rooms_needed=3), [offer], today=TODAY) == []
    [match] = rank_offers(family(worker("driver"), rooms_needed=2), [offer], today=TODAY)
    assert match.reasons == ["2 rooms, service housing — enough for your family"]


def test_housing_too_small_gets_no_points_and_says_so() -> None:
    district = OkrugFactory.create().district
    small = housing_offer(rooms=1, settlement=SettlementFactory.create(okrug__district=district), **published())
    household = family(worker("driver"), worker("cook"), child(), child())
    assert rank_offers(household, [small], today=TODAY) == []
    # In a district the family wished for it appears, for the district only, and says why it is small.
    [match] = rank_offers(
        family(worker("driver"), worker("cook"), child(), child(), districts=(district,)), [small], today=TODAY
    )
    assert match.score == 20
    assert match.reasons == [
        "too small for your family (4 people)",
        f"in {district.short_name}, a district you chose",
    ]


def test_land_scores_15_only_for_a_family_that_wants_land() -> None:
    offer = land_offer(area_hectares=Decimal("0.25"), **published())
    assert rank_offers(family(worker("driver")), [offer], today=TODAY) == []
    [match] = rank_offers(family(worker("driver"), wants_land=True), [offer], today=TODAY)
    assert match.score == 15
    assert match.reasons == ["0.25 ha of land: private household farming"]


def test_a_microcredit_suits_anyone_and_names_its_amount_in_tenge() -> None:
    offer = support_offer(Offer.Measure.MICROCREDIT, Decimal("2500"), **published())
    [match] = rank_offers(family(worker("driver")), [offer], today=TODAY, rates=RATES)
    assert match.score == 10
    assert match.reasons == ["Microcredit «Ауыл аманаты»: 2,500 MCI = 10,812,500 ₸ (2026)"]


def test_a_support_measure_is_priced_at_the_mci_of_the_year_it_was_published() -> None:
    offer = support_offer(Offer.Measure.MICROCREDIT, Decimal("100"), **published(datetime.date(2025, 12, 1)))
    [match] = rank_offers(family(worker("driver")), [offer], today=TODAY, rates=RATES)
    assert match.reasons == ["Microcredit «Ауыл аманаты»: 100 MCI = 393,200 ₸ (2025)"]


def test_without_a_rate_the_amount_is_named_in_mci_only() -> None:
    offer = support_offer(Offer.Measure.MICROCREDIT, Decimal("2500"), **published())
    [match] = rank_offers(family(worker("driver")), [offer], today=TODAY, rates={})
    assert match.reasons == ["Microcredit «Ауыл аманаты»: 2,500 MCI"]


def test_other_support_counts_only_where_something_else_matches() -> None:
    place = village("Қаратөбе")
    allowance = support_offer(Offer.Measure.LIFTING_ALLOWANCE, Decimal("100"), settlement=place, **published())
    elsewhere = support_offer(Offer.Measure.LIFTING_ALLOWANCE, Decimal("100"), **published())
    household = family(worker("veterinarian"))
    assert rank_offers(household, [allowance, elsewhere], today=TODAY, rates=RATES) == []

    job = vacancy_offer("veterinarian", positions=2, settlement=place, **published())
    ranked = rank_offers(household, [allowance, elsewhere, job], today=TODAY, rates=RATES)
    assert [match.offer for match in ranked] == [job, allowance]
    assert ranked[1].reasons == ["Lifting allowance: 100 MCI = 432,500 ₸ (2026)"]


def test_a_wished_district_adds_20_to_what_matches_there() -> None:
    place = village("Қаратөбе")
    offer = vacancy_offer("veterinarian", positions=2, settlement=place, **published())
    [match] = rank_offers(family(worker("veterinarian"), districts=(place.district,)), [offer], today=TODAY)
    assert match.score == 70
    assert match.reasons == [
        "your profession: veterinarian — 2 vacancies in Қаратөбе",
        f"in {place.district.short_name}, a district you chose",
    ]


def test_the_best_comes_first_and_equals_newest_first() -> None:
    household = family(worker("veterinarian"), worker("teacher"), wants_land=True)
    older_job = vacancy_offer("veterinarian", **published(datetime.date(2026, 1, 10)))
    newer_job = vacancy_offer("teacher", **published(datetime.date(2026, 2, 10)))
    land = land_offer(**published(datetime.date(2026, 5, 1)))
    credit = support_offer(**published(datetime.date(2026, 5, 2)))
    ranked = rank_offers(household, [credit, land, older_job, newer_job], today=TODAY, rates=RATES)
    assert [(match.offer, match.score) for match in ranked] == [
        (newer_job, 50),
        (older_job, 50),
        (land, 15),
        (credit, 10),
    ]


def test_closed_drafts_and_expired_offers_never_appear() -> None:
    household = family(worker("veterinarian"))
    closed = vacancy_offer("veterinarian", status=Offer.Status.CLOSED, **published())
    draft = vacancy_offer("veterinarian", status=Offer.Status.DRAFT, published_at=None)
    expired = vacancy_offer("veterinarian", expires_on=TODAY - datetime.timedelta(days=1), **published())
    last_day = vacancy_offer("veterinarian", expires_on=TODAY, **published())
    assert [match.offer for match in rank_offers(household, [closed, draft, expired, last_day], today=TODAY)] == [
        last_day
    ]


def test_candidates_are_the_suitable_households_anonymised_best_first() -> None:
    offer = vacancy_offer("veterinarian", positions=2, settlement=village("Қаратөбе"), **published())
    vets = ApplicantFacts(
        applicant_id=7,
        current_city="Ақсай",
        members=(worker("veterinarian"), worker("veterinarian"), child()),
        wished_district_ids=frozenset({offer.district_id}),
        wished_district_names=("Қаратөбе ауданы",),
    )
    one_vet = ApplicantFacts(applicant_id=8, current_city="Орал", members=(worker("veterinarian"),))
    teacher = ApplicantFacts(applicant_id=9, current_city="Орал", members=(worker("teacher"),))
    found = rank_candidates(offer, [one_vet, teacher, vets], rates=RATES)
    assert [(candidate.current_city, candidate.score) for candidate in found] == [("Ақсай", 120), ("Орал", 50)]
    first = found[0]
    assert first.professions == ("Veterinarian",)
    assert (first.household_size, first.children) == (3, 1)
    assert first.wished_districts == ("Қаратөбе ауданы",)
    assert first.reasons[0] == "your profession: veterinarian — 2 vacancies in Қаратөбе"
    # Nothing that names or reaches the person.
    assert not {"applicant_id", "full_name", "phone", "birth_year", "user", "members"} & set(vars(first))


def test_a_microcredit_suits_every_candidate_and_other_support_only_those_wishing_its_district() -> None:
    credit = support_offer(Offer.Measure.MICROCREDIT, **published())
    allowance = support_offer(Offer.Measure.LIFTING_ALLOWANCE, Decimal("100"), **published())
    anywhere = ApplicantFacts(applicant_id=1, current_city="Орал", members=(worker("driver"),))
    there = ApplicantFacts(
        applicant_id=2,
        current_city="Орал",
        members=(worker("driver"),),
        wished_district_ids=frozenset({allowance.district_id}),
    )
    assert len(rank_candidates(credit, [anywhere, there], rates=RATES)) == 2
    [only] = rank_candidates(allowance, [anywhere, there], rates=RATES)
    assert only.score == 30
