"""The council services: what they write, what they audit, and what they refuse."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone, translation

from kenes.accounts.tests.factories import SuperuserFactory, UserFactory
from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry
from kenes.councils import services
from kenes.councils.composition import DEFAULT_SEAT_RULES, DEFAULT_SIZE_BANDS
from kenes.councils.models import Charter, Coordinator, Council, Member, SeatGroup
from kenes.councils.selectors import composition_of
from kenes.councils.tests.factories import (
    CharterFactory,
    CoordinatorFactory,
    CouncilFactory,
    MemberFactory,
    PilotFactory,
    complete_council,
    years_before,
)
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory, SettlementFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = TODAY - datetime.timedelta(days=365)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def root():
    return SuperuserFactory.create()


@pytest.fixture
def council():
    return CouncilFactory.create()


def refusal(code: str):
    """Expects a DomainError with this code (used as `with refusal("x"):`)."""

    class _Expect:
        def __enter__(self):
            self._raises = pytest.raises(DomainError)
            self.info = self._raises.__enter__()
            return self.info

        def __exit__(self, *exc):
            handled = self._raises.__exit__(*exc)
            assert self.info.value.code == code, self.info.value.code
            return handled

    return _Expect()


def last_audit() -> Any:
    """The newest audit row (typed loosely: its `before`/`after` are JSON)."""
    return AuditEntry.objects.latest("id")


# Charters ---------------------------------------------------------------------------------------


def test_a_new_charter_has_the_default_seat_rules_and_sizes(root):
    region = RegionFactory.create()

    charter = services.create_charter(actor=root, name="  Ереже <script>  ", region=region, notice_days=7)

    assert (charter.name, charter.version, charter.region, charter.notice_days) == ("Ереже <script>", 1, region, 7)
    assert (charter.term_years, charter.quorum_percent, charter.answer_working_days) == (4, 50, 15)
    assert (charter.youth_age_min, charter.youth_age_max, charter.members_per_settlement) == (14, 35, 1)
    assert [(r.group, r.min_seats, r.max_seats) for r in charter.seat_rules.order_by("id")] == [
        (r.group, r.min_seats, r.max_seats) for r in DEFAULT_SEAT_RULES
    ]
    assert [(b.population_from, b.population_to, b.min_members, b.max_members) for b in charter.size_bands.all()] == [
        (0, 10_000, 5, 10),
        (10_001, 15_000, 11, 15),
        (15_001, 20_000, 16, 20),
        (20_001, None, 21, 25),
    ]
    assert len(DEFAULT_SIZE_BANDS) == 4
    entry = last_audit()
    assert (entry.action, entry.actor, entry.target_id) == ("council.charter_created", root, str(charter.pk))
    assert entry.after["notice_days"] == 7


@pytest.mark.parametrize(
    "values",
    [
        {"quorum_percent": 0},
        {"quorum_percent": 101},
        {"term_years": 11},
        {"answer_working_days": 0},
        {"support_threshold": 0},
        {"youth_age_min": 36, "youth_age_max": 35},
        {"majority_rule": "loudest"},
        {"locked_at": timezone.now()},
    ],
)
def test_a_charter_with_impossible_values_is_refused(root, values):
    with refusal("invalid_charter"):
        services.create_charter(actor=root, name="Ереже", **values)

    assert not Charter.objects.exists()


def test_a_charter_needs_a_name(root):
    with refusal("invalid_charter"):
        services.create_charter(actor=root, name="   ")


def test_two_charters_cannot_share_a_name(root):
    services.create_charter(actor=root, name="Ереже")

    with refusal("charter_name_taken"):
        services.create_charter(actor=root, name="Ереже")


def test_an_unused_charter_is_changed_in_place(root):
    charter = CharterFactory.create()

    updated = services.update_charter(
        actor=root,
        charter=charter,
        values={"quorum_percent": 60, "majority_rule": "of_all_members"},
        seat_rules=[
            {"group": "residents", "min_seats": 2, "max_seats": 4},
            {"group": "youth", "min_seats": 1, "max_seats": ""},
        ],
        size_bands=[
            {"population_from": 0, "population_to": 5000, "min_members": 5, "max_members": 7},
            {"population_from": 5001, "population_to": None, "min_members": 8, "max_members": 12},
        ],
    )

    charter.refresh_from_db()
    assert (charter.quorum_percent, charter.majority_rule) == (60, "of_all_members")
    assert updated.pk == charter.pk
    assert [(r.group, r.min_seats, r.max_seats) for r in charter.seat_rules.order_by("id")] == [
        ("residents", 2, 4),
        ("youth", 1, None),
    ]
    assert [(b.population_from, b.max_members) for b in charter.size_bands.all()] == [(0, 7), (5001, 12)]
    entry = last_audit()
    assert entry.action == "council.charter_updated"
    assert (entry.before["quorum_percent"], entry.after["quorum_percent"]) == (50, 60)
    assert len(entry.before["seat_rules"]) == 6
    assert len(entry.after["seat_rules"]) == 2


def test_leaving_rules_out_keeps_them(root):
    charter = CharterFactory.create()

    services.update_charter(actor=root, charter=charter, values={"notice_days": 3})

    assert charter.seat_rules.count() == 6
    assert charter.size_bands.count() == 4


def test_a_charter_in_use_is_never_changed(root):
    council = CouncilFactory.create()
    charter = council.charter

    with refusal("charter_locked") as info:
        services.update_charter(actor=root, charter=charter, values={"quorum_percent": 60})

    assert "create a new version" in str(info.value)
    charter.refresh_from_db()
    assert charter.quorum_percent == 50


@pytest.mark.parametrize(
    ("seat_rules", "size_bands", "code"),
    [
        ([{"group": "guild", "min_seats": 1}], None, "invalid_seat_rules"),
        ([{"group": "youth", "min_seats": 1}, {"group": "youth", "min_seats": 2}], None, "invalid_seat_rules"),
        ([{"group": "youth", "min_seats": 3, "max_seats": 2}], None, "invalid_seat_rules"),
        (None, [], "invalid_size_bands"),
        (
            None,
            [{"population_from": 0, "population_to": 100, "min_members": 5, "max_members": 4}],
            "invalid_size_bands",
        ),
        (
            None,
            [{"population_from": 0, "population_to": 100, "min_members": 0, "max_members": 4}],
            "invalid_size_bands",
        ),
        (
            None,
            [{"population_from": 50, "population_to": 10, "min_members": 1, "max_members": 4}],
            "invalid_size_bands",
        ),
        (
            None,
            [
                {"population_from": 0, "population_to": 100, "min_members": 1, "max_members": 4},
                {"population_from": 100, "population_to": None, "min_members": 5, "max_members": 9},
            ],
            "invalid_size_bands",
        ),
        (
            None,
            [
                {"population_from": 0, "population_to": None, "min_members": 1, "max_members": 4},
                {"population_from": 500, "population_to": None, "min_members": 5, "max_members": 9},
            ],
            "invalid_size_bands",
        ),
    ],
)
def test_broken_seat_rules_and_size_bands_are_refused(root, seat_rules, size_bands, code):
    charter = CharterFactory.create()

    with refusal(code):
        services.update_charter(actor=root, charter=charter, values={}, seat_rules=seat_rules, size_bands=size_bands)

    assert charter.seat_rules.count() == 6
    assert charter.size_bands.count() == 4


def test_a_new_version_copies_the_charter_and_can_be_changed(root):
    council = CouncilFactory.create()
    old = council.charter

    new = services.create_charter_version(actor=root, charter=old)

    assert (new.name, new.version, new.previous, new.region, new.is_locked) == (
        old.name,
        2,
        old,
        old.region,
        False,
    )
    assert [(r.group, r.min_seats) for r in new.seat_rules.order_by("id")] == [
        (r.group, r.min_seats) for r in old.seat_rules.order_by("id")
    ]
    assert new.size_bands.count() == old.size_bands.count() == 4
    services.update_charter(actor=root, charter=new, values={"quorum_percent": 66})
    old.refresh_from_db()
    assert old.quorum_percent == 50
    assert last_audit().action == "council.charter_updated"
    assert AuditEntry.objects.filter(action="council.charter_version_created", target_id=str(new.pk)).exists()


def test_only_the_newest_version_gets_a_successor(root):
    old = CharterFactory.create()
    services.create_charter_version(actor=root, charter=old)

    with refusal("charter_has_next_version"):
        services.create_charter_version(actor=root, charter=old)


# Pilots -----------------------------------------------------------------------------------------


def test_a_pilot_covers_a_district_with_comparison_districts(root):
    district = DistrictFactory.create()
    comparison = DistrictFactory.create(region=district.region)
    charter = CharterFactory.create(region=district.region)

    pilot = services.create_pilot(
        actor=root,
        name="Пилот <script>",
        charter=charter,
        starts_on=datetime.date(2025, 4, 1),
        ends_on=datetime.date(2027, 12, 31),
        district=district,
        comparison_districts=[comparison],
        is_demo=True,
    )

    assert (pilot.district, pilot.charter, pilot.is_demo) == (district, charter, True)
    assert list(pilot.comparison_districts.all()) == [comparison]
    assert last_audit().action == "council.pilot_created"
    assert last_audit().after["comparison_districts"] == [comparison.kato]


def test_a_pilot_may_list_okrugs_instead_of_a_district(root):
    first = OkrugFactory.create()
    okrugs = [first, OkrugFactory.create(district=first.district)]

    pilot = services.create_pilot(
        actor=root, name="Пилот", charter=CharterFactory.create(), starts_on=TODAY, okrugs=okrugs
    )

    assert pilot.district is None
    assert set(pilot.okrugs.all()) == set(okrugs)


def test_a_pilot_needs_a_territory(root):
    with refusal("pilot_needs_territory"):
        services.create_pilot(actor=root, name="Пилот", charter=CharterFactory.create(), starts_on=TODAY)


def test_a_pilot_okrug_must_be_in_its_district(root):
    with refusal("okrug_outside_district"):
        services.create_pilot(
            actor=root,
            name="Пилот",
            charter=CharterFactory.create(),
            starts_on=TODAY,
            district=DistrictFactory.create(),
            okrugs=[OkrugFactory.create()],
        )


def test_a_pilot_runs_in_one_oblast(root):
    with refusal("pilot_in_many_regions"):
        services.create_pilot(
            actor=root,
            name="Пилот",
            charter=CharterFactory.create(),
            starts_on=TODAY,
            okrugs=[OkrugFactory.create(), OkrugFactory.create()],
        )


def test_the_pilot_district_cannot_be_its_own_comparison(root):
    district = DistrictFactory.create()

    with refusal("comparison_is_pilot_district"):
        services.create_pilot(
            actor=root,
            name="Пилот",
            charter=CharterFactory.create(),
            starts_on=TODAY,
            district=district,
            comparison_districts=[district],
        )


def test_a_pilot_cannot_use_another_oblasts_charter_or_end_before_it_starts(root):
    district = DistrictFactory.create()
    with refusal("charter_of_other_region"):
        services.create_pilot(
            actor=root, name="Пилот", charter=CharterFactory.create(region=RegionFactory.create()), starts_on=TODAY,
            district=district,
        )  # fmt: skip
    with refusal("invalid_dates"):
        services.create_pilot(
            actor=root,
            name="Пилот",
            charter=CharterFactory.create(),
            starts_on=TODAY,
            ends_on=TODAY - datetime.timedelta(days=1),
            district=district,
        )


def test_pilot_names_are_unique(root):
    pilot = PilotFactory.create()

    with refusal("pilot_name_taken"):
        services.create_pilot(
            actor=root, name=pilot.name, charter=pilot.charter, starts_on=TODAY, district=pilot.district
        )


# Establishing a council -------------------------------------------------------------------------


def test_establishing_a_council_locks_the_pilots_charter(root):
    pilot = PilotFactory.create()
    okrug = OkrugFactory.create(district=pilot.district)

    council = services.establish_council(
        actor=root,
        okrug=okrug,
        established_on=TODAY,
        pilot=pilot,
        population=8400,
        population_year=2025,
        population_source="  Ұлттық статистика бюросы  ",
    )

    assert (council.okrug, council.charter, council.pilot, council.status) == (okrug, pilot.charter, pilot, "forming")
    assert (council.population, council.population_year, council.population_source) == (
        8400,
        2025,
        "Ұлттық статистика бюросы",
    )
    pilot.charter.refresh_from_db()
    assert pilot.charter.is_locked
    entry = last_audit()
    assert (entry.action, entry.after["okrug"], entry.after["population"]) == ("council.established", okrug.kato, 8400)


def test_an_okrug_has_one_council(root):
    council = CouncilFactory.create()

    with refusal("council_exists"):
        services.establish_council(actor=root, okrug=council.okrug, established_on=TODAY, charter=council.charter)


def test_an_okrug_outside_the_pilot_is_refused(root):
    pilot = PilotFactory.create()

    with refusal("okrug_outside_pilot"):
        services.establish_council(actor=root, okrug=OkrugFactory.create(), established_on=TODAY, pilot=pilot)


def test_a_council_needs_a_charter_of_its_oblast(root):
    okrug = OkrugFactory.create()
    with refusal("charter_required"):
        services.establish_council(actor=root, okrug=okrug, established_on=TODAY)
    with refusal("charter_of_other_region"):
        services.establish_council(
            actor=root, okrug=okrug, established_on=TODAY, charter=CharterFactory.create(region=RegionFactory.create())
        )

    national = CharterFactory.create(region=None)
    assert (
        services.establish_council(actor=root, okrug=okrug, established_on=TODAY, charter=national).charter == national
    )


def test_a_population_needs_its_year(root):
    with refusal("population_year_required"):
        services.establish_council(
            actor=root,
            okrug=OkrugFactory.create(),
            established_on=TODAY,
            charter=CharterFactory.create(),
            population=10,
        )


def test_a_retired_okrug_gets_no_council(root):
    okrug = OkrugFactory.create(retired_at=timezone.now())

    with refusal("okrug_retired"):
        services.establish_council(actor=root, okrug=okrug, established_on=TODAY, charter=CharterFactory.create())


def test_the_population_can_be_entered_and_cleared(root, council):
    services.set_council_population(actor=root, council=council, population=8400, year=2025, source="Әкімдік")
    council.refresh_from_db()
    assert (council.population, council.population_year, council.population_source) == (8400, 2025, "Әкімдік")
    assert last_audit().after == {"population": 8400, "year": 2025, "source": "Әкімдік"}

    services.set_council_population(actor=root, council=council, population=None, year=2025)
    council.refresh_from_db()
    assert (council.population, council.population_year) == (None, None)


# Members ----------------------------------------------------------------------------------------


def test_appointing_a_member_gives_a_term_of_the_charters_length(root, council):
    settlement = SettlementFactory.create(okrug=council.okrug)
    person = UserFactory.create()

    member = services.appoint_member(
        actor=root,
        council=council,
        full_name="  Асқар <script> Бекұлы ",
        seat_group=SeatGroup.RESIDENTS,
        settlement=settlement,
        term_start=datetime.date(2024, 2, 29),
        role="chair",
        user=person,
        birth_date=datetime.date(1980, 1, 1),
        organisation="«Ауыл» ҚБ",
    )

    assert (member.full_name, member.role, member.status) == ("Асқар <script> Бекұлы", "chair", "active")
    assert member.term_end == datetime.date(2028, 2, 29)
    entry = last_audit()
    assert (entry.action, entry.actor, entry.target_id) == ("council.member_appointed", root, str(member.pk))
    assert entry.after["seat_group"] == "residents"
    assert entry.after["settlement"] == settlement.kato
    assert "birth_date" not in entry.after


def test_a_term_from_the_29th_of_february_ends_on_the_28th(root, council):
    council.charter.term_years = 3
    council.charter.save()

    member = services.appoint_member(
        actor=root, council=council, full_name="Асқар", seat_group="business", term_start=datetime.date(2024, 2, 29)
    )

    assert member.term_end == datetime.date(2027, 2, 28)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"full_name": "  "}, "invalid_member"),
        ({"seat_group": "guild"}, "invalid_seat_group"),
        ({"role": "king"}, "invalid_role"),
        ({"seat_group": "residents"}, "settlement_required"),
        ({"birth_date": TODAY}, "invalid_birth_date"),
        ({"term_end": LAST_YEAR}, "invalid_term"),
    ],
)
def test_an_impossible_appointment_is_refused(root, council, changes, code):
    values = {"full_name": "Асқар", "seat_group": "business", "term_start": TODAY, **changes}

    with refusal(code):
        services.appoint_member(actor=root, council=council, **values)

    assert not Member.objects.exists()


def test_a_settlement_of_another_okrug_is_refused(root, council):
    with refusal("settlement_outside_okrug"):
        services.appoint_member(
            actor=root,
            council=council,
            full_name="Асқар",
            seat_group="residents",
            settlement=SettlementFactory.create(),
            term_start=TODAY,
        )


@pytest.mark.parametrize("role", ["chair", "deputy_chair", "secretary"])
def test_an_officers_role_has_one_holder(root, council, role):
    MemberFactory.create(council=council, role=role)

    with refusal("role_taken") as info:
        services.appoint_member(
            actor=root, council=council, full_name="Асқар", seat_group="business", term_start=TODAY, role=role
        )

    assert "already holds this role" in str(info.value)
    with translation.override("kk"):
        assert str(info.value).startswith("Бұл рөлді кеңестің басқа мүшесі атқарып отыр")


def test_many_members_share_the_member_role(root, council):
    for n in range(3):
        services.appoint_member(
            actor=root, council=council, full_name=f"Мүше {n}", seat_group="other", term_start=TODAY
        )

    assert council.members.count() == 3


def test_a_person_holds_one_seat(root, council):
    person = UserFactory.create()
    MemberFactory.create(council=council, user=person)

    with refusal("already_member"):
        services.appoint_member(
            actor=root, council=council, full_name="Асқар", seat_group="business", term_start=TODAY, user=person
        )


def test_the_database_backs_the_one_chair_rule_when_the_check_is_raced(root, council, monkeypatch):
    """Two requests both see no chair; the second insert hits the constraint and gets the same answer."""
    MemberFactory.create(council=council, role="chair")
    real_check = services._seat_conflict
    calls = []

    def raced(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real_check(**kwargs)

    monkeypatch.setattr(services, "_seat_conflict", raced)

    with refusal("role_taken"):
        services.appoint_member(
            actor=root, council=council, full_name="Асқар", seat_group="business", term_start=TODAY, role="chair"
        )

    assert council.members.filter(role="chair").count() == 1


def test_the_database_backs_the_one_seat_per_person_rule_when_the_check_is_raced(root, council, monkeypatch):
    person = UserFactory.create()
    MemberFactory.create(council=council, user=person)
    real_check = services._seat_conflict
    calls = []

    def raced(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real_check(**kwargs)

    monkeypatch.setattr(services, "_seat_conflict", raced)

    with refusal("already_member"):
        services.appoint_member(
            actor=root, council=council, full_name="Асқар", seat_group="business", term_start=TODAY, user=person
        )


def test_a_dissolved_council_takes_no_members(root, council):
    council.status = Council.Status.DISSOLVED
    council.save()

    with refusal("council_dissolved"):
        services.appoint_member(actor=root, council=council, full_name="Асқар", seat_group="other", term_start=TODAY)


def test_a_role_is_changed_and_audited(root, council):
    member = MemberFactory.create(council=council)

    services.change_member_role(actor=root, member=member, role="secretary")

    member.refresh_from_db()
    assert member.role == "secretary"
    entry = last_audit()
    assert (entry.action, entry.before["role"], entry.after["role"]) == (
        "council.member_role_changed",
        "member",
        "secretary",
    )


def test_changing_to_the_same_role_writes_nothing(root, council):
    member = MemberFactory.create(council=council, role="secretary")
    rows = AuditEntry.objects.count()

    services.change_member_role(actor=root, member=member, role="secretary")

    assert AuditEntry.objects.count() == rows


def test_a_taken_role_cannot_be_given_to_another_member(root, council):
    MemberFactory.create(council=council, role="chair")
    member = MemberFactory.create(council=council)

    with refusal("role_taken"):
        services.change_member_role(actor=root, member=member, role="chair")
    with refusal("invalid_role"):
        services.change_member_role(actor=root, member=member, role="king")


def test_a_resignation_ends_the_seat_and_keeps_the_row(root, council):
    chair = MemberFactory.create(council=council, role="chair")

    services.resign_member(actor=root, member=chair, on=TODAY, reason=" Басқа ауылға көшті <script> ")

    chair.refresh_from_db()
    assert (chair.status, chair.ended_on, chair.end_reason) == ("resigned", TODAY, "Басқа ауылға көшті <script>")
    assert Member.objects.filter(pk=chair.pk).exists()
    assert last_audit().action == "council.member_resigned"
    # The role is free again.
    services.appoint_member(
        actor=root, council=council, full_name="Жаңа төраға", seat_group="other", term_start=TODAY, role="chair"
    )


def test_a_seat_ends_once(root, council):
    member = MemberFactory.create(council=council)
    services.resign_member(actor=root, member=member, on=TODAY, reason="")

    with refusal("member_not_active"):
        services.resign_member(actor=root, member=member, on=TODAY, reason="")
    with refusal("member_not_active"):
        services.change_member_role(actor=root, member=member, role="chair")


def test_a_seat_cannot_end_before_it_began_or_in_the_future(root, council):
    member = MemberFactory.create(council=council)

    with refusal("invalid_date"):
        services.resign_member(actor=root, member=member, on=member.term_start - datetime.timedelta(days=1), reason="")
    with refusal("invalid_date"):
        services.resign_member(actor=root, member=member, on=TODAY + datetime.timedelta(days=1), reason="")


def test_a_replacement_takes_the_role_for_the_rest_of_the_term(root, council):
    old = MemberFactory.create(council=council, role="chair", seat_group="youth")
    settlement = SettlementFactory.create(okrug=council.okrug)

    new = services.replace_member(
        actor=root,
        member=old,
        on=TODAY,
        reason="Денсаулығына байланысты",
        full_name="Жаңа <script>",
        seat_group="residents",
        settlement=settlement,
    )

    old.refresh_from_db()
    assert (old.status, old.ended_on, old.replaced_by) == ("replaced", TODAY, new)
    assert (new.role, new.term_start, new.term_end, new.settlement) == ("chair", TODAY, old.term_end, settlement)
    entry = last_audit()
    assert (entry.action, entry.before["full_name"], entry.after["full_name"]) == (
        "council.member_replaced",
        old.full_name,
        "Жаңа <script>",
    )
    assert council.members.count() == 2


def test_a_replacement_may_take_another_role(root, council):
    old = MemberFactory.create(council=council, role="chair")

    new = services.replace_member(
        actor=root, member=old, on=TODAY, reason="", full_name="Жаңа", seat_group="other", role="member"
    )

    assert new.role == "member"


def test_a_refused_replacement_leaves_the_old_member_serving(root, council):
    old = MemberFactory.create(council=council, role="chair")

    with refusal("settlement_required"):
        services.replace_member(actor=root, member=old, on=TODAY, reason="", full_name="Жаңа", seat_group="residents")

    old.refresh_from_db()
    assert old.is_active
    assert council.members.count() == 1


def test_expired_terms_end_on_their_end_date(root, council):
    expired = MemberFactory.create(
        council=council, term_start=datetime.date(2020, 1, 1), term_end=datetime.date(2024, 1, 1)
    )
    ends_today = MemberFactory.create(council=council, term_start=datetime.date(2022, 1, 1), term_end=TODAY)
    serving = MemberFactory.create(council=council)

    assert services.end_expired_terms(actor=root, council=council, today=TODAY) == 2

    expired.refresh_from_db()
    ends_today.refresh_from_db()
    serving.refresh_from_db()
    assert (expired.status, expired.ended_on) == ("term_ended", datetime.date(2024, 1, 1))
    assert (ends_today.status, ends_today.ended_on) == ("term_ended", TODAY)
    assert serving.is_active
    assert AuditEntry.objects.filter(action="council.member_term_ended").count() == 2
    assert services.end_expired_terms(actor=root, council=council, today=TODAY) == 0


# Coordinators -----------------------------------------------------------------------------------


def test_a_coordinator_deputy_is_assigned_and_ends(root, council):
    coordinator = services.assign_coordinator(
        actor=root,
        council=council,
        full_name=" Депутат <script> ",
        maslikhat="Жаңақала аудандық мәслихаты",
        constituency="№ 5",
        started_on=LAST_YEAR,
    )
    assert (coordinator.full_name, coordinator.is_active) == ("Депутат <script>", True)
    assert last_audit().action == "council.coordinator_assigned"
    assert not any(problem.code == "no_coordinator" for problem in composition_of(council))

    services.end_coordination(actor=root, coordinator=coordinator, on=TODAY)

    coordinator.refresh_from_db()
    assert coordinator.ended_on == TODAY
    assert last_audit().action == "council.coordination_ended"
    assert any(problem.code == "no_coordinator" for problem in composition_of(council))
    assert Coordinator.objects.filter(pk=coordinator.pk).exists()


def test_a_coordinator_needs_a_name_and_a_maslikhat(root, council):
    with refusal("invalid_coordinator"):
        services.assign_coordinator(actor=root, council=council, full_name="Депутат", maslikhat=" ", started_on=TODAY)


def test_a_deputy_coordinates_a_council_once_at_a_time(root, council):
    deputy = UserFactory.create()
    CoordinatorFactory.create(council=council, user=deputy)

    with refusal("already_coordinator"):
        services.assign_coordinator(
            actor=root, council=council, full_name="Депутат", maslikhat="Мәслихат", started_on=TODAY, user=deputy
        )


def test_a_coordination_ends_once_and_not_before_it_began(root, council):
    coordinator = CoordinatorFactory.create(council=council, started_on=TODAY)

    with refusal("invalid_date"):
        services.end_coordination(actor=root, coordinator=coordinator, on=TODAY - datetime.timedelta(days=1))
    services.end_coordination(actor=root, coordinator=coordinator, on=TODAY)
    with refusal("coordinator_not_active"):
        services.end_coordination(actor=root, coordinator=coordinator, on=TODAY)


def test_a_council_built_through_the_services_passes_its_composition_check(root):
    """The whole story: establish, enter people, until the check is empty."""
    pilot = PilotFactory.create()
    okrug = OkrugFactory.create(district=pilot.district)
    dariya = SettlementFactory.create(okrug=okrug, population=1800, population_year=2025, name_kk="Дария")
    karasu = SettlementFactory.create(okrug=okrug, population=600, population_year=2025)
    council = services.establish_council(actor=root, okrug=okrug, established_on=LAST_YEAR, pilot=pilot)
    assert "settlement_without_member" in [p.code for p in composition_of(council)]

    def appoint(name, group, **extra):
        return services.appoint_member(
            actor=root, council=council, full_name=name, seat_group=group, term_start=LAST_YEAR, **extra
        )

    appoint("Төраға", "residents", settlement=dariya, role="chair")
    appoint("Қарасулық", "residents", settlement=karasu)
    appoint("Хатшы", "public_associations", role="secretary")
    appoint("Кәсіпкер", "business")
    appoint("Жас", "youth", birth_date=years_before(TODAY, 20))
    assert [p.code for p in composition_of(council)] == ["group_below_minimum", "no_coordinator"]
    appoint("Ардагер", "veterans")
    services.assign_coordinator(
        actor=root, council=council, full_name="Депутат", maslikhat="Мәслихат", started_on=LAST_YEAR
    )

    assert composition_of(council) == []


# Activation -------------------------------------------------------------------------------------


def test_a_complete_council_is_declared_active(root):
    council = complete_council()

    services.activate_council(actor=root, council=council)

    council.refresh_from_db()
    assert council.status == Council.Status.ACTIVE
    assert last_audit().action == "council.activated"
    assert last_audit().after == {"status": "active"}


def test_an_incomplete_council_cannot_be_declared_active(root, council):
    with refusal("composition_incomplete") as refused:
        services.activate_council(actor=root, council=council)

    assert "No chair" in str(refused.value)
    council.refresh_from_db()
    assert council.status == Council.Status.FORMING


def test_an_active_council_is_not_activated_twice(root):
    council = complete_council()
    services.activate_council(actor=root, council=council)
    audit_rows = AuditEntry.objects.count()

    with refusal("not_forming"):
        services.activate_council(actor=root, council=council)
    assert AuditEntry.objects.count() == audit_rows


def test_an_outsider_cannot_activate_a_council():
    council = complete_council()

    with refusal("forbidden"):
        services.activate_council(actor=UserFactory.create(), council=council)
    council.refresh_from_db()
    assert council.status == Council.Status.FORMING
