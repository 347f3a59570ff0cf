"""The daily deadline check: a recommendation still waiting after its due date is overdue from the
next calendar day, is marked once and escalated once per missed due date to its district's
administrators and akimat staff, by the task and by the management command.

Due dates come from working days (Kazakh holidays from the `holidays` package, overrides from the
`CalendarOverride` table); the check itself compares calendar days."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from kenes.accountability import selectors, services
from kenes.accountability.models import Escalation, RecommendationEvent
from kenes.accountability.tasks import check_deadlines_task
from kenes.accountability.tests.factories import (
    AnswerFactory,
    akimat_user,
    district_user,
    sent_recommendation,
)
from kenes.accounts.models import Role
from kenes.accounts.tests.factories import grant
from kenes.core.models import AuditEntry, CalendarOverride
from kenes.proposals.models import TimelineEvent
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory

pytestmark = pytest.mark.django_db


def facts(entry: AuditEntry, side: str) -> dict:
    """The audit row's before or after facts (present on these rows)."""
    value = getattr(entry, side)
    assert value is not None
    return value


D = datetime.date
THU_19_MARCH = D(2026, 3, 19)


@pytest.fixture
def due_on_friday():
    """Sent Thursday 19 March 2026 with three working days to answer: Friday 20 (1), then Nauryz
    (Saturday 21 to Wednesday 25 March off), Thursday 26 (2), Friday 27 March (3) is the due date."""
    return sent_recommendation(sent_on=THU_19_MARCH, charter={"answer_working_days": 3})


def test_the_due_date_skips_the_weekend_and_nauryz(due_on_friday):
    assert due_on_friday.due_on == D(2026, 3, 27)


@pytest.mark.parametrize("today", [D(2026, 3, 24), D(2026, 3, 26), D(2026, 3, 27)])
def test_nothing_is_overdue_until_the_due_day_is_over(due_on_friday, today):
    assert services.check_deadlines(today=today) == services.DeadlineRun(marked=0, escalated=0)
    due_on_friday.refresh_from_db()
    assert due_on_friday.overdue_since is None
    assert not Escalation.objects.exists()


def test_due_on_a_friday_it_is_overdue_from_saturday(due_on_friday):
    run = services.check_deadlines(today=D(2026, 3, 28))

    assert run == services.DeadlineRun(marked=1, escalated=1)
    due_on_friday.refresh_from_db()
    assert due_on_friday.overdue_since == D(2026, 3, 28)
    assert due_on_friday.status == "sent"


def test_a_late_check_still_dates_the_overdue_from_the_day_after_the_due_date(due_on_friday):
    services.check_deadlines(today=D(2026, 4, 6))
    due_on_friday.refresh_from_db()
    assert due_on_friday.overdue_since == D(2026, 3, 28)
    event = RecommendationEvent.objects.get(recommendation=due_on_friday, kind="overdue")
    assert event.happened_on == D(2026, 3, 28)
    assert RecommendationEvent.objects.get(recommendation=due_on_friday, kind="escalated").happened_on == D(2026, 4, 6)


@pytest.mark.parametrize(
    ("today", "left"),
    [
        (D(2026, 3, 19), 3),
        (D(2026, 3, 20), 2),
        (D(2026, 3, 23), 2),  # Nauryz: no working day passed since Friday
        (D(2026, 3, 26), 1),
        (D(2026, 3, 27), 0),
        (D(2026, 3, 28), -1),
        (D(2026, 3, 30), -1),  # Friday is the one working day missed by Monday morning
        (D(2026, 3, 31), -2),
    ],
)
def test_working_days_left_count_down_across_holidays(due_on_friday, today, left):
    assert selectors.working_days_left(due_on_friday, today=today) == left


def test_a_day_off_entered_in_the_calendar_moves_the_due_date():
    CalendarOverride.objects.create(day=D(2026, 3, 26), is_working_day=False, note="Transfer <script>")
    recommendation = sent_recommendation(sent_on=THU_19_MARCH, charter={"answer_working_days": 3})

    # Friday 20 (1), Friday 27 (2), Monday 30 March (3).
    assert recommendation.due_on == D(2026, 3, 30)
    assert services.check_deadlines(today=D(2026, 3, 28)).marked == 0
    assert services.check_deadlines(today=D(2026, 3, 31)).marked == 1


