"""Reads: the inbox scoped by role × territory and filtered by state, deadlines, the public
recommendation with its answers, progress and timeline, escalations, and the lists for the API."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from kenes.accountability import selectors, services
from kenes.accountability.models import Escalation
from kenes.accountability.tests.factories import (
    SCRIPT,
    AnswerFactory,
    ProgressReportFactory,
    adopted_recommendation,
    akimat_user,
    answered_recommendation,
    council_officer,
    district_user,
    sent_recommendation,
)
from kenes.accounts.models import Role
from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant
from kenes.councils.tests.factories import CouncilFactory
from kenes.meetings.models import Recommendation
from kenes.proposals.tests.factories import resident_of
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


# The inbox ----------------------------------------------------------------------------------------


@pytest.fixture
def territory():
    """Two okrugs with councils in one district, a third okrug in another district of the region;
    in the first okrug one recommendation to its akim and one to a district department."""
    council = CouncilFactory.create()
    okrug = council.okrug
    neighbour = CouncilFactory.create(okrug=OkrugFactory.create(district=okrug.district))
    far = CouncilFactory.create(
        okrug=OkrugFactory.create(district=DistrictFactory.create(region=okrug.district.region))
    )
    recs = {
        "to_akim": sent_recommendation(council=council),
        "to_department": sent_recommendation(council=council, addressee_kind="district_department"),
        "neighbour_to_akim": sent_recommendation(council=neighbour),
        "far_to_maslikhat": sent_recommendation(council=far, addressee_kind="maslikhat"),
    }
    return council, neighbour, far, recs


def names(rows, recs) -> set[str]:
    by_pk = {rec.pk: name for name, rec in recs.items()}
    return {by_pk[row.pk] for row in rows}


def test_the_inbox_holds_what_each_office_answers(territory):
    council, neighbour, far, recs = territory
    okrug, district = council.okrug, council.okrug.district
    region_staff = UserFactory.create()
    grant(region_staff, Role.AKIMAT_STAFF, district.region)
    region_admin = UserFactory.create()
    grant(region_admin, Role.DISTRICT_ADMIN, district.region)
    expected = {
        akimat_user(okrug): {"to_akim"},
        akimat_user(neighbour.okrug): {"neighbour_to_akim"},
        district_user(district, role=Role.AKIMAT_STAFF): {"to_akim", "to_department", "neighbour_to_akim"},
        district_user(district, role=Role.DISTRICT_ADMIN): {"to_department"},
        district_user(far.okrug.district, role=Role.DISTRICT_ADMIN): {"far_to_maslikhat"},
        region_staff: set(recs),
        region_admin: {"to_department", "far_to_maslikhat"},
        SuperuserFactory.create(): set(recs),
        resident_of(okrug): set(),
        council_officer(council): set(),
        UserFactory.create(): set(),
    }
    for person, visible in expected.items():
        assert names(selectors.inbox_for(person, state="all"), recs) == visible, person.username


def test_anonymous_visitors_have_an_empty_inbox(territory):
    from django.contrib.auth.models import AnonymousUser

    assert list(selectors.inbox_for(AnonymousUser())) == []


def test_the_inbox_states_waiting_overdue_answered_and_all():
    council = CouncilFactory.create()
    staff = akimat_user(council.okrug)
    waiting = sent_recommendation(council=council, sent_on=days_ago(2))
    overdue = sent_recommendation(council=council, sent_on=days_ago(60), adopted_on=days_ago(61))
    due_today = sent_recommendation(council=council, sent_on=days_ago(30), due_on=today())
    answered = answered_recommendation(council=council, kind="accepted")
    declined = answered_recommendation(council=council, kind="declined")
    implemented = ProgressReportFactory.create(recommendation=answered_recommendation(council=council), percent=100)
    adopted = adopted_recommendation(council=council)

    def state(name: str) -> set[int]:
        return set(selectors.inbox_for(staff, state=name, today=today()).values_list("pk", flat=True))

    assert state("waiting") == {waiting.pk, overdue.pk, due_today.pk}
    assert state("overdue") == {overdue.pk}
    assert state("answered") == {answered.pk, declined.pk}
    assert state("all") == {
        waiting.pk,
        overdue.pk,
        due_today.pk,
        answered.pk,
        declined.pk,
        implemented.recommendation_id,
    }
    assert state("nonsense") == state("waiting")
    assert adopted.pk not in state("all")


def test_the_inbox_is_ordered_by_due_date_soonest_first():
    council = CouncilFactory.create()
    staff = akimat_user(council.okrug)
    later = sent_recommendation(council=council, sent_on=days_ago(1))
    sooner = sent_recommendation(council=council, sent_on=days_ago(10))
    assert list(selectors.inbox_for(staff)) == [sooner, later]


def test_the_inbox_of_ten_recommendations_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    council = CouncilFactory.create()
    staff = akimat_user(council.okrug)
    for day in range(10):
        sent_recommendation(council=council, sent_on=days_ago(day))

    with django_assert_max_num_queries(4):
        rows = selectors.with_days_left(selectors.inbox_for(staff, state="all"))
        shown = [
            (row.number, row.council.okrug.district.name_kk, row.item.meeting.starts_at, vars(row)["days_left"])
            for row in rows
        ]

    assert len(shown) == 10
    assert all(isinstance(days, int) for *_, days in shown)


# Deadlines ----------------------------------------------------------------------------------------


def test_working_days_left_is_none_once_answered():
    recommendation = answered_recommendation()
    assert selectors.working_days_left(recommendation) is None
    assert selectors.working_days_left(adopted_recommendation()) is None


def test_working_days_left_counts_from_today_by_default():
    recommendation = sent_recommendation(sent_on=today())
    charter_days = recommendation.council.charter.answer_working_days
    assert selectors.working_days_left(recommendation) == charter_days
    assert selectors.working_days_left(recommendation, today=recommendation.due_on) == 0


def test_the_forward_deadline_and_extension_limit_follow_the_current_receipt():
    recommendation = sent_recommendation(sent_on=D(2025, 12, 31), charter={"extension_limit_months": 2})
    # 1 and 2 January 2026 are holidays, then the weekend: Monday 5 (1), Tuesday 6 (2), Wednesday 7
    # January is Orthodox Christmas, Thursday 8 (3).
    assert selectors.forward_deadline(recommendation) == D(2026, 1, 8)
    assert selectors.extension_limit(recommendation) == D(2026, 2, 28)


# One recommendation -------------------------------------------------------------------------------


def test_a_public_recommendation_is_read_with_its_council_meeting_and_proposals(django_assert_num_queries):
    recommendation = sent_recommendation(proposals=3)
    with django_assert_num_queries(2):
        found = selectors.get_public_recommendation(recommendation.pk)
        facts = (
            found.council.okrug.district.name_kk,
            found.council.charter.answer_working_days,
            found.item.meeting.starts_at,
            [proposal.okrug.kato for proposal in found.proposals.all()],
        )
    assert len(facts[3]) == 3


def test_a_missing_recommendation_is_not_found():
    with pytest.raises(Http404):
        selectors.get_public_recommendation(987654)


def test_every_recommendation_is_public_whatever_its_status():
    assert selectors.get_public_recommendation(adopted_recommendation().pk).status == "adopted"


def test_answers_final_answer_and_progress_are_read_in_order():
    recommendation = sent_recommendation()
    forwarded = AnswerFactory.create(recommendation=recommendation, kind="forwarded")
    extended = AnswerFactory.create(recommendation=recommendation, kind="extended")
    final = AnswerFactory.create(recommendation=recommendation, kind="accepted")
    first = ProgressReportFactory.create(recommendation=recommendation, percent=30)
    second = ProgressReportFactory.create(recommendation=recommendation, percent=60)

    assert selectors.answers_of(recommendation) == [forwarded, extended, final]
    assert selectors.final_answer_of(recommendation) == final
    assert selectors.final_answer_of(sent_recommendation()) is None
    assert selectors.progress_of(recommendation) == [first, second]


def test_the_timeline_starts_with_adoption_and_sending_then_every_step_with_who_acted():
    recommendation = sent_recommendation(sent_on=D(2026, 3, 19))
    staff = akimat_user(recommendation.council.okrug, full_name=f"Ерлан {SCRIPT}")
    services.extend_deadline(
        actor=staff, recommendation=recommendation, new_due_on=D(2026, 5, 1), reason="Мердігер", on=D(2026, 3, 20)
    )
    services.answer_recommendation(
        actor=staff, recommendation=recommendation, kind="accepted", text="Шамдар", on=D(2026, 4, 2)
    )

    entries = selectors.timeline_of(recommendation)

    assert [(entry.kind, entry.on) for entry in entries] == [
        ("adopted", D(2026, 3, 17)),
        ("sent", D(2026, 3, 19)),
        ("extended", D(2026, 3, 20)),
        ("answered", D(2026, 4, 2)),
    ]
    assert [entry.actor_name for entry in entries] == ["", "", f"Ерлан {SCRIPT}", f"Ерлан {SCRIPT}"]
    assert all(entry.label for entry in entries)
    assert entries[2].answer is not None
    assert entries[2].answer.kind == "extended"


def test_an_adopted_recommendation_has_only_its_adoption_on_the_timeline():
    assert [entry.kind for entry in selectors.timeline_of(adopted_recommendation())] == ["adopted"]


# Escalations and lists ----------------------------------------------------------------------------


def test_escalations_are_shown_to_their_recipients_and_superusers_newest_first():
    first = sent_recommendation(sent_on=D(2026, 2, 2))
    admin = district_user(first.council.okrug.district)
    second = sent_recommendation(council=first.council, sent_on=D(2026, 3, 2))
    services.check_deadlines(today=D(2026, 6, 1))
    Escalation.objects.filter(recommendation=second).update(escalated_on=D(2026, 6, 2))

    assert [e.recommendation for e in selectors.escalations_for(admin)] == [second, first]
    assert selectors.escalations_for(SuperuserFactory.create()).count() == 2
    assert not selectors.escalations_for(akimat_user(first.council.okrug)).exists()
    assert not selectors.escalations_for(UserFactory.create()).exists()


def test_recommendations_are_listed_by_status_and_place():
    council = CouncilFactory.create()
    other = CouncilFactory.create()
    waiting = sent_recommendation(council=council, sent_on=days_ago(1))
    overdue = sent_recommendation(council=council, sent_on=days_ago(60), adopted_on=days_ago(61))
    answered = answered_recommendation(council=council)
    adopted = adopted_recommendation(council=council)
    elsewhere = sent_recommendation(council=other)

    def pks(**filters) -> set[int]:
        return set(selectors.list_recommendations(**filters).values_list("pk", flat=True))

    assert pks(okrug=council.okrug) == {waiting.pk, overdue.pk, answered.pk, adopted.pk}
    assert pks(status="overdue") == {overdue.pk}
    assert pks(status="sent", okrug=council.okrug) == {waiting.pk, overdue.pk}
    assert pks(status="answered") == {answered.pk}
    assert pks(status="adopted") == {adopted.pk}
    assert pks(status="sent", district=other.okrug.district) == {elsewhere.pk}
    assert pks(region=council.okrug.district.region) >= {waiting.pk, adopted.pk}
    assert pks(status="lost") == set()
    assert pks() == {waiting.pk, overdue.pk, answered.pk, adopted.pk, elsewhere.pk}


def test_overdue_is_current_even_before_the_daily_check_marks_it():
    overdue = sent_recommendation(sent_on=days_ago(60), adopted_on=days_ago(61))
    assert overdue.overdue_since is None
    assert overdue.is_overdue
    assert list(selectors.list_recommendations(status="overdue")) == [overdue]
    assert Recommendation.objects.get(pk=overdue.pk).is_overdue
