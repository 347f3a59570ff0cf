"""Every write: offers, applicants with consent, the application's state machine, moves, retention
checks, the daily expiry; refusals by code and the audit rows each act leaves."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from kenes.accounts.tests.factories import UserFactory
from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry
from kenes.relocation import services
from kenes.relocation.models import Applicant, Application, Move, Offer, RetentionCheck
from kenes.relocation.services import MemberData, OfferData
from kenes.relocation.tests.factories import (
    ApplicationFactory,
    EmployerFactory,
    MoveFactory,
    akimat_user,
    employer_user,
    family_applicant,
    profession,
    support_offer,
    vacancy_offer,
)
from kenes.territory.models import Settlement
from kenes.territory.tests.factories import SettlementFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
S = Application.Status


def refused(code: str, status: int | None = None) -> Any:
    class Check:
        def __enter__(self) -> None:
            self.raises = pytest.raises(DomainError)
            self.info = self.raises.__enter__()

        def __exit__(self, *exc: Any) -> bool:
            handled = self.raises.__exit__(*exc)
            assert self.info.value.code == code, self.info.value.code
            if status is not None:
                assert self.info.value.status == status
            return bool(handled)

    return Check()


def audited(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def vacancy_data(**fields: Any) -> OfferData:
    values: dict[str, Any] = {
        "kind": Offer.Kind.VACANCY,
        "title": "Ветеринар керек <script>",
        "position": "Ветеринар",
        "profession": profession("veterinarian"),
        "positions": 2,
        "salary_tenge": 300_000,
        "rooms": 4,  # another kind's field: dropped
        **fields,
    }
    return OfferData(**values)


def me(**fields: Any) -> MemberData:
    values: dict[str, Any] = {"relation": "self", "full_name": "Ерлан Сериков", "birth_year": 1988, **fields}
    return MemberData(**values)


@pytest.fixture
def settlement() -> Settlement:
    return SettlementFactory.create()


@pytest.fixture
def staff(settlement: Settlement) -> Any:
    assert settlement.okrug is not None
    return akimat_user(settlement.okrug)


# Offers -------------------------------------------------------------------------------------------


def test_staff_create_a_published_vacancy_with_the_place_copied(settlement: Settlement, staff: Any) -> None:
    offer = services.create_offer(actor=staff, settlement=settlement, data=vacancy_data())
    assert offer.status == Offer.Status.PUBLISHED
    assert offer.published_at is not None
    assert (offer.okrug, offer.district) == (settlement.okrug, settlement.district)
    assert offer.rooms is None
    assert offer.employer is None
    [entry] = audited("relocation.offer_created")
    assert entry.actor == staff
    assert (entry.after or {})["positions"] == 2


def test_an_employers_vacancy_is_published_for_their_verified_employer(settlement: Settlement) -> None:
    employer = EmployerFactory.create()
    person = employer_user(employer)
    offer = services.create_offer(actor=person, settlement=settlement, data=vacancy_data())
    assert offer.employer == employer


def test_an_employer_may_not_publish_land_or_support(settlement: Settlement) -> None:
    person = employer_user(EmployerFactory.create())
    data = OfferData(kind=Offer.Kind.SUPPORT, title="Көмек", measure="microcredit", amount_mci=Decimal("10"))
    with refused("forbidden", 403):
        services.create_offer(actor=person, settlement=settlement, data=data)


def test_an_unverified_employer_may_not_publish(settlement: Settlement) -> None:
    person = employer_user(EmployerFactory.create(verified_at=None))
    with refused("forbidden", 403):
        services.create_offer(actor=person, settlement=settlement, data=vacancy_data())


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"kind": "vacancy", "position": ""}, "position_required"),
        ({"kind": "vacancy", "profession": None}, "profession_required"),
        ({"kind": "vacancy", "positions": 0}, "positions_required"),
        ({"kind": "housing", "housing_type": "house", "rooms": None, "tenure": "free"}, "rooms_required"),
        ({"kind": "housing", "housing_type": "house", "rooms": 2, "tenure": ""}, "tenure_required"),
        ({"kind": "housing", "housing_type": "castle", "rooms": 2, "tenure": "free"}, "invalid_choice"),
        ({"kind": "land", "area_hectares": None, "land_purpose": "pasture"}, "area_required"),
        ({"kind": "land", "area_hectares": Decimal("-1"), "land_purpose": "pasture"}, "area_required"),
        ({"kind": "support", "measure": "microcredit", "amount_mci": None}, "amount_required"),
        ({"kind": "support", "measure": "", "amount_mci": Decimal("5")}, "measure_required"),
        ({"kind": "castle"}, "invalid_kind"),
        ({"title": "  "}, "title_required"),
        ({"expires_on": TODAY - datetime.timedelta(days=1)}, "expires_in_past"),
    ],
)
def test_an_offer_missing_what_its_kind_needs_is_refused(
    settlement: Settlement, staff: Any, data: dict[str, Any], code: str
) -> None:
    with refused(code, 422):
        services.create_offer(actor=staff, settlement=settlement, data=vacancy_data(**data))
    assert not Offer.objects.exists()


def test_a_draft_is_published_later_and_only_once(settlement: Settlement, staff: Any) -> None:
    draft = services.create_offer(actor=staff, settlement=settlement, data=vacancy_data(), publish=False)
    assert draft.status == Offer.Status.DRAFT
    services.publish_offer(actor=staff, offer=draft)
    assert draft.status == Offer.Status.PUBLISHED
    with refused("already_published", 409):
        services.publish_offer(actor=staff, offer=draft)
    assert len(audited("relocation.offer_published")) == 1


def test_an_offer_is_edited_by_its_managers_only(settlement: Settlement, staff: Any) -> None:
    offer = services.create_offer(actor=staff, settlement=settlement, data=vacancy_data())
    services.update_offer(actor=staff, offer=offer, data=vacancy_data(positions=5, title="Екі ветеринар"))
    offer.refresh_from_db()
    assert (offer.positions, offer.title) == (5, "Екі ветеринар")
    [entry] = audited("relocation.offer_updated")
    assert ((entry.before or {})["positions"], (entry.after or {})["positions"]) == (2, 5)
    with refused("forbidden", 403):
        services.update_offer(actor=UserFactory.create(), offer=offer, data=vacancy_data())


def test_closing_needs_a_reason_and_a_closed_offer_stays_closed(settlement: Settlement, staff: Any) -> None:
    offer = services.create_offer(actor=staff, settlement=settlement, data=vacancy_data())
    with refused("reason_required", 422):
        services.close_offer(actor=staff, offer=offer, reason=" ")
    services.close_offer(actor=staff, offer=offer, reason="Filled")
    assert (offer.status, offer.closed_reason) == (Offer.Status.CLOSED, "Filled")
    assert offer.closed_at is not None
    with refused("offer_closed", 409):
        services.close_offer(actor=staff, offer=offer, reason="again")
    with refused("offer_closed", 409):
        services.update_offer(actor=staff, offer=offer, data=vacancy_data())
    assert len(audited("relocation.offer_closed")) == 1


def test_expire_offers_closes_those_past_their_last_day_once() -> None:
    past = support_offer(expires_on=TODAY - datetime.timedelta(days=1))
    last_day = support_offer(expires_on=TODAY)
    support_offer()
    assert services.expire_offers(today=TODAY) == 1
    assert services.expire_offers(today=TODAY) == 0
    past.refresh_from_db()
    last_day.refresh_from_db()
    assert (past.status, past.closed_reason) == (Offer.Status.CLOSED, "expired")
    assert last_day.status == Offer.Status.PUBLISHED
    [entry] = audited("relocation.offer_expired")
    assert entry.actor is None


def test_the_expire_offers_command_runs_the_expiry_for_a_date() -> None:
    offer = support_offer(expires_on=TODAY)
    out = StringIO()
    call_command("expire_offers", "--date", (TODAY + datetime.timedelta(days=1)).isoformat(), stdout=out)
    assert "Closed 1" in out.getvalue()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.CLOSED


# Applicants ---------------------------------------------------------------------------------------


def test_a_family_registers_with_consent_dated_now(settlement: Settlement) -> None:
    user = UserFactory.create()
    applicant = services.register_applicant(
        actor=user,
        current_city="Орал",
        members=[
            me(profession=profession("veterinarian"), seeks_work=True),
            MemberData(relation="child", full_name="Айша", birth_year=2016),
        ],
        wished_districts=[settlement.district],
        wants_land=True,
        consent=True,
    )
    assert applicant.user == user
    assert applicant.consent_given_at is not None
    assert applicant.members.count() == 2
    assert list(applicant.wished_districts.all()) == [settlement.district]
    [entry] = audited("relocation.applicant_registered")
    assert (entry.after or {})["members"] == 2
    assert "Ерлан" not in str(entry.after or {})
    assert "Айша" not in str(entry.after or {})


@pytest.mark.parametrize(
    ("members", "consent", "code"),
    [
        ([me()], False, "consent_required"),
        ([], True, "members_required"),
        ([MemberData(relation="spouse", full_name="Әйел", birth_year=1990)], True, "one_self_required"),
        ([me(), me()], True, "one_self_required"),
        ([me(birth_year=1850)], True, "invalid_birth_year"),
        ([me(full_name="")], True, "name_required"),
    ],
)
def test_registration_is_refused_without_consent_or_a_proper_household(
    members: list[MemberData], consent: bool, code: str
) -> None:
    with refused(code, 422):
        services.register_applicant(actor=UserFactory.create(), current_city="Орал", members=members, consent=consent)
    assert not Applicant.objects.exists()


def test_a_person_registers_only_once() -> None:
    applicant = family_applicant()
    with refused("already_registered", 409):
        services.register_applicant(actor=applicant.user, current_city="Ақсай", members=[me()], consent=True)


def test_updating_replaces_the_household_members() -> None:
    applicant = family_applicant([{}, {"relation": "spouse"}, {"relation": "child"}])
    services.update_applicant(
        actor=applicant.user, applicant=applicant, current_city="Ақсай", members=[me()], rooms_needed=2, consent=True
    )
    applicant.refresh_from_db()
    assert applicant.members.count() == 1
    assert (applicant.current_city, applicant.rooms_needed) == ("Ақсай", 2)
    with refused("forbidden", 403):
        services.update_applicant(
            actor=UserFactory.create(), applicant=applicant, current_city="x", members=[me()], consent=True
        )


def test_withdrawing_consent_hides_the_family_and_withdraws_open_applications() -> None:
    applicant = family_applicant(open_to_offers=True)
    open_one = ApplicationFactory.create(applicant=applicant, status=S.IN_TALKS)
    declined = ApplicationFactory.create(applicant=applicant, status=S.DECLINED)
    services.withdraw_consent(actor=applicant.user, applicant=applicant)
    assert applicant.consent_withdrawn_at is not None
    assert applicant.open_to_offers is False
    open_one.refresh_from_db()
    declined.refresh_from_db()
    assert (open_one.status, declined.status) == (S.WITHDRAWN, S.DECLINED)
    assert list(open_one.events.values_list("status", flat=True)) == [S.WITHDRAWN]
    with refused("consent_already_withdrawn", 409):
        services.withdraw_consent(actor=applicant.user, applicant=applicant)
    with refused("consent_withdrawn", 422):
        services.apply_to_offer(actor=applicant.user, offer=support_offer())


def test_consent_given_again_on_update_is_renewed() -> None:
    applicant = family_applicant()
    services.withdraw_consent(actor=applicant.user, applicant=applicant)
    services.update_applicant(
        actor=applicant.user, applicant=applicant, current_city="Орал", members=[me()], consent=True
    )
    applicant.refresh_from_db()
    assert applicant.consent_withdrawn_at is None


# Applications -------------------------------------------------------------------------------------


def test_an_applicant_applies_once_with_an_event_and_an_audit_row() -> None:
    applicant = family_applicant()
    offer = vacancy_offer()
    application = services.apply_to_offer(actor=applicant.user, offer=offer, message="Сәлем")
    assert (application.status, application.message) == (S.APPLIED, "Сәлем")
    assert list(application.events.values_list("status", flat=True)) == [S.APPLIED]
    assert len(audited("relocation.applied")) == 1
    with refused("already_applied", 409):
        services.apply_to_offer(actor=applicant.user, offer=offer)


def test_applying_needs_a_profile_and_an_open_offer() -> None:
    with refused("no_applicant_profile", 422):
        services.apply_to_offer(actor=UserFactory.create(), offer=vacancy_offer())
    user = family_applicant().user
    with refused("offer_closed", 409):
        services.apply_to_offer(actor=user, offer=vacancy_offer(status=Offer.Status.CLOSED))
    with refused("offer_closed", 409):
        services.apply_to_offer(actor=user, offer=vacancy_offer(expires_on=TODAY - datetime.timedelta(days=1)))


@pytest.fixture
def application() -> Application:
    return ApplicationFactory.create(applicant=family_applicant())


def test_the_owner_takes_an_application_through_talks_to_acceptance(application: Application) -> None:
    owner = application.offer.published_by
    services.advance_application(actor=owner, application=application, status=S.IN_TALKS)
    services.advance_application(actor=owner, application=application, status=S.ACCEPTED)
    assert application.status == S.ACCEPTED
    assert list(application.events.values_list("status", flat=True)) == [S.IN_TALKS, S.ACCEPTED]
    entries = audited("relocation.application_advanced")
    assert [((entry.before or {})["status"], (entry.after or {})["status"]) for entry in entries] == [
        (S.APPLIED, S.IN_TALKS),
        (S.IN_TALKS, S.ACCEPTED),
    ]


def test_declining_needs_a_reason(application: Application) -> None:
    owner = application.offer.published_by
    with refused("reason_required", 422):
        services.advance_application(actor=owner, application=application, status=S.DECLINED)
    services.advance_application(actor=owner, application=application, status=S.DECLINED, reason="No housing")
    assert (application.status, application.decided_reason) == (S.DECLINED, "No housing")


@pytest.mark.parametrize(
    ("start", "target", "who"),
    [
        (S.APPLIED, S.ACCEPTED, "owner"),
        (S.APPLIED, S.MOVED, "owner"),
        (S.IN_TALKS, S.APPLIED, "owner"),
        (S.ACCEPTED, S.DECLINED, "owner"),
        (S.DECLINED, S.IN_TALKS, "owner"),
        (S.APPLIED, S.WITHDRAWN, "owner"),
        (S.APPLIED, S.IN_TALKS, "applicant"),
        (S.IN_TALKS, S.ACCEPTED, "applicant"),
        (S.WITHDRAWN, S.WITHDRAWN, "applicant"),
        (S.MOVED, S.WITHDRAWN, "applicant"),
        (S.DECLINED, S.WITHDRAWN, "applicant"),
    ],
)
def test_illegal_steps_are_refused(start: str, target: str, who: str) -> None:
    application = ApplicationFactory.create(applicant=family_applicant(), status=start)
    actor = application.offer.published_by if who == "owner" else application.applicant.user
    with refused("illegal_transition", 409):
        services.advance_application(actor=actor, application=application, status=target, reason="why")
    application.refresh_from_db()
    assert application.status == start


@pytest.mark.parametrize("start", [S.APPLIED, S.IN_TALKS, S.ACCEPTED])
def test_the_applicant_withdraws_an_open_application(start: str) -> None:
    application = ApplicationFactory.create(applicant=family_applicant(), status=start)
    services.advance_application(actor=application.applicant.user, application=application, status=S.WITHDRAWN)
    assert application.status == S.WITHDRAWN


def test_a_stranger_may_not_advance_an_application(application: Application) -> None:
    with refused("forbidden", 403):
        services.advance_application(actor=UserFactory.create(), application=application, status=S.IN_TALKS)


# Moves and retention --------------------------------------------------------------------------------


@pytest.fixture
def accepted() -> Application:
    return ApplicationFactory.create(applicant=family_applicant(), status=S.ACCEPTED)


def test_a_move_is_recorded_for_an_accepted_application(accepted: Application) -> None:
    owner = accepted.offer.published_by
    moved_on = TODAY - datetime.timedelta(days=3)
    move = services.record_move(
        actor=owner, application=accepted, moved_on=moved_on, household_size=4, children=2, employed=1
    )
    assert (move.settlement, move.district, move.okrug) == (
        accepted.offer.settlement,
        accepted.offer.district,
        accepted.offer.okrug,
    )
    assert (move.household_size, move.children, move.employed, move.status) == (4, 2, 1, Move.Status.STAYING)
    accepted.refresh_from_db()
    assert accepted.status == S.MOVED
    assert list(accepted.events.values_list("status", flat=True)) == [S.MOVED]
    [entry] = audited("relocation.move_recorded")
    assert (entry.after or {})["household_size"] == 4
    with refused("already_moved", 409):
        services.record_move(actor=owner, application=accepted, moved_on=moved_on, household_size=4)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"household_size": 0}, "invalid_household_size"),
        ({"household_size": 2, "children": 3}, "invalid_children"),
        ({"household_size": 2, "employed": 3}, "invalid_employed"),
        ({"household_size": 2, "moved_on": TODAY + datetime.timedelta(days=1)}, "date_in_future"),
    ],
)
def test_a_move_with_impossible_figures_is_refused(accepted: Application, fields: dict[str, Any], code: str) -> None:
    values = {"moved_on": TODAY, **fields}
    with refused(code, 422):
        services.record_move(actor=accepted.offer.published_by, application=accepted, **values)


def test_only_an_accepted_application_ends_in_a_move(application: Application) -> None:
    with refused("not_accepted", 409):
        services.record_move(
            actor=application.offer.published_by, application=application, moved_on=TODAY, household_size=2
        )


def test_a_stranger_may_not_record_a_move(accepted: Application) -> None:
    with refused("forbidden", 403):
        services.record_move(actor=UserFactory.create(), application=accepted, moved_on=TODAY, household_size=2)


def _move(moved_on: datetime.date) -> tuple[Move, Any]:
    move = MoveFactory.create(moved_on=moved_on)
    return move, akimat_user(move.settlement.okrug)


def test_a_family_still_there_at_six_months_is_recorded() -> None:
    move, staff = _move(datetime.date(2025, 1, 15))
    check = services.record_retention(
        actor=staff, move=move, months=6, still_there=True, checked_on=datetime.date(2025, 7, 15)
    )
    assert (check.months, check.still_there, check.checked_by) == (6, True, staff)
    assert move.status == Move.Status.STAYING
    [entry] = audited("relocation.retention_recorded")
    assert (entry.after or {})["still_there"] is True
    with refused("already_checked", 409):
        services.record_retention(actor=staff, move=move, months=6, still_there=True)


def test_a_check_before_the_mark_is_too_early() -> None:
    move, staff = _move(datetime.date(2025, 1, 15))
    with refused("too_early", 422):
        services.record_retention(
            actor=staff, move=move, months=12, still_there=True, checked_on=datetime.date(2026, 1, 14)
        )
    assert not RetentionCheck.objects.exists()


def test_a_family_that_left_needs_a_reason_and_the_move_becomes_left() -> None:
    move, staff = _move(datetime.date(2025, 1, 15))
    on = datetime.date(2026, 1, 20)
    with refused("reason_required", 422):
        services.record_retention(actor=staff, move=move, months=12, still_there=False, checked_on=on)
    services.record_retention(actor=staff, move=move, months=12, still_there=False, checked_on=on, reason="No school")
    move.refresh_from_db()
    assert (move.status, move.left_on, move.left_reason) == (Move.Status.LEFT, on, "No school")
    with refused("already_left", 409):
        services.record_retention(actor=staff, move=move, months=6, still_there=True, checked_on=on)


@pytest.mark.parametrize(("months", "code"), [(3, "invalid_months"), (24, "invalid_months")])
def test_checks_are_made_at_six_or_twelve_months(months: int, code: str) -> None:
    move, staff = _move(datetime.date(2023, 1, 15))
    with refused(code, 422):
        services.record_retention(actor=staff, move=move, months=months, still_there=True)


def test_only_staff_record_retention() -> None:
    move, _staff = _move(datetime.date(2024, 1, 15))
    with refused("forbidden", 403):
        services.record_retention(actor=move.recorded_by, move=move, months=6, still_there=True)
