from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone, translation

from kenes.accountability.models import Answer, Escalation, ProgressReport, RecommendationEvent
from kenes.accountability.permissions import can_answer
from kenes.accountability.selectors import extension_limit, inbox_for
from kenes.accounts.models import ResidentProfile, RoleAssignment, User
from kenes.core.calendar import add_working_days
from kenes.core.models import AuditEntry, SiteFlag
from kenes.councils.composition import age_on
from kenes.councils.models import Charter, Coordinator, Council, Member, Pilot
from kenes.councils.selectors import composition_of
from kenes.councils.tests.factories import CharterFactory, CouncilFactory
from kenes.demo.services import (
    CLUB_ROOF_TITLE,
    FOOTPATH_TITLE,
    PLAYGROUND_TITLE,
    POOL_TITLE,
    ROAD_TITLE,
    SHELTER_TITLE,
    SNOW_FEE_TITLE,
    earlier_sitting_day,
    past_sitting_day,
    upcoming_sitting_day,
)
from kenes.meetings.models import AgendaItem, Attendance, Meeting, Recommendation, Vote
from kenes.meetings.permissions import can_run_council_meetings
from kenes.meetings.selectors import quorum_of
from kenes.proposals.models import Comment, Proposal, Support, TimelineEvent
from kenes.proposals.permissions import can_submit
from kenes.relocation.models import (
    Applicant,
    Application,
    ApplicationEvent,
    Employer,
    HouseholdMember,
    Move,
    Offer,
    ProgrammeSettlement,
    RetentionCheck,
)
from kenes.relocation.money import mci_to_tenge, offer_amount_tenge
from kenes.relocation.selectors import matches_for
from kenes.territory.models import District, Okrug, Region, Settlement

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = {
    "demo-admin",
    "demo-resident",
    "demo-member",
    "demo-coordinator",
    "demo-akimat",
    "demo-district",
    "demo-oblast",
    "demo-programme",
    "demo-secretary",
    "demo-councillor-1",
    "demo-councillor-2",
    "demo-councillor-3",
}
# More residents of the demo okrug; the last lives in the okrug of the first forming council.
NEIGHBOURS = {"demo-resident-2", "demo-resident-3", "demo-resident-4", "demo-resident-5", "demo-resident-6"}
FORMING_NEIGHBOUR = "demo-resident-7"
# From City to Village: the farm's person, the family from Oral and the two families who moved earlier.
RELOCATION_USERNAMES = {"demo-employer", "demo-family", "demo-family-2", "demo-family-3"}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """A dozen accounts a run: Argon2 would make this module take half a minute."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _unit(model: Any, kato: str, kk: str, ru: str, **fields: Any) -> Any:
    return model.objects.create(
        kato=kato,
        name_kk=kk,
        name_ru=ru,
        short_name_kk=kk.split(" ")[0],
        short_name_ru=ru.split(" ")[0],
        search_text=f"{kk} {ru}".lower(),
        **fields,
    )


@pytest.fixture
def pilot_territory() -> dict[str, object]:
    """The pilot district as the classifier has it: an okrug administration and a rural okrug."""
    region = _unit(Region, "270000000", "Батыс Қазақстан облысы", "Западно-Казахстанская область")
    district = _unit(District, "274400000", "Бәйтерек ауданы", "район Бәйтерек", region=region, type_code=2)
    town = _unit(
        Okrug,
        "274420000",
        "Пример кенті әкімшілігі",
        "Поселковая администрация Пример",
        district=district,
        kind=Okrug.Kind.SETTLEMENT_ADMINISTRATION,
    )
    _unit(Settlement, "274420100", "Пример кенті", "посёлок Пример", district=district, okrug=town, is_main=True)
    okrug = _unit(Okrug, "274430000", "Переметное ауылдық округі", "Переметнинский сельский округ", district=district)
    _unit(Settlement, "274430200", "Забродино ауылы", "село Забродино", district=district, okrug=okrug)
    main = _unit(
        Settlement, "274430100", "Переметное ауылы", "село Переметное", district=district, okrug=okrug, is_main=True
    )
    return {"region": region, "district": district, "okrug": okrug, "settlement": main}


@pytest.fixture
def pilot_district(pilot_territory: dict[str, Any]) -> dict[str, Any]:
    """The pilot district with more rural okrugs (two with several villages, one with a single
    village) and one of the two comparison districts; Ақжайық is left out on purpose."""
    district = pilot_territory["district"]
    okrugs = {}
    for kato, kk, ru, villages in (
        ("274431000", "Дария а.о.", "Дарьинский с.о.", 3),
        ("274433000", "Атамекен а.о.", "с.о. Атамекен", 2),
        ("274435000", "Зеленый а.о.", "Зеленовский с.о.", 1),
        ("274439000", "Бейбітшілік а.о.", "с.о. Бейбітшілік", 4),
    ):
        okrug = _unit(Okrug, kato, kk, ru, district=district)
        for number in range(1, villages + 1):
            _unit(
                Settlement,
                f"{kato[:6]}{number}00",
                f"Ауыл{number} <script>а.",
                f"село{number}",
                district=district,
                okrug=okrug,
                is_main=number == 1,
            )
        okrugs[kato] = okrug
    terekti = _unit(District, "276200000", "Теректі ауданы", "Теректинский район", region=pilot_territory["region"])
    return {**pilot_territory, "okrugs": okrugs, "comparison": terekti}


def _councils_counts() -> tuple[int, int, int, int, int]:
    return (
        Council.objects.count(),
        Member.objects.count(),
        Coordinator.objects.count(),
        Pilot.objects.count(),
        Charter.objects.count(),
    )


def _counts() -> tuple[int, int, int, int, int]:
    return (
        User.objects.count(),
        RoleAssignment.objects.count(),
        ResidentProfile.objects.count(),
        AuditEntry.objects.count(),
        SiteFlag.objects.count(),
    )


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_it_creates_every_demo_account_labelled_as_demo_with_the_published_password(pilot_territory):
    _load()

    users = User.objects.filter(username__startswith="demo-")
    # No forming council in this territory, so its neighbour is left out.
    assert set(users.values_list("username", flat=True)) == DEMO_USERNAMES | NEIGHBOURS | RELOCATION_USERNAMES
    for user in users:
        assert user.is_demo
        assert "(демо)" in user.full_name or "(demo)" in user.full_name
        assert user.check_password("demo12345")
    admin = User.objects.get(username="demo-admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert not User.objects.filter(username__startswith="demo-", is_superuser=True).exclude(pk=admin.pk).exists()


def test_it_scopes_each_role_to_the_pilot_territory(pilot_territory):
    _load()

    def held(username: str) -> set[tuple[str, str]]:
        return {
            (assignment.role.code, assignment.scope.kato)
            for assignment in RoleAssignment.objects.filter(user__username=username).select_related(
                "role", "region", "district", "okrug"
            )
        }

    assert ("coordinator", "274430000") in held("demo-coordinator")
    assert ("akimat_staff", "274430000") in held("demo-akimat")
    assert ("council_member", "274430000") in held("demo-member")
    assert ("district_admin", "274400000") in held("demo-district")
    assert ("oblast_admin", "270000000") in held("demo-oblast")
    assert ("programme_staff", "270000000") in held("demo-programme")


def test_the_demo_resident_lives_in_the_main_village_of_a_rural_okrug_with_a_masked_iin(pilot_territory):
    _load()

    profile = ResidentProfile.objects.select_related("settlement").get(user__username="demo-resident")
    assert profile.settlement.kato == "274430100"
    assert profile.iin_masked == "9001********"
    assert "900101300017" not in profile.iin_digest


def test_a_second_run_creates_nothing_new(pilot_territory):
    _load()
    first = _counts()

    output = _load()

    assert _counts() == first
    assert "0 new demo account(s)" in output


def test_it_writes_people_and_roles_to_the_audit_log(pilot_territory):
    _load()

    demo_users = list(User.objects.filter(is_demo=True).values_list("pk", flat=True))
    audited = AuditEntry.objects.filter(target_type="accounts.user", target_id__in=[str(pk) for pk in demo_users])
    assert audited.exists()
    assert AuditEntry.objects.filter(action="demo.data_loaded").count() == 1


def test_it_prints_the_address_and_a_table_of_logins(pilot_territory, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"

    output = _load()

    assert "http://127.0.0.1:8000/" in output
    assert "demo12345" in output
    for username in DEMO_USERNAMES:
        assert username in output


def test_the_home_page_shows_the_demo_banner_once_demo_data_is_loaded(pilot_territory):
    client = Client()
    assert b"demo-banner" not in client.get("/").content

    _load()

    response = client.get("/")
    assert response.status_code == 200
    assert b"demo-banner" in response.content


def test_it_refuses_with_a_clear_message_when_the_pilot_district_is_not_loaded():
    with pytest.raises(CommandError, match=r"274400000.*import_kato"):
        _load()

    assert not User.objects.filter(username__startswith="demo-").exists()
    assert not SiteFlag.objects.filter(key="demo_data").exists()


def test_it_never_takes_over_a_real_account_that_uses_a_demo_username(pilot_territory):
    real = User.objects.create_user(username="demo-oblast", password="a-real-password-123")

    with pytest.raises(CommandError, match="demo-oblast"):
        _load()

    real.refresh_from_db()
    assert not real.is_demo
    assert real.check_password("a-real-password-123")
    assert not User.objects.filter(username="demo-resident").exists()


# Councils ---------------------------------------------------------------------------------------


def test_it_creates_a_pilot_over_the_pilot_district_with_the_comparison_districts_that_are_loaded(pilot_district):
    _load()

    pilot = Pilot.objects.get()
    assert pilot.name == "Бәйтерек ауданы пилоттық жобасы (демо)"
    assert pilot.is_demo
    assert pilot.district is not None
    assert pilot.district.kato == "274400000"
    assert pilot.starts_on == datetime.date(2026, 1, 15)
    assert pilot.ends_on == datetime.date(2027, 12, 31)
    # Ақжайық (273200000) is not in this territory, so only Теректі is compared.
    assert list(pilot.comparison_districts.values_list("kato", flat=True)) == ["276200000"]


def test_the_pilot_runs_under_a_demo_charter_of_the_oblast_with_the_order_295_defaults(pilot_district):
    _load()

    charter = Pilot.objects.get().charter
    assert charter.name == "Батыс Қазақстан облысы: кеңестің үлгі ережесі (демо)"
    assert charter.region is not None
    assert charter.region.kato == "270000000"
    assert (charter.term_years, charter.quorum_percent) == (4, 50)
    assert (charter.answer_working_days, charter.extension_limit_months) == (15, 2)
    assert charter.is_locked, "a council uses it, so it can only change through a new version"
    bands = list(charter.size_bands.values_list("population_from", "population_to", "min_members", "max_members"))
    assert bands == [(0, 10_000, 5, 10), (10_001, 15_000, 11, 15), (15_001, 20_000, 16, 20), (20_001, None, 21, 25)]


def test_the_demo_okrugs_council_meets_its_charter(pilot_district):
    _load()

    council = Council.objects.get(okrug__kato="274430000")
    assert composition_of(council) == []
    assert council.status == Council.Status.ACTIVE
    assert council.is_demo
    assert council.pilot == Pilot.objects.get()
    assert (council.population, council.population_year, council.population_source) == (6_500, 2025, "Demo figure")
    members = council.members.filter(status=Member.Status.ACTIVE)
    assert all(member.is_demo and "(демо)" in member.full_name for member in members)
    assert {member.settlement.kato for member in members if member.settlement} == {"274430100", "274430200"}
    assert {member.seat_group for member in members} >= {
        "residents",
        "public_associations",
        "business",
        "youth",
        "veterans",
    }
    youth = members.get(seat_group="youth")
    assert youth.birth_date is not None
    assert 14 <= age_on(youth.birth_date, datetime.date.today()) <= 35


def test_the_demo_accounts_hold_a_seat_and_the_coordination_of_the_demo_council(pilot_district):
    _load()

    council = Council.objects.get(okrug__kato="274430000")
    seat = Member.objects.get(user__username="demo-member")
    assert seat.council == council
    assert seat.full_name == "Ерлан Жұмабаев (демо)"
    coordinator = Coordinator.objects.get(council=council)
    assert coordinator.user is not None
    assert coordinator.user.username == "demo-coordinator"
    assert coordinator.full_name == "Гүлнар Мұратова (демо)"
    assert coordinator.maslikhat == "Бәйтерек аудандық мәслихаты"
    assert coordinator.constituency == "№ 7"
    assert coordinator.is_demo


def test_other_okrugs_with_several_villages_get_incomplete_councils_and_the_rest_none(pilot_district):
    _load()

    incomplete = Council.objects.exclude(okrug__kato="274430000")
    assert set(incomplete.values_list("okrug__kato", flat=True)) == {"274431000", "274433000"}
    for council in incomplete:
        assert council.is_demo
        assert composition_of(council), f"{council.okrug.kato} should show gaps"
    codes = {problem.code for problem in composition_of(Council.objects.get(okrug__kato="274431000"))}
    assert {"settlement_without_member", "group_below_minimum", "no_secretary"} <= codes
    # A single-village okrug is left for a district administrator to establish a council in.
    assert not Council.objects.filter(okrug__kato__in=["274435000", "274439000", "274420000"]).exists()


def test_a_second_run_changes_no_councils_members_coordinators_pilots_or_charters(pilot_district):
    _load()
    first = _councils_counts()
    assert first[0] == 3

    output = _load()

    assert _councils_counts() == first
    assert "0 new" in output


def test_it_leaves_alone_a_council_somebody_established_by_hand(pilot_district):
    okrug = pilot_district["okrugs"]["274431000"]
    charter = CharterFactory.create(region=pilot_district["region"])
    real = CouncilFactory.create(okrug=okrug, charter=charter)

    _load()

    real.refresh_from_db()
    assert not real.is_demo
    assert real.pilot is None
    assert not real.members.exists()


def test_it_prints_a_line_about_the_pilot_and_the_councils(pilot_district):
    output = _load()

    assert "Бәйтерек ауданы пилоттық жобасы (демо)" in output
    assert "Теректі ауданы" in output
    assert "3 demo council(s), 3 new; 1 meet(s) the charter, 2 still forming" in output
    assert "274430000): meets the charter" in output


# Residents and proposals ------------------------------------------------------------------------


def _proposal_counts() -> tuple[int, int, int, int, int]:
    return (
        Proposal.objects.count(),
        Support.objects.count(),
        Comment.objects.count(),
        TimelineEvent.objects.count(),
        AuditEntry.objects.count(),
    )


def test_the_demo_resident_and_the_neighbours_are_verified_residents_who_may_submit(pilot_district):
    _load()

    council = Council.objects.get(okrug__kato="274430000")
    for username in {"demo-resident"} | NEIGHBOURS:
        profile = ResidentProfile.objects.select_related("settlement", "user").get(user__username=username)
        assert profile.verified_at is not None, username
        assert profile.settlement.okrug_id == council.okrug_id
        assert profile.user.is_demo
        assert can_submit(profile.user, council), username
    # Spread over both villages of the okrug.
    settlements = ResidentProfile.objects.filter(user__username__in=NEIGHBOURS).values_list("settlement__kato")
    assert {kato for (kato,) in settlements} == {"274430100", "274430200"}
    away = ResidentProfile.objects.select_related("settlement").get(user__username=FORMING_NEIGHBOUR)
    assert away.settlement.okrug is not None
    assert away.settlement.okrug.kato == "274431000"
    assert ResidentProfile.objects.values("iin_digest").distinct().count() == ResidentProfile.objects.count()


def test_the_demo_charter_asks_for_a_demo_sized_number_of_supports(pilot_district):
    _load()

    assert Pilot.objects.get().charter.support_threshold == 5


def test_it_files_demo_proposals_in_both_languages_in_every_area_and_status(pilot_district):
    _load()

    proposals = Proposal.objects.all()
    assert proposals.count() == 16
    assert all(proposal.is_demo for proposal in proposals)
    by_status = {
        status: proposals.filter(status=status).count() for status in proposals.values_list("status", flat=True)
    }
    assert by_status == {
        "draft": 1,
        "submitted": 4,
        "collecting": 4,
        "recommended": 4,  # the four that reached the agenda, adopted at the demo's past sittings
        "returned": 1,
        "merged": 1,
        "forwarded": 1,
    }
    assert set(proposals.values_list("area", flat=True)) == {
        "development",
        "infrastructure",
        "housing_utilities",
        "household_farming",
        "social",
        "other",
    }
    assert set(proposals.values_list("language", flat=True)) == {"kk", "ru"}
    assert set(proposals.values_list("okrug__kato", flat=True)) == {"274430000", "274431000"}
    assert proposals.filter(okrug__kato="274431000", status="submitted").count() == 2


def test_the_demo_proposals_went_through_screening_supports_and_a_merge(pilot_district):
    _load()

    ready = Proposal.objects.get(status="recommended", author__username="demo-member")
    assert ready.author.username == "demo-member"
    assert ready.support_count == 5 == ready.supports.count()
    assert ready.timeline.filter(kind="ready", actor__isnull=True).exists(), "the threshold made it ready"

    water = Proposal.objects.get(title="Мектеп көшесіндегі ауыз су құбырын жөндеу")
    duplicate = Proposal.objects.get(status="merged")
    assert duplicate.merged_into == water
    # demo-resident-2 supported both and counts once; demo-resident-5 came over with the duplicate.
    assert set(water.supports.values_list("resident__username", flat=True)) == {
        "demo-resident-2",
        "demo-resident-3",
        "demo-resident-4",
        "demo-resident-5",
    }
    assert water.support_count == 4
    assert duplicate.support_count == 0

    returned = Proposal.objects.get(status="returned")
    assert returned.timeline.get(kind="returned").note.startswith("Укажите")
    forwarded = Proposal.objects.get(status="forwarded")
    assert "жолаушылар көлігі" in forwarded.forwarded_to
    for proposal in Proposal.objects.exclude(status="draft").filter(okrug__kato="274430000"):
        assert proposal.timeline.filter(kind="submitted").exists()
    screened = TimelineEvent.objects.filter(kind__in=["accepted", "returned", "forwarded", "merged"])
    assert {event.actor.username for event in screened if event.actor} == {"demo-coordinator"}


def test_one_demo_proposal_was_entered_by_the_akimat_for_a_resident(pilot_district):
    _load()

    assisted = Proposal.objects.get(entered_by__isnull=False)
    assert assisted.entered_by is not None
    assert assisted.entered_by.username == "demo-akimat"
    assert assisted.author.username == "demo-resident-6"
    assert assisted.channel == "in_person"
    assert AuditEntry.objects.filter(action="proposal.entered_on_behalf", target_id=str(assisted.pk)).exists()


def test_the_demo_discussion_has_a_reply_and_one_comment_hidden_with_a_public_reason(pilot_district):
    _load()

    assert Comment.objects.count() == 4
    reply = Comment.objects.get(parent__isnull=False)
    assert reply.author.username == "demo-resident"
    hidden = Comment.objects.get(hidden_at__isnull=False)
    assert hidden.hidden_reason
    assert hidden.hidden_by is not None
    assert hidden.hidden_by.username == "demo-coordinator"


def test_a_second_run_files_no_proposal_support_comment_or_step_twice(pilot_district):
    _load()
    first = _proposal_counts()

    output = _load()

    assert _proposal_counts() == first
    assert "Proposals: 16 demo proposal(s), 0 new" in output


def test_it_prints_the_neighbours_among_the_logins_and_a_line_about_the_proposals(pilot_district):
    output = _load()

    for username in NEIGHBOURS | {FORMING_NEIGHBOUR}:
        assert username in output
    assert "Proposals: 16 demo proposal(s), 16 new (1 draft, 4 submitted, 1 returned, 4 collecting" in output
    assert "4 recommended)" in output


# Sittings ---------------------------------------------------------------------------------------


def _sitting_counts() -> tuple[int, ...]:
    return (
        Meeting.objects.count(),
        AgendaItem.objects.count(),
        Attendance.objects.count(),
        Vote.objects.count(),
        Recommendation.objects.count(),
        Member.objects.count(),
        AuditEntry.objects.count(),
        Answer.objects.count(),
        ProgressReport.objects.count(),
        Escalation.objects.count(),
        RecommendationEvent.objects.count(),
        TimelineEvent.objects.count(),
    )


def _sitting_with(title: str) -> Meeting:
    """The closed demo sitting that had this question on its agenda."""
    return Meeting.objects.get(status="closed", items__title=title)


def _recommendation_about(title: str) -> Recommendation:
    """The recommendation adopted on the item with this title (a question's, or its proposal's)."""
    return Recommendation.objects.select_related("council__charter", "council__okrug").get(item__title=title)


def test_the_demo_councils_secretary_and_three_councillors_hold_seats_with_their_accounts(pilot_district):
    _load()

    council = Council.objects.get(okrug__kato="274430000")
    secretary = Member.objects.get(council=council, status="active", role="secretary")
    assert secretary.user is not None
    assert secretary.user.username == "demo-secretary"
    assert secretary.full_name == secretary.user.full_name == "Ольга Миронова (демо)"
    assert can_run_council_meetings(secretary.user, council)
    for number in (1, 2, 3):
        seat = Member.objects.get(council=council, status="active", user__username=f"demo-councillor-{number}")
        assert seat.user is not None
        assert seat.full_name == seat.user.full_name
        assert not can_run_council_meetings(seat.user, council)
    assert composition_of(council) == []


def test_a_past_sitting_adopted_the_ready_proposal_and_declined_a_question_with_a_reason(pilot_district):
    _load()

    past = _sitting_with(SNOW_FEE_TITLE)
    assert past.is_demo
    assert past.council.okrug.kato == "274430000"
    assert past.starts_at.date() < datetime.date.today()
    assert past.starts_at.weekday() < 5
    assert past.chair is not None
    assert past.chair.role == "chair"
    assert past.secretary is not None
    assert past.secretary.user is not None
    assert past.secretary.user.username == "demo-secretary"
    assert quorum_of(past).reached
    adopted, declined = list(past.items.order_by("position"))
    assert adopted.proposal is not None
    assert adopted.proposal.author.username == "demo-member"
    assert (adopted.outcome, adopted.votes_for, adopted.votes_abstain) == ("adopted", 4, 1)
    assert adopted.proposal.status == "recommended"
    assert set(adopted.votes.values_list("member__user__username", flat=True)) == {
        "demo-secretary",
        "demo-member",
        "demo-councillor-1",
        "demo-councillor-2",
        "demo-councillor-3",
    }
    assert declined.proposal is None
    assert (declined.outcome, declined.votes_for, declined.votes_against) == ("rejected", 1, 3)
    assert declined.decision_reason.startswith("Кеңес тұрғындардан")


def test_the_adopted_item_produced_a_numbered_recommendation_sent_with_a_working_day_due_date(pilot_district):
    _load()

    past = _sitting_with(SNOW_FEE_TITLE)
    recommendation = Recommendation.objects.get(item__meeting=past)
    assert recommendation.is_demo
    assert recommendation.number == f"274430000/{past.starts_at.year}/{recommendation.sequence}"
    # Numbered in the order the council adopted them: after the earlier sitting's five.
    numbers = list(Recommendation.objects.order_by("adopted_on", "pk").values_list("year", "sequence"))
    assert numbers == sorted(numbers)
    assert numbers[-1] == (recommendation.year, recommendation.sequence)
    assert recommendation.status == "sent"
    assert recommendation.sent_at is not None
    sent_on = timezone.localdate(recommendation.sent_at)
    assert sent_on == add_working_days(timezone.localdate(past.starts_at), 1)
    assert recommendation.due_on == add_working_days(sent_on, 15)
    assert recommendation.addressee_kind == "okrug_akim"
    assert "ойын алаңын" in recommendation.text_kk
    assert "игровой площадки" in recommendation.text_ru
    assert list(recommendation.proposals.values_list("status", flat=True)) == ["recommended"]


def test_a_sitting_next_month_is_announced_with_its_agenda(pilot_district):
    _load()

    upcoming = Meeting.objects.get(status="published")
    assert upcoming.is_demo
    today = datetime.date.today()
    starts = timezone.localdate(upcoming.starts_at)
    assert (starts.year, starts.month) == ((today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1))
    assert starts.weekday() < 5
    assert upcoming.late_notice_reason == ""
    assert upcoming.items.count() == 2
    assert not upcoming.items.exclude(vote_state="not_opened").exists()


def test_the_demo_sittings_dates_follow_the_calendar():
    assert past_sitting_day(datetime.date(2026, 11, 27)) == datetime.date(2026, 11, 6)
    assert past_sitting_day(datetime.date(2026, 11, 29)) == datetime.date(2026, 11, 6)  # a Sunday → Friday
    assert earlier_sitting_day(datetime.date(2026, 11, 27)) == datetime.date(2026, 10, 16)
    assert earlier_sitting_day(datetime.date(2026, 11, 30)) == datetime.date(2026, 10, 19)
    assert earlier_sitting_day(datetime.date(2026, 11, 29)) == datetime.date(2026, 10, 16)  # a Sunday → Friday
    assert upcoming_sitting_day(datetime.date(2026, 11, 27), 5) == datetime.date(2026, 12, 15)
    assert upcoming_sitting_day(datetime.date(2026, 12, 31), 5) == datetime.date(2027, 1, 15)
    # 15 August 2026 is a Saturday: the Monday after.
    assert upcoming_sitting_day(datetime.date(2026, 7, 20), 5) == datetime.date(2026, 8, 17)
    # A long notice pushes it later.
    assert upcoming_sitting_day(datetime.date(2026, 11, 27), 30) == datetime.date(2026, 12, 28)


def test_a_second_run_holds_no_sitting_twice(pilot_district):
    _load()
    first = _sitting_counts()

    output = _load()

    assert _sitting_counts() == first
    assert "Sittings: 3 demo sitting(s), 0 new, run by demo-secretary" in output
    assert "Recommendation № 274430000/" in output
    assert Answer.objects.count() == 5, "two final answers with measures, a decline, a forwarding, an extension"
    assert Escalation.objects.count() == 1


def test_a_council_loaded_by_an_earlier_demo_gets_its_seats_linked_to_the_new_accounts(pilot_district):
    _load()
    council = Council.objects.get(okrug__kato="274430000")
    # As an earlier demo left it: the secretary's seat without an account.
    seat = Member.objects.get(council=council, user__username="demo-secretary")
    Member.objects.filter(pk=seat.pk).update(user=None)

    _load()

    successor = Member.objects.get(council=council, status="active", role="secretary")
    assert successor.user is not None
    assert successor.user.username == "demo-secretary"
    assert Member.objects.get(pk=seat.pk).status == "replaced"
    assert AuditEntry.objects.filter(action="council.member_replaced").count() == 1


# Accountability ---------------------------------------------------------------------------------


def test_an_earlier_sitting_six_weeks_ago_adopted_five_recommendations_sent_the_next_working_day(pilot_district):
    _load()

    earlier = _sitting_with(CLUB_ROOF_TITLE)
    day = timezone.localdate(earlier.starts_at)
    assert day == earlier_sitting_day(timezone.localdate())
    assert earlier.is_demo
    assert quorum_of(earlier).reached
    recommendations = list(Recommendation.objects.filter(item__meeting=earlier))
    assert len(recommendations) == 5
    for recommendation in recommendations:
        assert recommendation.is_demo
        assert recommendation.sent_at is not None
        assert timezone.localdate(recommendation.sent_at) == add_working_days(day, 1)
    about_proposals = Proposal.objects.filter(title__in=[FOOTPATH_TITLE, SHELTER_TITLE, POOL_TITLE])
    assert set(about_proposals.values_list("status", flat=True)) == {"recommended"}
    assert all(proposal.support_count == 5 for proposal in about_proposals)


def test_the_akim_accepted_the_footpath_with_measures_budget_and_amount_and_reported_progress_twice(pilot_district):
    _load()

    recommendation = _recommendation_about(FOOTPATH_TITLE)
    assert (recommendation.status, recommendation.answer_kind, recommendation.progress_percent) == (
        "answered",
        "accepted",
        70,
    )
    answer = Answer.objects.select_related("answered_by").get(recommendation=recommendation)
    assert answer.answered_by.username == "demo-akimat"
    assert answer.text.startswith("800 метр")
    assert answer.budget_year == answer.answered_on.year
    assert answer.amount_tenge == Decimal("12400000.00")
    assert answer.is_demo
    assert not recommendation.answered_late
    reports = list(ProgressReport.objects.filter(recommendation=recommendation).order_by("pk"))
    assert [report.percent for report in reports] == [40, 70]
    assert answer.answered_on <= reports[0].reported_on <= reports[1].reported_on <= timezone.localdate()
    proposal = recommendation.proposals.get()
    assert proposal.author.username == "demo-resident-4"
    assert set(proposal.timeline.values_list("kind", flat=True)) >= {"recommended", "answered", "progress"}


def test_the_bus_stop_shelter_was_accepted_and_built(pilot_district):
    _load()

    recommendation = _recommendation_about(SHELTER_TITLE)
    assert (recommendation.status, recommendation.progress_percent) == ("implemented", 100)
    last = ProgressReport.objects.filter(recommendation=recommendation).order_by("pk").last()
    assert last is not None
    assert recommendation.implemented_on == last.reported_on
    assert Answer.objects.get(recommendation=recommendation).amount_tenge == Decimal("1750000.00")
    assert recommendation.events.filter(kind="implemented").exists()


def test_the_pool_was_declined_with_the_reason(pilot_district):
    _load()

    recommendation = _recommendation_about(POOL_TITLE)
    answer = Answer.objects.get(recommendation=recommendation)
    assert (recommendation.status, recommendation.answer_kind) == ("answered", "declined")
    assert answer.reason.startswith("Бассейн салуға")
    assert (answer.budget_year, answer.amount_tenge) == (None, None)
    assert not ProgressReport.objects.filter(recommendation=recommendation).exists()


def test_the_road_was_forwarded_to_the_district_whose_department_extended_the_deadline_once(pilot_district):
    _load()

    recommendation = _recommendation_about(ROAD_TITLE)
    forwarded, extended = list(
        Answer.objects.filter(recommendation=recommendation).select_related("answered_by").order_by("pk")
    )
    assert (forwarded.kind, extended.kind) == ("forwarded", "extended")
    assert forwarded.answered_by.username == "demo-akimat"
    assert extended.answered_by.username == "demo-district"
    assert recommendation.sent_at is not None
    assert forwarded.answered_on <= add_working_days(timezone.localdate(recommendation.sent_at), 3)
    assert recommendation.addressee_kind == "district_department"
    assert recommendation.addressee_name == forwarded.forwarded_to_name
    assert recommendation.received_on == forwarded.answered_on
    assert extended.previous_due_on == forwarded.new_due_on == add_working_days(forwarded.answered_on, 15)
    assert recommendation.due_on == extended.new_due_on == extension_limit(recommendation)
    assert extended.reason
    assert recommendation.status == "sent"
    assert not recommendation.is_overdue, "the extension moved the deadline past today"


def test_the_club_roof_went_unanswered_and_was_escalated_to_the_district_once(pilot_district):
    _load()

    recommendation = _recommendation_about(CLUB_ROOF_TITLE)
    assert recommendation.status == "sent"
    assert recommendation.is_overdue
    assert recommendation.due_on is not None
    assert recommendation.overdue_since == recommendation.due_on + datetime.timedelta(days=1)
    escalation = Escalation.objects.get()
    assert escalation.recommendation == recommendation
    assert list(escalation.recipients.values_list("username", flat=True)) == ["demo-district"]
    assert list(recommendation.events.order_by("pk").values_list("kind", flat=True)) == ["overdue", "escalated"]
    assert not Answer.objects.filter(recommendation=recommendation).exists()


def test_the_newest_recommendation_waits_in_the_akims_inbox(pilot_district):
    _load()

    recommendation = _recommendation_about(PLAYGROUND_TITLE)
    akim = User.objects.get(username="demo-akimat")
    assert recommendation.status == "sent"
    assert not recommendation.is_overdue
    assert can_answer(akim, recommendation)
    overdue = _recommendation_about(CLUB_ROOF_TITLE)
    # Waiting: the overdue one first; the road is no longer the okrug's (forwarded to the district).
    assert list(inbox_for(akim)) == [overdue, recommendation]
    assert list(inbox_for(akim, state="overdue")) == [overdue]


# From City to Village ---------------------------------------------------------------------------


def _relocation_counts() -> tuple[int, ...]:
    return (
        Employer.objects.count(),
        ProgrammeSettlement.objects.count(),
        Offer.objects.count(),
        Applicant.objects.count(),
        HouseholdMember.objects.count(),
        Application.objects.count(),
        ApplicationEvent.objects.count(),
        Move.objects.count(),
        RetentionCheck.objects.count(),
        AuditEntry.objects.count(),
    )


def test_the_demo_farm_is_a_verified_employer_of_the_pilot_district_run_by_demo_employer(pilot_district):
    _load()

    employer = Employer.objects.get()
    assert employer.is_demo
    assert employer.name == "«Ақ Бидай» шаруа қожалығы (демо)"
    assert employer.district.kato == "274400000"
    assert employer.verified_at is not None
    person = User.objects.get(username="demo-employer")
    assert list(employer.users.all()) == [person]
    assert person.is_demo
    assert person.check_password("demo12345")
    assert AuditEntry.objects.filter(action="relocation.employer_registered").count() == 1


def test_the_programme_lists_four_villages_of_the_pilot_district_with_offers_of_every_kind(pilot_district):
    _load()

    villages = set(ProgrammeSettlement.objects.values_list("settlement__kato", flat=True))
    # The demo village, then the main village of the next three rural okrugs.
    assert villages == {"274430100", "274431100", "274433100", "274435100"}
    assert ProgrammeSettlement.objects.filter(is_demo=True).count() == 4
    offers = Offer.objects.select_related("settlement", "profession", "employer")
    assert all(offer.is_demo and offer.status == "published" for offer in offers)
    assert {offer.settlement.kato for offer in offers} == villages
    assert {offer.kind for offer in offers} == {"vacancy", "housing", "land", "support"}
    vacancies = {offer.profession.code: offer for offer in offers if offer.kind == "vacancy" and offer.profession}
    assert set(vacancies) == {"veterinarian", "teacher", "tractor_driver"}
    assert vacancies["veterinarian"].positions == 2
    assert vacancies["veterinarian"].settlement.kato == "274430100"
    assert vacancies["veterinarian"].published_by.username == "demo-employer"
    assert vacancies["veterinarian"].employer is not None
    assert vacancies["teacher"].employer is None
    assert vacancies["teacher"].published_by.username == "demo-programme"
    housing = {offer.tenure: offer for offer in offers if offer.kind == "housing"}
    assert (housing["free"].housing_type, housing["free"].rooms) == ("house", 3)
    assert housing["free"].settlement == vacancies["veterinarian"].settlement, "the vacancy comes with a house"
    assert housing["service"].settlement == vacancies["teacher"].settlement
    (land,) = [offer for offer in offers if offer.kind == "land"]
    assert (land.area_hectares, land.land_purpose) == (Decimal("0.25"), "household_farming")
    support = {offer.measure: offer.amount_mci for offer in offers if offer.kind == "support"}
    assert support == {
        "lifting_allowance": Decimal("100"),
        "microcredit": Decimal("2500"),
        "resettlement": Decimal("70"),
    }
    assert offer_amount_tenge(Offer.objects.get(measure="microcredit")) == mci_to_tenge(
        Decimal("2500"), timezone.localdate().year
    )


def test_a_family_from_oral_with_two_children_is_open_to_offers_and_in_talks_about_the_house(pilot_district):
    _load()

    applicant = Applicant.objects.get(user__username="demo-family")
    assert applicant.is_demo
    assert applicant.current_city == "Орал"
    assert applicant.open_to_offers
    assert applicant.consent_given_at is not None
    assert applicant.consent_withdrawn_at is None
    assert list(applicant.wished_districts.values_list("kato", flat=True)) == ["274400000"]
    members = list(applicant.members.select_related("profession").order_by("id"))
    assert [member.relation for member in members] == ["self", "spouse", "child", "child"]
    assert {member.profession.code for member in members if member.profession} == {"veterinarian", "teacher"}
    (application,) = Application.objects.filter(applicant=applicant)
    assert application.is_demo
    assert application.status == "in_talks"
    assert (application.offer.kind, application.offer.rooms) == ("housing", 3)
    assert list(application.events.values_list("status", flat=True)) == ["applied", "in_talks"]


def test_the_demo_familys_matches_put_the_parents_vacancies_first_with_their_reasons(pilot_district):
    _load()

    applicant = Applicant.objects.get(user__username="demo-family")
    with translation.override("en"):
        matches = matches_for(applicant)

    first_two = {match.offer.profession.code for match in matches[:2] if match.offer.profession}
    assert first_two == {"veterinarian", "teacher"}
    reasons = [reason for match in matches for reason in match.reasons]
    assert "your profession: veterinarian — 2 vacancies in Переметное" in reasons
    assert "3 rooms, free of charge — enough for your family" in reasons
    assert "too small for your family (4 people)" in reasons  # the teacher's 2-room flat


def test_two_earlier_demo_moves_one_still_there_at_six_months_and_one_that_left_with_a_reason(pilot_district):
    _load()

    today = timezone.localdate()
    staying = Move.objects.get(applicant__user__username="demo-family-2")
    left = Move.objects.get(applicant__user__username="demo-family-3")
    for move in (staying, left):
        assert move.is_demo
        assert move.application is not None
        assert move.application.status == "moved"
        assert move.recorded_by.username == "demo-programme"
        check = RetentionCheck.objects.get(move=move)
        assert check.months == 6
        assert move.moved_on <= check.checked_on <= today
    assert (staying.household_size, staying.children, staying.employed, staying.status) == (3, 1, 2, "staying")
    assert RetentionCheck.objects.get(move=staying).still_there
    assert (left.household_size, left.children, left.status) == (2, 0, "left")
    assert left.left_on == RetentionCheck.objects.get(move=left).checked_on
    assert left.left_reason.startswith("Жұбайына тұрақты жұмыс")
    assert staying.moved_on == today - relativedelta(months=8)


def test_a_second_run_publishes_no_offer_application_or_move_twice(pilot_district):
    output = _load()
    first = _relocation_counts()

    again = _load()

    assert _relocation_counts() == first
    assert "From City to Village: 9 demo offer(s) in 4 village(s)" in output
    assert "9 demo offer(s) in 4 village(s)" in again
    assert "0 new record(s)" in again
    assert "2 earlier move(s) (1 still there, 1 left)" in again
    assert "/relocation/dashboard/" in again
    for username in RELOCATION_USERNAMES:
        assert username in again


def test_a_small_pilot_district_puts_the_offers_in_the_demo_okrugs_villages(pilot_territory):
    _load()

    assert set(ProgrammeSettlement.objects.values_list("settlement__kato", flat=True)) == {"274430100", "274430200"}
    assert Offer.objects.count() == 9
    assert Move.objects.count() == 2