def test_a_working_saturday_entered_in_the_calendar_counts():
    CalendarOverride.objects.create(day=D(2026, 3, 21), is_working_day=True, note="Working Saturday")
    recommendation = sent_recommendation(sent_on=THU_19_MARCH, charter={"answer_working_days": 3})

    # Friday 20 (1), Saturday 21 (2), Thursday 26 March (3).
    assert recommendation.due_on == D(2026, 3, 26)
    assert services.check_deadlines(today=D(2026, 3, 27)).marked == 1


def test_marking_writes_the_event_the_proposals_timeline_and_the_audit_as_the_system(due_on_friday):
    services.check_deadlines(today=D(2026, 3, 28))

    event = RecommendationEvent.objects.get(recommendation=due_on_friday, kind="overdue")
    assert event.actor is None
    proposal = due_on_friday.proposals.get()
    step = proposal.timeline.get(kind=TimelineEvent.Kind.OVERDUE)
    assert step.actor is None
    audit = AuditEntry.objects.get(action="recommendation.overdue")
    assert (audit.actor, audit.actor_label, audit.target_id) == (None, "system", str(due_on_friday.pk))
    assert facts(audit, "after")["overdue_since"] == "2026-03-28"
    assert AuditEntry.objects.filter(action="recommendation.escalated").count() == 1
    kinds = [entry.kind for entry in selectors.timeline_of(due_on_friday)]
    assert kinds == ["adopted", "sent", "overdue", "escalated"]


def test_running_the_check_twice_marks_and_escalates_nothing_the_second_time(due_on_friday):
    first = services.check_deadlines(today=D(2026, 3, 28))
    second = services.check_deadlines(today=D(2026, 3, 28))
    third = services.check_deadlines(today=D(2026, 3, 30))

    assert (first.marked, first.escalated) == (1, 1)
    assert (second.marked, second.escalated) == (0, 0)
    assert (third.marked, third.escalated) == (0, 0)
    assert Escalation.objects.filter(recommendation=due_on_friday).count() == 1
    assert RecommendationEvent.objects.filter(recommendation=due_on_friday, kind="overdue").count() == 1
    assert RecommendationEvent.objects.filter(recommendation=due_on_friday, kind="escalated").count() == 1
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.OVERDUE).count() == 1
    assert AuditEntry.objects.filter(action="recommendation.overdue").count() == 1


def test_escalations_go_to_the_districts_administrators_and_akimat_staff_only(due_on_friday):
    okrug = due_on_friday.council.okrug
    district = okrug.district
    admin = district_user(district, role=Role.DISTRICT_ADMIN)
    district_staff = district_user(district, role=Role.AKIMAT_STAFF)
    okrug_staff = akimat_user(okrug)  # the addressed office itself, not the district
    elsewhere = DistrictFactory.create(region=district.region)
    other_admin = district_user(elsewhere, role=Role.DISTRICT_ADMIN)
    other_okrug_staff = akimat_user(OkrugFactory.create(district=elsewhere))
    gone = district_user(district, role=Role.DISTRICT_ADMIN, is_active=False)
    oblast = district_user(district, role=Role.COORDINATOR)
    grant(oblast, Role.OBLAST_ADMIN, district.region)

    services.check_deadlines(today=D(2026, 3, 28))

    escalation = Escalation.objects.get()
    assert (escalation.recommendation, escalation.due_on, escalation.escalated_on) == (
        due_on_friday,
        D(2026, 3, 27),
        D(2026, 3, 28),
    )
    assert set(escalation.recipients.all()) == {admin, district_staff}
    for person in (okrug_staff, other_admin, other_okrug_staff, gone, oblast):
        assert not selectors.escalations_for(person).exists()
    assert list(selectors.escalations_for(admin)) == [escalation]


