"""Notification pages through the HTTP client: a person's notices (newest first, unread marked, mark
all read, opening one), the menu's unread count, the settings (language, phone, quiet hours and the
matrix), linking Telegram and the bot's webhook, unsubscribing without signing in, and the staff
outbox with its retry. Factories put `<script>` in titles, bodies and names, so every page read here
is also an escaping test."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kenes.accounts.models import Role
from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant
from kenes.core.models import AuditEntry
from kenes.core.tests.pages import SCRIPT, assert_escaped, page, signed_in, speaking
from kenes.notifications import services
from kenes.notifications.forms import normalise_phone
from kenes.notifications.models import Channel, Contact, EventType, Notice, OutboxMessage, Preference
from kenes.notifications.tests.factories import ContactFactory, NoticeFactory, OutboxMessageFactory
from kenes.territory.tests.factories import OkrugFactory

pytestmark = pytest.mark.django_db

WEBHOOK_SECRET = "webhook-secret-for-tests"


@pytest.fixture
def visitor() -> Client:
    return speaking(Client(), "en")


@pytest.fixture
def person() -> Any:
    return UserFactory.create()


def oblast_admin(region: Any = None) -> Any:
    """An oblast administrator; `.region` is their oblast."""
    region = region or OkrugFactory.create().district.region
    user = UserFactory.create()
    grant(user, Role.OBLAST_ADMIN, region)
    user.region = region  # type: ignore[attr-defined]
    return user


def akimat_staff() -> Any:
    user = UserFactory.create()
    grant(user, Role.AKIMAT_STAFF, OkrugFactory.create())
    return user


def login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


# Notices --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["notifications:notices", "notifications:settings", "notifications:telegram", "notifications:outbox"]
)
def test_a_visitor_is_sent_to_log_in(visitor: Client, name: str) -> None:
    response = visitor.get(reverse(name))

    assert login_redirect(response)
    assert "next=" in response["Location"]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_notices_page_lists_the_persons_notices_newest_first_with_the_unread_marked(
    person: Any, language: str
) -> None:
    older = NoticeFactory.create(user=person, read_at=timezone.now())
    newer = NoticeFactory.create(user=person)
    someone_elses = NoticeFactory.create()

    html = page(signed_in(person, language).get(reverse("notifications:notices")))

    assert_escaped(html)
    assert f'lang="{language}"' in html
    assert escape(newer.title) in html
    assert escape(older.title) in html
    assert html.index(f'id="notice-{newer.pk}"') < html.index(f'id="notice-{older.pk}"')
    assert escape(someone_elses.title) not in html
    assert 'class="notice-card unread"' in html
    assert html.count('class="badge badge-unread"') == 1
    assert reverse("notifications:open", args=[newer.pk]) in html
    assert reverse("notifications:open", args=[older.pk]) not in html  # read: a plain link to its page
    assert f'href="{older.url}"' in html
    assert reverse("notifications:mark_all_read") in html


def test_the_notices_page_says_when_everything_is_read(person: Any) -> None:
    NoticeFactory.create(user=person, read_at=timezone.now())

    html = page(signed_in(person).get(reverse("notifications:notices")))

    assert "You have read every notice." in html
    assert reverse("notifications:mark_all_read") not in html


def test_a_notice_linking_outside_the_site_shows_no_link(person: Any) -> None:
    notice = NoticeFactory.create(user=person, url="https://evil.example/", read_at=timezone.now())
    javascript = NoticeFactory.create(user=person, url="javascript:alert(1)", read_at=timezone.now())

    html = page(signed_in(person).get(reverse("notifications:notices")))

    assert "evil.example" not in html
    assert "javascript:" not in html
    assert escape(notice.title) in html
    assert escape(javascript.title) in html


def test_the_notices_page_shows_twenty_a_page(person: Any) -> None:
    NoticeFactory.create_batch(23, user=person)
    client = signed_in(person)

    first = page(client.get(reverse("notifications:notices")))
    second = page(client.get(reverse("notifications:notices"), {"page": 2}))

    assert first.count('class="notice-card') == 20
    assert second.count('class="notice-card') == 3
    assert "Page 1 of 2" in first


def test_the_notices_page_takes_the_same_queries_for_few_and_many_notices(
    person: Any, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(person)
    NoticeFactory.create_batch(3, user=person)
    page(client.get(reverse("notifications:notices")))  # warm: the session, the roles and templates

    NoticeFactory.create_batch(30, user=person)
    # session, user, the menu's inbox link, the menu's unread count, the demo flag, the page's
    # unread count, the paginator's count and the notices themselves
    with django_assert_max_num_queries(8):
        page(client.get(reverse("notifications:notices")))


def test_mark_all_read_marks_only_the_persons_unread_notices(person: Any) -> None:
    mine = NoticeFactory.create_batch(2, user=person)
    someone_elses = NoticeFactory.create()

    response = signed_in(person).post(reverse("notifications:mark_all_read"))

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:notices")
    assert Notice.objects.filter(pk__in=[notice.pk for notice in mine], read_at__isnull=True).count() == 0
    someone_elses.refresh_from_db()
    assert someone_elses.read_at is None


def test_get_changes_no_notice(person: Any) -> None:
    notice = NoticeFactory.create(user=person)
    client = signed_in(person)

    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    assert client.get(reverse("notifications:open", args=[notice.pk])).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_opening_an_unread_notice_marks_it_read_and_goes_to_its_page(person: Any) -> None:
    notice = NoticeFactory.create(user=person, url="/proposals/7/")
    other = NoticeFactory.create(user=person)

    response = signed_in(person).post(reverse("notifications:open", args=[notice.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/proposals/7/"
    notice.refresh_from_db()
    other.refresh_from_db()
    assert notice.read_at is not None
    assert other.read_at is None


@pytest.mark.parametrize("url", ["", "https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_opening_a_notice_without_a_page_on_the_site_returns_to_the_list(person: Any, url: str) -> None:
    notice = NoticeFactory.create(user=person, url=url)

    response = signed_in(person).post(reverse("notifications:open", args=[notice.pk]))

    assert response["Location"] == reverse("notifications:notices")
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_opening_someone_elses_notice_is_404_and_changes_nothing(person: Any) -> None:
    notice = NoticeFactory.create()

    response = signed_in(person).post(reverse("notifications:open", args=[notice.pk]))

    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


# The menu -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_menu_shows_the_unread_count_with_a_word_for_screen_readers(person: Any, language: str) -> None:
    NoticeFactory.create_batch(3, user=person)
    NoticeFactory.create(user=person, read_at=timezone.now())
    NoticeFactory.create_batch(2)  # someone else's

    html = page(signed_in(person, language).get(reverse("home")))

    link = html[html.index(f'href="{reverse("notifications:notices")}"') :]
    link = link[: link.index("</a>")]
    assert "(3" in link
    assert '<span class="visually-hidden">' in link


def test_the_menu_shows_no_count_when_everything_is_read(person: Any) -> None:
    NoticeFactory.create(user=person, read_at=timezone.now())

    html = page(signed_in(person).get(reverse("home")))

    link = html[html.index(f'href="{reverse("notifications:notices")}"') :]
    assert link[: link.index("</a>")].endswith("Notices")


def test_the_menu_counts_at_most_ninety_nine(person: Any) -> None:
    Notice.objects.bulk_create(Notice(user=person, event_type=EventType.VOTE_OPEN, title="Дауыс") for _ in range(120))

    html = page(signed_in(person).get(reverse("home")))

    assert "(99+" in html


def test_a_visitor_has_no_notices_link(visitor: Client) -> None:
    html = page(visitor.get(reverse("home")))

    assert reverse("notifications:notices") not in html


def test_the_menus_count_costs_one_query(person: Any) -> None:
    NoticeFactory.create_batch(2, user=person)
    client = signed_in(person)

    with CaptureQueriesContext(connection) as queries:
        page(client.get(reverse("home")))

    table = Notice._meta.db_table
    assert len([query for query in queries.captured_queries if table in query["sql"]]) == 1


# Settings -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_settings_page_shows_every_event_type_on_every_channel_on_by_default(person: Any, language: str) -> None:
    html = page(signed_in(person, language).get(reverse("notifications:settings")))

    assert_escaped(html)
    for event_type in EventType.values:
        for channel in Channel.values:
            name = f"{event_type}__{channel}"
            assert f'name="{name}"' in html
            assert f'name="{name}" id="id_{name}" checked' in html
    assert f'href="{reverse("notifications:telegram")}"' in html
    assert Contact.objects.count() == 0  # reading the page writes nothing


def test_the_settings_page_says_which_channels_have_no_address(person: Any) -> None:
    html = page(signed_in(person).get(reverse("notifications:settings")))

    assert "add a phone above to get SMS" in html
    assert "link Telegram" in html


def test_the_settings_page_shows_the_persons_choice(person: Any) -> None:
    ContactFactory.create(user=person, telegram_chat_id="4242")
    Preference.objects.create(user=person, event_type=EventType.VOTE_OPEN, channel=Channel.SMS, enabled=False)

    html = page(signed_in(person).get(reverse("notifications:settings")))

    assert 'name="vote_open__sms" id="id_vote_open__sms">' in html
    assert 'name="vote_open__email" id="id_vote_open__email" checked' in html
    assert "add a phone above to get SMS" not in html
    assert "+77011234567" in html


def settings_form(**values: Any) -> dict[str, Any]:
    """Everything on, in Kazakh, no phone and no quiet hours, then `values`."""
    data: dict[str, Any] = {"language": "kk", "phone": "", "quiet_from": "", "quiet_until": ""}
    for event_type in EventType.values:
        for channel in Channel.values:
            data[f"{event_type}__{channel}"] = "on"
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def test_saving_the_settings_normalises_the_phone_and_writes_only_the_changed_preferences(person: Any) -> None:
    form = settings_form(language="ru", phone="8 701 123 45 67", quiet_from="22:00", quiet_until="07:00")
    form["vote_open__sms"] = None
    form = {key: value for key, value in form.items() if value is not None}

    response = signed_in(person).post(reverse("notifications:settings"), form)

    assert response.status_code == 302
    contact = Contact.objects.get(user=person)
    assert contact.language == "ru"
    assert contact.phone == "+77011234567"
    assert contact.quiet_from == datetime.time(22, 0)
    assert contact.quiet_until == datetime.time(7, 0)
    assert list(Preference.objects.filter(user=person).values_list("event_type", "channel", "enabled")) == [
        ("vote_open", "sms", False)
    ]


def test_turning_a_preference_back_on_saves_it(person: Any) -> None:
    Preference.objects.create(user=person, event_type=EventType.VOTE_OPEN, channel=Channel.SMS, enabled=False)

    signed_in(person).post(reverse("notifications:settings"), settings_form())

    assert Preference.objects.get(user=person, event_type=EventType.VOTE_OPEN, channel=Channel.SMS).enabled


@pytest.mark.parametrize("phone", ["12345", "+7 701 123", "+0 123 456 789", "телефон", "+77011234567890123"])
def test_a_wrong_phone_is_refused_by_its_field_and_nothing_is_saved(person: Any, phone: str) -> None:
    response = signed_in(person).post(reverse("notifications:settings"), settings_form(phone=phone))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Write the phone number with its country code" in html
    assert Contact.objects.count() == 0


def test_quiet_hours_need_both_ends(person: Any) -> None:
    response = signed_in(person).post(reverse("notifications:settings"), settings_form(quiet_from="22:00"))

    assert response.status_code == 400
    assert "Give both the start and the end of the quiet hours, or neither." in response.content.decode()
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("+77011234567", "+77011234567"),
        ("8 701 123 45 67", "+77011234567"),
        ("8 (701) 123-45-67", "+77011234567"),
        ("7 701 123 45 67", "+77011234567"),
        ("+7 701 123 45 67", "+77011234567"),
        ("701 123 45 67", "+77011234567"),
        ("００ ４９ １５１ ２３４５６７８９", "+4915123456789"),
        ("+7 916 123-45-67", "+79161234567"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_a_phone_is_stored_in_e164(written: str, stored: str) -> None:
    assert normalise_phone(written) == stored


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("+7 701 123 45 6", "invalid_phone"),
        ("12345", "invalid_phone"),
        ("телефон", "invalid_phone"),
        ("+7 701 123 45 67 доб. 5", "phone_extension"),
        ("8 7112 51 23 45", "landline_phone"),  # a landline in Oral
        ("00 49 30 1234567", "landline_phone"),  # and one in Berlin
    ],
)
def test_a_phone_no_sms_can_reach_is_refused_with_the_reason(written: str, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        normalise_phone(written)
    assert error.value.code == code


# Telegram -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_telegram_page_offers_a_code_and_shows_it_with_the_bots_link(
    person: Any, language: str, settings: Any
) -> None:
    settings.KENES_TELEGRAM_BOT_NAME = "kenes_test_bot"
    client = signed_in(person, language)
    before = page(client.get(reverse("notifications:telegram")))
    assert "t.me/kenes_test_bot?start=" not in before

    response = client.post(reverse("notifications:telegram"))

    assert response.status_code == 302
    code = Contact.objects.get(user=person).telegram_code
    assert code
    html = page(client.get(reverse("notifications:telegram")))
    assert_escaped(html)
    assert f"https://t.me/kenes_test_bot?start={code}" in html
    assert f"/start {code}" in html
    assert "@kenes_test_bot" in html


def test_an_expired_code_is_not_shown(person: Any) -> None:
    services.start_telegram_link(actor=person, now=timezone.now() - datetime.timedelta(hours=1))

    code = Contact.objects.get(user=person).telegram_code or "never shown"

    html = page(signed_in(person).get(reverse("notifications:telegram")))

    assert code not in html
    assert "?start=" not in html


def test_a_linked_person_may_unlink_telegram(person: Any) -> None:
    ContactFactory.create(user=person, telegram_chat_id="4242")
    pending = OutboxMessageFactory.create(user=person, channel=Channel.TELEGRAM, address="4242")
    client = signed_in(person)
    html = page(client.get(reverse("notifications:telegram")))
    assert reverse("notifications:unlink_telegram") in html
    assert "Telegram is linked" in html

    response = client.post(reverse("notifications:unlink_telegram"))

    assert response.status_code == 302
    assert Contact.objects.get(user=person).telegram_chat_id == ""
    pending.refresh_from_db()
    assert pending.status == OutboxMessage.Status.CANCELLED


def webhook(client: Client, update: Any, secret: str | None = WEBHOOK_SECRET) -> Any:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    body = update if isinstance(update, str) else json.dumps(update)
    return client.post(
        reverse("notifications:telegram_webhook"), body, content_type="application/json", headers=headers
    )


def start_update(text: str, chat_id: int = 777000111, chat_type: str = "private") -> dict[str, Any]:
    return {
        "update_id": 1,
        "message": {
            "message_id": 5,
            "date": 1700000000,
            "chat": {"id": chat_id, "type": chat_type},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Айгүл"},
            "text": text,
        },
    }


@pytest.fixture
def webhook_secret(settings: Any) -> str:
    settings.KENES_TELEGRAM_WEBHOOK_SECRET = WEBHOOK_SECRET
    return WEBHOOK_SECRET


def test_the_webhook_links_the_chat_that_sends_a_valid_code(person: Any, webhook_secret: str) -> None:
    code = services.start_telegram_link(actor=person).telegram_code

    response = webhook(Client(), start_update(f"/start {code}"))

    assert response.status_code == 200
    assert response.json() == {"ok": True}
    contact = Contact.objects.get(user=person)
    assert contact.telegram_chat_id == "777000111"
    assert contact.telegram_code is None


def test_the_webhook_answers_the_same_for_an_unknown_or_expired_code(person: Any, webhook_secret: str) -> None:
    code = services.start_telegram_link(actor=person, now=timezone.now() - datetime.timedelta(hours=1)).telegram_code

    expired = webhook(Client(), start_update(f"/start {code}"))
    unknown = webhook(Client(), start_update("/start NOSUCHCODE"))

    assert expired.status_code == unknown.status_code == 200
    assert expired.content == unknown.content == b'{"ok": true}'
    assert Contact.objects.get(user=person).telegram_chat_id == ""


def test_the_webhook_links_no_group_chat(person: Any, webhook_secret: str) -> None:
    code = services.start_telegram_link(actor=person).telegram_code

    response = webhook(Client(), start_update(f"/start {code}", chat_id=-100123, chat_type="group"))

    assert response.json() == {"ok": True}
    assert Contact.objects.get(user=person).telegram_chat_id == ""


@pytest.mark.parametrize(
    "update", [{"update_id": 2}, start_update("Сәлем"), start_update("/help"), {"update_id": 3, "message": "text"}]
)
def test_the_webhook_accepts_other_updates_and_does_nothing(webhook_secret: str, update: Any) -> None:
    response = webhook(Client(), update)

    assert response.status_code == 200
    assert response.json() == {"ok": True}


@pytest.mark.parametrize("secret", [None, "", "wrong-secret"])
def test_the_webhook_refuses_a_missing_or_wrong_secret(person: Any, webhook_secret: str, secret: str | None) -> None:
    code = services.start_telegram_link(actor=person).telegram_code

    response = webhook(Client(), start_update(f"/start {code}"), secret=secret)

    assert response.status_code == 403
    assert Contact.objects.get(user=person).telegram_chat_id == ""


def test_the_webhook_refuses_everything_while_no_secret_is_set(person: Any, settings: Any) -> None:
    settings.KENES_TELEGRAM_WEBHOOK_SECRET = ""
    code = services.start_telegram_link(actor=person).telegram_code

    response = webhook(Client(), start_update(f"/start {code}"), secret="")

    assert response.status_code == 403
    assert Contact.objects.get(user=person).telegram_chat_id == ""


def test_the_webhook_refuses_a_body_that_is_not_an_update(webhook_secret: str) -> None:
    assert webhook(Client(), "{not json").status_code == 400
    assert webhook(Client(), "[1, 2]").status_code == 400
    assert Client().get(reverse("notifications:telegram_webhook")).status_code == 405


def test_the_webhook_needs_no_csrf_token(person: Any, webhook_secret: str) -> None:
    code = services.start_telegram_link(actor=person).telegram_code

    response = webhook(Client(enforce_csrf_checks=True), start_update(f"/start {code}"))

    assert response.status_code == 200
    assert Contact.objects.get(user=person).telegram_chat_id == "777000111"


# Unsubscribe ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_unsubscribe_link_shows_what_it_turns_off_without_signing_in(person: Any, language: str) -> None:
    token = services.unsubscribe_token(user=person, event_type=EventType.SITTING_SOON, channel=Channel.SMS)

    html = page(speaking(Client(), language).get(reverse("notifications:unsubscribe", args=[token])))

    assert_escaped(html)
    assert f'lang="{language}"' in html
    assert 'method="post"' in html
    assert Preference.objects.count() == 0  # the link alone changes nothing


def test_the_unsubscribe_page_names_the_event_type_and_channel(person: Any) -> None:
    token = services.unsubscribe_token(user=person, event_type=EventType.SITTING_SOON, channel=Channel.SMS)

    html = page(speaking(Client(), "en").get(reverse("notifications:unsubscribe", args=[token])))

    assert "A sitting is about to start" in html
    assert "SMS" in html


def test_unsubscribing_turns_the_channel_off_and_cancels_what_waits(person: Any) -> None:
    token = services.unsubscribe_token(user=person, event_type=EventType.SITTING_SOON, channel=Channel.SMS)
    waiting = OutboxMessageFactory.create(user=person, event_type=EventType.SITTING_SOON, channel=Channel.SMS)

    response = speaking(Client(enforce_csrf_checks=False), "en").post(
        reverse("notifications:unsubscribe", args=[token])
    )

    html = page(response)
    assert "You are unsubscribed" in html
    preference = Preference.objects.get(user=person)
    assert (preference.event_type, preference.channel, preference.enabled) == ("sitting_soon", "sms", False)
    waiting.refresh_from_db()
    assert waiting.status == OutboxMessage.Status.CANCELLED


def test_unsubscribing_works_with_the_csrf_check(person: Any) -> None:
    token = services.unsubscribe_token(user=person, event_type=EventType.VOTE_OPEN, channel=Channel.EMAIL)
    client = Client(enforce_csrf_checks=True)
    url = reverse("notifications:unsubscribe", args=[token])
    page(client.get(url))

    response = client.post(url, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    assert response.status_code == 200
    assert not Preference.objects.get(user=person).enabled


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_unsubscribe_token_is_404(person: Any, method: str) -> None:
    token = services.unsubscribe_token(user=person, event_type=EventType.VOTE_OPEN, channel=Channel.EMAIL)
    client = Client()

    for bad in ("nonsense", token[:-2] + "xx"):
        response = getattr(client, method)(reverse("notifications:unsubscribe", args=[bad]))
        assert response.status_code == 404
    assert Preference.objects.count() == 0


def test_the_unsubscribe_link_of_a_deleted_person_is_404() -> None:
    gone = UserFactory.create()
    token = services.unsubscribe_token(user=gone, event_type=EventType.VOTE_OPEN, channel=Channel.EMAIL)
    gone.delete()

    assert Client().post(reverse("notifications:unsubscribe", args=[token])).status_code == 404
    assert Preference.objects.count() == 0


# Outbox (staff) --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (lambda: UserFactory.create(), 403),
        (akimat_staff, 403),
        (oblast_admin, 200),
        (lambda: SuperuserFactory.create(), 200),
    ],
    ids=["resident", "akimat staff", "oblast administrator", "superuser"],
)
def test_the_outbox_is_for_oblast_administrators_and_superusers(persona: Any, status: int) -> None:
    response = signed_in(persona()).get(reverse("notifications:outbox"))

    assert response.status_code == status


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_outbox_shows_counts_the_queue_and_failures_with_their_errors(language: str) -> None:
    later = timezone.now() + datetime.timedelta(minutes=5)
    waiting = OutboxMessageFactory.create(next_attempt_at=later)
    dead = OutboxMessageFactory.create(
        channel=Channel.TELEGRAM, status=OutboxMessage.Status.DEAD, attempts=6, last_error=f"HTTP 500 {SCRIPT}"
    )
    OutboxMessageFactory.create(channel=Channel.EMAIL, status=OutboxMessage.Status.SENT, sent_at=timezone.now())

    html = page(signed_in(SuperuserFactory.create(), language).get(reverse("notifications:outbox")))

    assert_escaped(html)
    assert escape(f"HTTP 500 {SCRIPT}") in html
    assert f'id="message-{waiting.pk}"' in html
    assert f'id="message-{dead.pk}"' in html
    assert reverse("notifications:retry", args=[dead.pk]) in html
    assert reverse("notifications:retry", args=[waiting.pk]) not in html
    assert "+77011234567" not in html  # addresses are shown with most of them hidden
    assert "4567" in html
    counts = html[html.index('class="status-row-dead"') :]
    assert counts[: counts.index("</tr>")].count('<td class="num">1</td>') == 1


def test_the_outbox_filters_by_status_and_channel() -> None:
    sms_dead = OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD, attempts=6)
    email_dead = OutboxMessageFactory.create(channel=Channel.EMAIL, status=OutboxMessage.Status.DEAD)
    waiting = OutboxMessageFactory.create()
    client = signed_in(SuperuserFactory.create())

    dead_sms = page(client.get(reverse("notifications:outbox"), {"status": "dead", "channel": "sms"}))
    queue = page(client.get(reverse("notifications:outbox"), {"status": "queue"}))
    nonsense = page(client.get(reverse("notifications:outbox"), {"status": "nonsense"}))

    assert f'id="message-{sms_dead.pk}"' in dead_sms
    assert f'id="message-{email_dead.pk}"' not in dead_sms
    assert f'id="message-{waiting.pk}"' not in dead_sms
    assert f'id="message-{waiting.pk}"' in queue
    assert f'id="message-{sms_dead.pk}"' not in queue
    assert f'id="message-{waiting.pk}"' in nonsense  # an unknown filter shows everything


def test_the_outbox_shows_twenty_a_page() -> None:
    OutboxMessageFactory.create_batch(23)
    client = signed_in(SuperuserFactory.create())

    first = page(client.get(reverse("notifications:outbox")))
    second = page(client.get(reverse("notifications:outbox"), {"page": 2}))

    assert first.count('id="message-') == 20
    assert second.count('id="message-') == 3


def test_the_outbox_takes_the_same_queries_for_few_and_many_messages(django_assert_max_num_queries: Any) -> None:
    admin = oblast_admin()
    client = signed_in(admin)
    OutboxMessageFactory.create_batch(3, status=OutboxMessage.Status.DEAD, region=admin.region)
    page(client.get(reverse("notifications:outbox")))

    OutboxMessageFactory.create_batch(30, region=admin.region)
    OutboxMessageFactory.create_batch(
        5, channel=Channel.TELEGRAM, status=OutboxMessage.Status.DEAD, region=admin.region
    )
    # session, user, the permission, the menu's inbox link and unread count, the demo flag, the
    # counts, the paginator's count and the messages with their people
    with django_assert_max_num_queries(9):
        page(client.get(reverse("notifications:outbox")))


def test_staff_send_a_failed_message_again_and_return_to_their_filtered_list() -> None:
    admin = oblast_admin()
    dead = OutboxMessageFactory.create(
        status=OutboxMessage.Status.DEAD, attempts=6, last_error="HTTP 500", region=admin.region
    )
    back = reverse("notifications:outbox") + "?status=dead&channel=sms"

    response = signed_in(admin).post(reverse("notifications:retry", args=[dead.pk]), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    dead.refresh_from_db()
    assert dead.status == OutboxMessage.Status.PENDING
    assert dead.attempts == 0
    assert dead.last_error == ""
    assert AuditEntry.objects.filter(action="notifications.message_retried", actor=admin).exists()


def test_sending_again_goes_back_only_to_the_outbox() -> None:
    dead = OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD)

    response = signed_in(SuperuserFactory.create()).post(
        reverse("notifications:retry", args=[dead.pk]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("notifications:outbox")


@pytest.mark.parametrize("status", [OutboxMessage.Status.SENT, OutboxMessage.Status.CANCELLED])
def test_only_a_failed_message_is_sent_again(status: str) -> None:
    message = OutboxMessageFactory.create(status=status, sent_at=timezone.now())
    client = signed_in(SuperuserFactory.create())

    response = client.post(reverse("notifications:retry", args=[message.pk]), follow=True)

    assert "Only a message that failed can be sent again." in page(response)
    message.refresh_from_db()
    assert message.status == status


def test_an_oblast_administrator_sees_and_resends_only_their_oblasts_messages() -> None:
    admin = oblast_admin()
    other_oblast = oblast_admin()
    ours = OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD, region=admin.region)
    theirs = OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD, region=other_oblast.region)
    nowhere = OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD, region=None)
    client = signed_in(admin)

    html = page(client.get(reverse("notifications:outbox")))
    everything = page(signed_in(SuperuserFactory.create()).get(reverse("notifications:outbox")))

    assert f'id="message-{ours.pk}"' in html
    assert f'id="message-{theirs.pk}"' not in html
    assert f'id="message-{nowhere.pk}"' not in html
    counts = html[html.index('class="status-row-dead"') :]
    assert counts[: counts.index("</tr>")].count('<td class="num">1</td>') == 1
    assert all(f'id="message-{found.pk}"' in everything for found in (ours, theirs, nowhere))
    assert client.post(reverse("notifications:retry", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:retry", args=[nowhere.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == OutboxMessage.Status.DEAD
    assert client.post(reverse("notifications:retry", args=[ours.pk])).status_code == 302


@pytest.mark.parametrize("persona", [lambda: UserFactory.create(), akimat_staff], ids=["resident", "akimat staff"])
def test_others_may_not_send_a_message_again(persona: Any) -> None:
    dead = OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD)

    response = signed_in(persona()).post(reverse("notifications:retry", args=[dead.pk]))

    assert response.status_code == 403
    dead.refresh_from_db()
    assert dead.status == OutboxMessage.Status.DEAD


def test_sending_again_needs_a_post_and_a_sign_in() -> None:
    dead = OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD)

    assert login_redirect(Client().post(reverse("notifications:retry", args=[dead.pk])))
    assert signed_in(SuperuserFactory.create()).get(reverse("notifications:retry", args=[dead.pk])).status_code == 405
    dead.refresh_from_db()
    assert dead.status == OutboxMessage.Status.DEAD


@pytest.mark.parametrize("model", ["contact", "preference", "notificationevent", "notice", "outboxmessage"])
def test_the_admin_lists_every_table_read_only(model: str) -> None:
    ContactFactory.create()
    NoticeFactory.create()
    OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD)

    html = page(signed_in(SuperuserFactory.create()).get(reverse(f"admin:notifications_{model}_changelist")))

    assert_escaped(html)
    assert reverse(f"admin:notifications_{model}_add") not in html


def test_the_admin_sends_failed_messages_again_through_the_service() -> None:
    dead = OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD)
    sent = OutboxMessageFactory.create(status=OutboxMessage.Status.SENT, sent_at=timezone.now())
    admin = SuperuserFactory.create()

    signed_in(admin).post(
        reverse("admin:notifications_outboxmessage_changelist"),
        {"action": "send_again", "_selected_action": [dead.pk, sent.pk]},
    )

    dead.refresh_from_db()
    sent.refresh_from_db()
    assert dead.status == OutboxMessage.Status.PENDING
    assert sent.status == OutboxMessage.Status.SENT
    assert AuditEntry.objects.filter(action="notifications.message_retried", actor=admin).count() == 1
