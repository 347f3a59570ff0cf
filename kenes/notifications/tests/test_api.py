"""Notifications API (/api/v1/notifications/): the caller's notices (paged, unread count, marking read)
and preferences (read and set), with an API token or the site's session, never someone else's; and
the operations fuzzed against their OpenAPI document with a token (the anonymous run is in tests/api)."""

from __future__ import annotations

from typing import Any, get_args

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from kenes.accounts.tests.factories import UserFactory
from kenes.core.tests.wsgi import transaction_of_the_test_kept_open
from kenes.notifications import api
from kenes.notifications.models import Channel, EventType, Notice, Preference
from kenes.notifications.tests.factories import ContactFactory, NoticeFactory
from tests.api.tokens import bearer_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications/"


@pytest.fixture
def person() -> Any:
    return UserFactory.create()


def with_token(user: Any) -> Client:
    client = Client(headers={"Authorization": f"Bearer {bearer_for(user)}"})
    client.cookies["kenes_language"] = "en"
    return client


def with_session(user: Any, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    client.cookies["kenes_language"] = "en"
    return client


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "notices", None),
        ("post", "notices/read", {"all": True}),
        ("get", "preferences", None),
        ("put", "preferences", {"items": [{"event_type": "vote_open", "channel": "sms", "enabled": False}]}),
    ],
)
def test_every_operation_needs_a_caller(method: str, path: str, body: Any) -> None:
    response = getattr(Client(), method)(BASE + path, body, content_type="application/json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_bad_token_is_refused() -> None:
    response = Client(headers={"Authorization": "Bearer not-a-token"}).get(BASE + "notices")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


# Notices --------------------------------------------------------------------------------------------


def test_the_notices_are_the_callers_newest_first_with_the_unread_count(person: Any) -> None:
    older = NoticeFactory.create(user=person, read_at=timezone.now())
    newer = NoticeFactory.create(user=person)
    NoticeFactory.create()  # someone else's

    body = with_token(person).get(BASE + "notices").json()

    assert body["count"] == 2
    assert body["unread_count"] == 1
    assert [item["id"] for item in body["items"]] == [newer.pk, older.pk]
    first = body["items"][0]
    assert first["title"] == newer.title  # JSON carries the text as written; pages escape it
    assert first["event_type"] == "proposal_status"
    assert first["read_at"] is None
    assert first["url"] == "/proposals/1/"


def test_the_notices_page_with_limit_and_offset_and_filter_the_unread(person: Any) -> None:
    made = NoticeFactory.create_batch(5, user=person)
    made[0].read_at = timezone.now()
    made[0].save()
    client = with_token(person)

    second = client.get(BASE + "notices", {"limit": 2, "offset": 2}).json()
    unread = client.get(BASE + "notices", {"unread": "true"}).json()

    assert second["count"] == 5
    assert (second["limit"], second["offset"]) == (2, 2)
    assert [item["id"] for item in second["items"]] == [made[2].pk, made[1].pk]
    assert unread["count"] == 4
    assert made[0].pk not in [item["id"] for item in unread["items"]]


def test_more_than_a_hundred_a_page_is_refused(person: Any) -> None:
    response = with_token(person).get(BASE + "notices", {"limit": 101})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_marking_read_by_id_skips_someone_elses_notices(person: Any) -> None:
    mine = NoticeFactory.create_batch(3, user=person)
    theirs = NoticeFactory.create()

    response = with_token(person).post(
        BASE + "notices/read", {"ids": [mine[0].pk, mine[1].pk, theirs.pk]}, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json() == {"marked": 2, "unread_count": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_all_read(person: Any) -> None:
    NoticeFactory.create_batch(3, user=person)
    theirs = NoticeFactory.create()

    response = with_token(person).post(BASE + "notices/read", {"all": True}, content_type="application/json")

    assert response.json() == {"marked": 3, "unread_count": 0}
    assert Notice.objects.filter(read_at__isnull=True).get() == theirs


def test_marking_read_needs_ids_or_all(person: Any) -> None:
    response = with_token(person).post(BASE + "notices/read", {"ids": []}, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_a_session_write_needs_its_csrf_token(person: Any) -> None:
    NoticeFactory.create(user=person)

    response = with_session(person, csrf=True).post(
        BASE + "notices/read", {"all": True}, content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert Notice.objects.filter(read_at__isnull=True).count() == 1


def test_a_session_reads_without_a_csrf_token(person: Any) -> None:
    NoticeFactory.create(user=person)

    response = with_session(person, csrf=True).get(BASE + "notices")

    assert response.status_code == 200
    assert response.json()["unread_count"] == 1


# Preferences ----------------------------------------------------------------------------------------


def test_the_preferences_are_every_event_type_on_every_channel_on_by_default(person: Any) -> None:
    ContactFactory.create(user=person)

    items = with_token(person).get(BASE + "preferences").json()["items"]

    assert len(items) == len(EventType.values) * len(Channel.values)
    assert all(item["enabled"] and item["is_default"] for item in items)
    reachable = {item["channel"]: item["reachable"] for item in items}
    assert reachable == {"in_app": True, "email": True, "sms": True, "telegram": False}


def test_setting_preferences_changes_only_the_listed_pairs(person: Any) -> None:
    Preference.objects.create(user=person, event_type=EventType.SITTING_SOON, channel=Channel.EMAIL, enabled=False)
    payload = {
        "items": [
            {"event_type": "vote_open", "channel": "sms", "enabled": False},
            {"event_type": "offer_match", "channel": "telegram", "enabled": True},
        ]
    }

    response = with_token(person).put(BASE + "preferences", payload, content_type="application/json")

    assert response.status_code == 200
    items = {(item["event_type"], item["channel"]): item for item in response.json()["items"]}
    assert items[("vote_open", "sms")]["enabled"] is False
    assert (
        items[("offer_match", "telegram")] | {"enabled": True, "is_default": False}
        == items[("offer_match", "telegram")]
    )
    assert items[("sitting_soon", "email")]["enabled"] is False
    assert items[("proposal_status", "email")]["is_default"] is True
    assert Preference.objects.filter(user=person).count() == 3


@pytest.mark.parametrize(
    "item",
    [
        {"event_type": "nonsense", "channel": "sms", "enabled": False},
        {"event_type": "vote_open", "channel": "pigeon", "enabled": False},
        {"event_type": "vote_open", "channel": "sms"},
    ],
)
def test_an_unknown_event_type_or_channel_is_refused(person: Any, item: dict[str, Any]) -> None:
    response = with_token(person).put(BASE + "preferences", {"items": [item]}, content_type="application/json")

    assert response.status_code == 422
    assert Preference.objects.count() == 0


def test_the_documented_codes_are_the_models_choices() -> None:
    assert set(get_args(api.EventTypeCode)) == set(EventType.values)
    assert set(get_args(api.ChannelCode)) == set(Channel.values)


# The document, with a token ------------------------------------------------------------------------

# The site's WSGI application (as config.wsgi makes it; an app may not import config).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def _keep_the_test_transaction_open() -> Any:
    """As in tests/api: calls go straight to the WSGI app, whose request signals would close the
    connection that holds the test's transaction."""
    with transaction_of_the_test_kept_open():
        yield


@pytest.fixture
def token_of_a_person_with_notices(_keep_the_test_transaction_open: None) -> str:
    person = UserFactory.create()
    NoticeFactory.create_batch(3, user=person)
    return bearer_for(person)


@schema.include(tag="notifications").parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_notifications_api_honours_its_document_for_a_person_with_a_token(
    case: schemathesis.Case, token_of_a_person_with_notices: str
) -> None:
    case.call_and_validate(
        headers={"Accept-Encoding": "identity", "Authorization": f"Bearer {token_of_a_person_with_notices}"},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