def test_answered_and_waiting_recommendations_are_not_overdue(due_on_friday):
    answered = sent_recommendation(sent_on=THU_19_MARCH, charter={"answer_working_days": 3})
    AnswerFactory.create(recommendation=answered, kind="declined", answered_on=D(2026, 3, 27))
    later = sent_recommendation(sent_on=D(2026, 3, 26), charter={"answer_working_days": 3})

    assert services.check_deadlines(today=D(2026, 3, 28)) == services.DeadlineRun(marked=1, escalated=1)
    answered.refresh_from_db()
    later.refresh_from_db()
    assert answered.overdue_since is None
    assert not answered.is_overdue
    assert later.overdue_since is None


def test_an_extension_before_the_deadline_keeps_it_from_being_overdue(due_on_friday):
    staff = akimat_user(due_on_friday.council.okrug)
    services.extend_deadline(
        actor=staff, recommendation=due_on_friday, new_due_on=D(2026, 4, 10), reason="Мердігер", on=D(2026, 3, 27)
    )
    assert services.check_deadlines(today=D(2026, 3, 28)).marked == 0
    assert services.check_deadlines(today=D(2026, 4, 11)).marked == 1
    assert Escalation.objects.get().due_on == D(2026, 4, 10)


def test_a_forwarded_recommendation_missing_its_new_deadline_is_escalated_again():
    # One working day: sent Monday 2 March 2026, due Tuesday 3, overdue Wednesday 4 March.
    recommendation = sent_recommendation(sent_on=D(2026, 3, 2), charter={"answer_working_days": 1})
    staff = akimat_user(recommendation.council.okrug)
    assert services.check_deadlines(today=D(2026, 3, 4)) == services.DeadlineRun(marked=1, escalated=1)
    services.forward_recommendation(
        actor=staff, recommendation=recommendation, to_kind="maslikhat", to_name="Мәслихат", on=D(2026, 3, 4)
    )

    # Due again Thursday 5 March; overdue from Friday 6.
    assert services.check_deadlines(today=D(2026, 3, 5)) == services.DeadlineRun(marked=0, escalated=0)
    assert services.check_deadlines(today=D(2026, 3, 6)) == services.DeadlineRun(marked=1, escalated=1)
    assert sorted(Escalation.objects.values_list("due_on", flat=True)) == [D(2026, 3, 3), D(2026, 3, 5)]


def test_the_task_runs_the_check_for_the_given_day(due_on_friday):
    assert check_deadlines_task.call(today="2026-03-27") == {"marked": 0, "escalated": 0}
    assert check_deadlines_task.call(today="2026-03-28") == {"marked": 1, "escalated": 1}
    assert check_deadlines_task.call(today="2026-03-28") == {"marked": 0, "escalated": 0}


def test_the_task_checks_as_of_today_by_default(due_on_friday):
    # The system's today is long after 27 March 2026 in this suite's lifetime, or the row stays unmarked.
    from django.utils import timezone

    expected = 1 if timezone.localdate() > D(2026, 3, 27) else 0
    assert check_deadlines_task.call() == {"marked": expected, "escalated": expected}


def test_the_command_prints_what_it_did(due_on_friday):
    out = StringIO()
    call_command("check_deadlines", "--date", "2026-03-28", stdout=out)
    assert out.getvalue().strip() == "Marked 1 overdue, escalated 1."

    out = StringIO()
    call_command("check_deadlines", "--date", "2026-03-28", stdout=out)
    assert out.getvalue().strip() == "Marked 0 overdue, escalated 0."


def test_the_command_refuses_a_date_it_cannot_read():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("check_deadlines", "--date", "28.03.2026", stdout=StringIO())


def test_the_command_can_leave_the_check_to_the_task_worker(due_on_friday):
    out = StringIO()
    call_command("check_deadlines", "--date", "2026-03-28", "--enqueue", stdout=out)

    assert out.getvalue().startswith("Queued the deadline check")
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "kenes.accountability.tasks.check_deadlines_task"
    assert queued.args_kwargs["kwargs"] == {"today": "2026-03-28"}
    due_on_friday.refresh_from_db()
    assert due_on_friday.overdue_since is None  # nothing ran yet
