"""The delivery task: sends what is due and comes back by itself for the next waiting message."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kenes.notifications.models import OutboxMessage
from kenes.notifications.tasks import deliver_notifications_task
from kenes.notifications.tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db


def test_the_task_sends_what_is_due_and_enqueues_itself_for_the_next_retry(settings):
    settings.KENES_SMS_URL = ""  # the log channel: "sent" without a gateway
    due = OutboxMessageFactory.create()
    later = timezone.now() + datetime.timedelta(minutes=5)
    waiting = OutboxMessageFactory.create(next_attempt_at=later)

    result = deliver_notifications_task.call()

    assert result == {"sent": 1, "retried": 0, "dead": 0}
    due.refresh_from_db()
    waiting.refresh_from_db()
    assert due.status == OutboxMessage.Status.SENT
    assert waiting.status == OutboxMessage.Status.PENDING
    queued = DBTaskResult.objects.filter(task_path__endswith="deliver_notifications_task").get()
    assert queued.run_after == later


def test_the_task_comes_back_when_the_lease_of_a_message_whose_sender_died_ends(settings):
    settings.KENES_SMS_URL = ""
    lease_ends = timezone.now() + datetime.timedelta(seconds=40)
    OutboxMessageFactory.create(status=OutboxMessage.Status.SENDING, lease_until=lease_ends, attempts=1)
    OutboxMessageFactory.create(next_attempt_at=timezone.now() + datetime.timedelta(minutes=5))

    deliver_notifications_task.call()

    queued = DBTaskResult.objects.filter(task_path__endswith="deliver_notifications_task").get()
    assert queued.run_after == lease_ends


def test_with_nothing_waiting_the_task_does_not_come_back(settings):
    settings.KENES_SMS_URL = ""
    OutboxMessageFactory.create()

    deliver_notifications_task.call()

    assert not DBTaskResult.objects.filter(task_path__endswith="deliver_notifications_task").exists()


def test_remind_sittings_tells_of_a_sitting_within_a_day_once(capsys):
    from django.core.management import call_command

    from kenes.accounts.tests.factories import UserFactory
    from kenes.councils.tests.factories import MemberFactory
    from kenes.meetings.models import Meeting
    from kenes.meetings.tests.factories import MeetingFactory
    from kenes.notifications.models import Notice

    meeting = MeetingFactory.create(
        status=Meeting.Status.PUBLISHED, starts_at=timezone.now() + datetime.timedelta(hours=5)
    )
    member = MemberFactory.create(council=meeting.council, user=UserFactory.create())

    call_command("remind_sittings")
    call_command("remind_sittings")

    output = capsys.readouterr().out
    assert "Sittings announced as starting soon: 1." in output
    assert "Sittings announced as starting soon: 0." in output
    assert Notice.objects.filter(user=member.user, event_type="sitting_soon").count() == 1
