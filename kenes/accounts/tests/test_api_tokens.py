"""API tokens: issued once and kept only as a digest, revoked at once, accepted by the API's
`TokenOrSessionAuth` (bearer token, or the site's session with its CSRF token), managed on the
profile page.

This module is also the URLconf of its API tests: a small API behind `TokenOrSessionAuth`, next to
the real site."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path, reverse
from django.utils import timezone
from ninja import NinjaAPI

from kenes.accounts.api_auth import token_or_session
from kenes.accounts.models import ApiToken, User
from kenes.accounts.selectors import user_for_api_token
from kenes.accounts.services import MAX_ACTIVE_API_TOKENS, issue_api_token, revoke_api_token
from kenes.accounts.tests.factories import SCRIPT, SuperuserFactory, UserFactory
from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry

# The test API -----------------------------------------------------------------------------------

api = NinjaAPI(urls_namespace="api_token_tests", docs_url=None)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc.message), "code": exc.code}, status=exc.status)


@api.get("/whoami", auth=token_or_session)
def whoami(request: HttpRequest) -> dict[str, Any]:
    return {"auth": request.auth.username, "user": request.user.username}  # type: ignore[attr-defined]


@api.post("/whoami", auth=token_or_session)
def post_whoami(request: HttpRequest) -> dict[str, Any]:
    return {"auth": request.auth.username, "user": request.user.username}  # type: ignore[attr-defined]


urlpatterns = [path("_test_api/", api.urls), path("", include("config.urls"))]

as_urlconf = pytest.mark.urls(__name__)
pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# Issuing ----------------------------------------------------------------------------------------


def test_issuing_returns_the_secret_once_and_keeps_only_its_digest():
    user = UserFactory.create()

    token, secret = issue_api_token(actor=user, user=user, name="  My   spreadsheet ")

    assert len(secret) >= 40
    assert token.name == "My spreadsheet"
    assert token.key_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8]
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(value) for value in stored.values()}


def test_issuing_is_audited_without_the_secret_or_its_digest():
    user = UserFactory.create()

    token, secret = issue_api_token(actor=user, user=user, name="Reports")

    entry = AuditEntry.objects.get(action="api_token.issued")
    assert entry.actor == user
    assert entry.target_id == str(token.pk)
    assert entry.after == {"user": user.pk, "name": "Reports", "prefix": token.prefix, "revoked": False}
    assert secret not in json.dumps(entry.after)
    assert token.key_digest not in json.dumps(entry.after)


def test_two_tokens_never_share_a_secret():
    user = UserFactory.create()

    secrets = {issue_api_token(actor=user, user=user, name=f"Token {n}")[1] for n in range(5)}

    assert len(secrets) == 5


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_sensible_name(name):
    user = UserFactory.create()

    with pytest.raises(DomainError) as error:
        issue_api_token(actor=user, user=user, name=name)

    assert error.value.code == "invalid_token_name"
    assert not ApiToken.objects.exists()


def test_nobody_makes_a_token_for_someone_else_not_even_an_administrator():
    owner = UserFactory.create()

    for actor in (UserFactory.create(), SuperuserFactory.create()):
        with pytest.raises(DomainError) as error:
            issue_api_token(actor=actor, user=owner, name="Theirs")
        assert error.value.code == "forbidden"
    assert not ApiToken.objects.exists()


def test_the_number_of_active_tokens_is_limited_and_revoking_one_frees_a_place():
    user = UserFactory.create()
    tokens = [issue_api_token(actor=user, user=user, name=f"Token {n}")[0] for n in range(MAX_ACTIVE_API_TOKENS)]

    with pytest.raises(DomainError) as error:
        issue_api_token(actor=user, user=user, name="One too many")
    assert error.value.code == "too_many_tokens"

    revoke_api_token(actor=user, token=tokens[0])
    issue_api_token(actor=user, user=user, name="In its place")
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == MAX_ACTIVE_API_TOKENS


# Revoking ---------------------------------------------------------------------------------------


def test_a_revoked_token_stops_working_at_once_and_revoking_again_changes_nothing():
    user = UserFactory.create()
    token, secret = issue_api_token(actor=user, user=user, name="Reports")

    revoked = revoke_api_token(actor=user, token=token)
    again = revoke_api_token(actor=user, token=token)

    assert revoked.revoked_at is not None
    assert again.revoked_at == revoked.revoked_at
    assert user_for_api_token(secret) is None
    assert AuditEntry.objects.filter(action="api_token.revoked").count() == 1


def test_someone_else_may_not_revoke_a_token_but_an_administrator_may():
    owner = UserFactory.create()
    token, _secret = issue_api_token(actor=owner, user=owner, name="Reports")

    with pytest.raises(DomainError) as error:
        revoke_api_token(actor=UserFactory.create(), token=token)
    assert error.value.code == "forbidden"

    administrator = SuperuserFactory.create()
    revoke_api_token(actor=administrator, token=token)
    assert AuditEntry.objects.get(action="api_token.revoked").actor == administrator


# Finding the person -----------------------------------------------------------------------------


def test_a_valid_secret_finds_its_owner():
    user = UserFactory.create()
    _token, secret = issue_api_token(actor=user, user=user, name="Reports")

    assert user_for_api_token(secret) == user


@pytest.mark.parametrize("secret", ["", "nonsense", "x" * 5000])
def test_an_unknown_secret_finds_nobody(secret):
    user = UserFactory.create()
    issue_api_token(actor=user, user=user, name="Reports")

    assert user_for_api_token(secret) is None


def test_the_digest_itself_is_not_a_secret():
    user = UserFactory.create()
    token, _secret = issue_api_token(actor=user, user=user, name="Reports")

    assert user_for_api_token(token.key_digest) is None


def test_a_deactivated_persons_token_finds_nobody():
    user = UserFactory.create()
    _token, secret = issue_api_token(actor=user, user=user, name="Reports")
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert user_for_api_token(secret) is None


def test_last_used_is_written_at_most_once_a_minute(django_assert_num_queries):
    user = UserFactory.create()
    token, secret = issue_api_token(actor=user, user=user, name="Reports")

    with django_assert_num_queries(2):  # read, then the first write
        user_for_api_token(secret)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    with django_assert_num_queries(1):  # read only
        user_for_api_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - datetime.timedelta(minutes=2))
    user_for_api_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first  # type: ignore[operator]


# TokenOrSessionAuth -----------------------------------------------------------------------------


@as_urlconf
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bearer_token_authenticates_without_a_csrf_token(method):
    client = Client(enforce_csrf_checks=True)
    user = UserFactory.create()
    _token, secret = issue_api_token(actor=user, user=user, name="Reports")

    response = getattr(client, method)("/_test_api/whoami", headers=bearer(secret))

    assert response.status_code == 200
    assert response.json() == {"auth": user.username, "user": user.username}


@as_urlconf
@pytest.mark.parametrize(
    "header", ["Bearer nonsense", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "bearer"], ids=repr
)
def test_a_bad_authorization_header_is_refused_even_with_a_session(header):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory.create())

    response = client.get("/_test_api/whoami", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


@as_urlconf
def test_a_revoked_token_is_refused():
    client = Client()
    user = UserFactory.create()
    token, secret = issue_api_token(actor=user, user=user, name="Reports")
    revoke_api_token(actor=user, token=token)

    response = client.get("/_test_api/whoami", headers=bearer(secret))

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


@as_urlconf
def test_without_a_token_or_a_session_the_api_answers_401():
    response = Client().get("/_test_api/whoami")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@as_urlconf
def test_a_session_reads_without_a_csrf_token_but_writes_only_with_one():
    client = Client(enforce_csrf_checks=True)
    user = UserFactory.create()
    client.force_login(user)

    read = client.get("/_test_api/whoami")
    refused = client.post("/_test_api/whoami")
    client.get(reverse("accounts:profile"))  # sets the CSRF cookie, as any page does
    allowed = client.post("/_test_api/whoami", headers={"X-CSRFToken": client.cookies["csrftoken"].value})

    assert read.status_code == 200
    assert read.json()["user"] == user.username
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert allowed.status_code == 200


@as_urlconf
def test_the_token_wins_over_the_session_it_comes_with():
    client = Client()
    client.force_login(UserFactory.create())
    owner = UserFactory.create()
    _token, secret = issue_api_token(actor=owner, user=owner, name="Reports")

    response = client.get("/_test_api/whoami", headers=bearer(secret))

    assert response.json()["user"] == owner.username


# Pages ------------------------------------------------------------------------------------------


def test_the_profile_lists_the_tokens_escaped_with_a_form_to_create_one(client: Client):
    user = UserFactory.create()
    issue_api_token(actor=user, user=user, name=f"Script {SCRIPT}")
    client.force_login(user)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert "Script &lt;script&gt;" in page
    assert SCRIPT not in page
    assert f'action="{reverse("accounts:tokens")}"' in page
    assert 'name="name"' in page


def test_the_token_pages_need_a_login(client: Client):
    user = UserFactory.create()
    token, _secret = issue_api_token(actor=user, user=user, name="Reports")

    listing = client.get(reverse("accounts:tokens"))
    revoking = client.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert listing.status_code == revoking.status_code == 302
    assert listing["Location"].startswith(reverse("accounts:login"))
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_creating_a_token_shows_its_secret_this_once_and_it_works(client: Client):
    user = UserFactory.create()
    client.force_login(user)

    response = client.post(reverse("accounts:tokens"), {"name": f"Sheet {SCRIPT}"})
    page = response.content.decode()
    token = ApiToken.objects.get(user=user)
    secret = page.split('id="new-token-secret" type="text" value="', 1)[1].split('"', 1)[0]

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert token.key_digest == ApiToken.digest_of(secret)
    assert user_for_api_token(secret) == user
    assert SCRIPT not in page
    assert secret not in client.get(reverse("accounts:tokens")).content.decode()


def test_a_blank_token_name_is_shown_as_a_form_error(client: Client):
    client.force_login(UserFactory.create())

    response = client.post(reverse("accounts:tokens"), {"name": "   "})

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_from_the_page_stops_the_token(client: Client):
    user = UserFactory.create()
    token, secret = issue_api_token(actor=user, user=user, name="Reports")
    client.force_login(user)

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)

    assert response.redirect_chain == [(reverse("accounts:tokens"), 302)]
    assert user_for_api_token(secret) is None
    assert "Reports" in response.content.decode()


def test_someone_elses_token_is_not_found_and_stays_active(client: Client):
    owner = UserFactory.create()
    token, secret = issue_api_token(actor=owner, user=owner, name="Reports")
    client.force_login(UserFactory.create())

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    assert user_for_api_token(secret) == owner


def test_revoking_is_a_post_only(client: Client):
    user = UserFactory.create()
    token, _secret = issue_api_token(actor=user, user=user, name="Reports")
    client.force_login(user)

    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405


def test_the_tokens_page_has_a_fixed_query_budget(client: Client, django_assert_max_num_queries):
    user = UserFactory.create()
    for n in range(MAX_ACTIVE_API_TOKENS):
        token, _secret = issue_api_token(actor=user, user=user, name=f"Token {n}")
        if n % 2:
            revoke_api_token(actor=user, token=token)
    client.force_login(user)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("accounts:tokens"))

    assert response.content.decode().count('class="link" aria-describedby="api-token-') == MAX_ACTIVE_API_TOKENS // 2
