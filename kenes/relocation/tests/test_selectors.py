"""Reads: open offers, 404 for what a person may not see (an applicant above all), anonymised
candidates, moves in the staff's territory, due retention checks, and pinned query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from kenes.accounts.tests.factories import SuperuserFactory, UserFactory
from kenes.relocation import selectors
from kenes.relocation.matching import Candidate
from kenes.relocation.models import Applicant, Application, Offer
from kenes.relocation.tests.factories import (
    ApplicationFactory,
    EmployerFactory,
    MoveFactory,
    akimat_user,
    employer_user,
    family_applicant,
    housing_offer,
    programme_staff_user,
    support_offer,
    vacancy_offer,
)
from kenes.territory.tests.factories import SettlementFactory

pytestmark = pytest.mark.django_db


def _employer_with_vacancy() -> tuple[Any, Offer]:
    employer = EmployerFactory.create()
    person = employer_user(employer)
    offer = vacancy_offer("veterinarian", positions=2, employer=employer)
    return person, offer


def test_published_offers_are_the_open_ones_filtered_by_place_kind_and_profession() -> None:
    today = timezone.localdate()
    job = vacancy_offer("teacher")
    house = housing_offer(settlement=job.settlement)
    vacancy_offer("teacher", status=Offer.Status.DRAFT, published_at=None)
    vacancy_offer("teacher", status=Offer.Status.CLOSED)
    vacancy_offer("teacher", expires_on=today - datetime.timedelta(days=1))
    assert set(selectors.published_offers()) == {job, house}
    assert list(selectors.published_offers(district=job.district, kind=Offer.Kind.HOUSING)) == [house]
    assert list(selectors.published_offers(okrug=job.okrug, profession=job.profession)) == [job]
    assert list(selectors.published_offers(kind=Offer.Kind.LAND)) == []


def test_the_offer_list_takes_one_query(django_assert_num_queries: Any) -> None:
    for _ in range(3):
        vacancy_offer()
        support_offer()
    with django_assert_num_queries(1):
        rows = list(selectors.published_offers())
        assert [str(row.settlement.district) for row in rows]
        assert [row.employer for row in rows]


def test_a_draft_is_public_to_nobody_but_reached_by_its_managers() -> None:
    draft = support_offer(status=Offer.Status.DRAFT, published_at=None)
    closed = support_offer(status=Offer.Status.CLOSED)
    with pytest.raises(Http404):
        selectors.get_public_offer(draft.pk)
    assert selectors.get_public_offer(closed.pk) == closed
    assert selectors.access_offer(user=draft.published_by, pk=draft.pk) == draft
    with pytest.raises(Http404):
        selectors.access_offer(user=UserFactory.create(), pk=draft.pk)


def test_offers_managed_by_are_the_persons_their_employers_and_their_territorys() -> None:
    person, job = _employer_with_vacancy()
    own = support_offer(published_by=person)
    support_offer()
    okrug_staff = akimat_user(job.okrug)
    assert set(selectors.offers_managed_by(person)) == {job, own}
    assert set(selectors.offers_managed_by(okrug_staff)) == {job}
    assert list(selectors.offers_managed_by(UserFactory.create())) == []
    assert set(selectors.offers_managed_by(SuperuserFactory.create())) == set(Offer.objects.all())


def test_an_employer_cannot_see_an_applicant_who_has_not_applied_to_them() -> None:
    person, _offer = _employer_with_vacancy()
    applicant = family_applicant([{"profession": "veterinarian", "seeks_work": True}], open_to_offers=True)
    ApplicationFactory.create(applicant=applicant, offer=housing_offer())  # someone else's offer
    with pytest.raises(Http404):
        selectors.access_applicant(user=person, pk=applicant.pk)
    # Exactly as for an applicant that does not exist.
    with pytest.raises(Http404):
        selectors.access_applicant(user=person, pk=applicant.pk + 1000)


def test_after_the_applicant_applies_the_employer_sees_them() -> None:
    person, offer = _employer_with_vacancy()
    applicant = family_applicant([{"full_name": "Ерлан Сериков", "profession": "veterinarian"}])
    ApplicationFactory.create(applicant=applicant, offer=offer)
    seen = selectors.access_applicant(user=person, pk=applicant.pk)
    assert [member.full_name for member in seen.members.all()] == ["Ерлан Сериков"]


def test_programme_staff_and_the_applicant_see_the_applicant() -> None:
    applicant = family_applicant()
    staff = programme_staff_user(SettlementFactory.create().district.region)
    assert selectors.access_applicant(user=staff, pk=applicant.pk) == applicant
    assert selectors.access_applicant(user=applicant.user, pk=applicant.pk) == applicant
    assert selectors.applicant_of(applicant.user) == applicant
    assert selectors.applicant_of(UserFactory.create()) is None


def test_an_application_is_reached_by_its_applicant_and_the_offers_managers_only() -> None:
    person, offer = _employer_with_vacancy()
    application = ApplicationFactory.create(offer=offer)
    assert selectors.access_application(user=person, pk=application.pk) == application
    assert selectors.access_application(user=application.applicant.user, pk=application.pk) == application
    with pytest.raises(Http404):
        selectors.access_application(user=employer_user(EmployerFactory.create()), pk=application.pk)


def test_candidates_are_opted_in_households_anonymised_until_they_apply() -> None:
    _person, offer = _employer_with_vacancy()
    found = family_applicant(
        [{"full_name": "Ерлан Сериков", "profession": "veterinarian", "seeks_work": True}, {"birth_year": 2015}],
        open_to_offers=True,
        current_city="Ақсай",
    )
    family_applicant([{"profession": "veterinarian", "seeks_work": True}], open_to_offers=False)
    withdrawn = family_applicant([{"profession": "veterinarian", "seeks_work": True}], open_to_offers=True)
    Applicant.objects.filter(pk=withdrawn.pk).update(consent_withdrawn_at=timezone.now())
    applied = family_applicant([{"profession": "veterinarian", "seeks_work": True}], open_to_offers=True)
    ApplicationFactory.create(applicant=applied, offer=offer)

    [candidate] = selectors.candidates_for(offer)
    assert isinstance(candidate, Candidate)
    assert (candidate.current_city, candidate.household_size, candidate.children) == ("Ақсай", 2, 1)
    assert candidate.score == 50
    shown = repr(candidate)
    assert "Сериков" not in shown
    assert found.phone not in shown
    assert "1990" not in shown
    assert "2015" not in shown


def test_candidates_and_matches_take_a_fixed_number_of_queries(django_assert_max_num_queries: Any) -> None:
    offer = vacancy_offer("veterinarian")
    for _ in range(4):
        family_applicant([{"profession": "veterinarian", "seeks_work": True}], open_to_offers=True)
        vacancy_offer("veterinarian")
        support_offer()
    applicant = family_applicant([{"profession": "veterinarian", "seeks_work": True}])
    with django_assert_max_num_queries(4):
        assert len(selectors.candidates_for(offer)) == 4
    with django_assert_max_num_queries(6):
        assert len(selectors.matches_for(applicant)) == 9


def test_applications_for_an_offer_load_the_households_in_fixed_queries(django_assert_max_num_queries: Any) -> None:
    _person, offer = _employer_with_vacancy()
    for _ in range(3):
        ApplicationFactory.create(offer=offer, applicant=family_applicant([{}, {"relation": "spouse"}]))
    with django_assert_max_num_queries(5):
        rows = list(selectors.applications_for(offer))
        assert sum(len(row.applicant.members.all()) for row in rows) == 6
        assert all(row.applicant.user.username for row in rows)
        assert all(len(row.events.all()) == 0 for row in rows)


def test_moves_are_listed_for_staff_of_their_territory() -> None:
    here = MoveFactory.create()
    MoveFactory.create()
    staff = akimat_user(here.settlement.okrug)
    assert list(selectors.moves_for(staff)) == [here]
    assert list(selectors.moves_for(UserFactory.create())) == []
    assert len(selectors.moves_for(SuperuserFactory.create())) == 2


def test_due_retention_checks_are_the_marks_reached_and_not_yet_checked() -> None:
    today = datetime.date(2026, 6, 15)
    seven_months = MoveFactory.create(moved_on=datetime.date(2025, 11, 10))
    thirteen_months = MoveFactory.create(moved_on=datetime.date(2025, 5, 1))
    MoveFactory.create(moved_on=datetime.date(2026, 1, 10))  # five months: nothing due
    due = selectors.due_retention_checks(today)
    assert [(item.move, item.months, item.due_on) for item in due] == [
        (thirteen_months, 6, datetime.date(2025, 11, 1)),
        (thirteen_months, 12, datetime.date(2026, 5, 1)),
        (seven_months, 6, datetime.date(2026, 5, 10)),
    ]
    assert Application.objects.count() == 3
