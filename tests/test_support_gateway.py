"""The support gateway (config/gateway.py, decision 0014) answers a support with an API token
exactly as the site's own route does: the same status, body and headers, for a success (in its fast
lane, and the first time, when it learns the headers from its short chain) and for every refusal,
in the reader's language; what is not a support with a token goes to the site untouched. Here, not
in an app, because the gateway is the WSGI application's (config imports the apps)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from io import BytesIO
from typing import Any

import pytest
from django.core.wsgi import get_wsgi_application
from django.db import OperationalError, connection
from django.test import override_settings

import config.gateway
from config.gateway import SupportGateway, with_support_gateway
from config.wsgi import site
from kenes.accounts.models import ApiToken
from kenes.accounts.services import ensure_standard_roles, issue_api_token
from kenes.core.audit import verify_audit_chain
from kenes.core.models import AuditEntry
from kenes.core.tests.threads import run_together
from kenes.core.tests.wsgi import transaction_of_the_test_kept_open
from kenes.councils.tests.factories import CouncilFactory
from kenes.proposals.models import Proposal, Status, Support
from kenes.proposals.services import supports
from kenes.proposals.tests.factories import ProposalFactory, resident_of

pytestmark = pytest.mark.django_db

Answer = tuple[str, list[tuple[str, str]], bytes]


@pytest.fixture(autouse=True)
def _keep_the_test_transaction_open() -> Iterator[None]:
    """The calls go to WSGI applications, whose request signals would close the test's connection."""
    with transaction_of_the_test_kept_open():
        yield


@pytest.fixture
def gateway() -> SupportGateway:
    return SupportGateway(site)


@pytest.fixture
def council() -> Any:
    return CouncilFactory.create()


@pytest.fixture
def proposal(council: Any) -> Proposal:
    return ProposalFactory.create(council=council, status=Status.COLLECTING)


def token_of(person: Any) -> str:
    return issue_api_token(actor=person, user=person, name="test")[1]


def environ(path: str, *, method: str = "POST", authorization: str | None = None, **extra: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_X_REQUEST_ID": "gateway-test-1",
        "CONTENT_LENGTH": "0",
        "wsgi.input": BytesIO(b""),
        "wsgi.errors": BytesIO(),
        "wsgi.url_scheme": "http",
    }
    if authorization is not None:
        values["HTTP_AUTHORIZATION"] = authorization
    values.update(extra)
    return values


def call(app: Any, values: dict[str, Any]) -> Answer:
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started.append((status, headers))

    body = b"".join(app(dict(values), start_response))
    status, headers = started[0]
    return status, sorted(headers), body


def support_path(proposal: Proposal) -> str:
    return f"/api/v1/proposals/{proposal.pk}/support"


def test_a_support_is_answered_as_the_site_answers_it_in_both_lanes(gateway, proposal, council, monkeypatch):
    rendered = []
    short_chain_view = config.gateway.support

    def counted(*args: Any, **kwargs: Any) -> Any:
        rendered.append(1)
        return short_chain_view(*args, **kwargs)

    monkeypatch.setattr(config.gateway, "support", counted)
    person = resident_of(council.okrug)
    token = f"Bearer {token_of(person)}"
    first = call(gateway, environ(support_path(proposal), authorization=token))
    assert first[0] == "200 OK"
    assert rendered == [1]  # the first 200 of its kind is rendered by the short chain, which teaches its headers
    assert Support.objects.filter(proposal=proposal, resident=person).count() == 1
    assert Proposal.objects.get(pk=proposal.pk).support_count == 1
    # Supporting again changes nothing, so the same request has one right answer, whoever gives it.
    again = call(gateway, environ(support_path(proposal), authorization=token))
    assert rendered == [1]  # the fast lane
    by_the_site = call(site, environ(support_path(proposal), authorization=token))
    assert again == first == by_the_site
    assert b'"support_count": 1' in again[2]
    assert dict(again[1])["X-Request-ID"] == "gateway-test-1"
    assert Support.objects.filter(proposal=proposal).count() == 1


def test_the_fast_lane_keeps_the_readers_language_and_scheme_apart(proposal, council):
    token = f"Bearer {token_of(resident_of(council.okrug))}"
    with override_settings(SECURE_HSTS_SECONDS=3600):  # as in production: https answers differ
        the_site = get_wsgi_application()
        gateway = SupportGateway(the_site)
    for language in ("kk", "ru", "en"):
        for secure in (False, True):
            values = environ(support_path(proposal), authorization=token, HTTP_ACCEPT_LANGUAGE=language)
            if secure:
                values["wsgi.url_scheme"] = "https"
            answers = [call(gateway, values), call(gateway, values), call(the_site, values)]
            assert answers[0] == answers[1] == answers[2]
            assert dict(answers[0][1])["Content-Language"] == language
            assert ("Strict-Transport-Security" in dict(answers[0][1])) is secure


def test_the_fast_lane_audits_with_the_answered_request_id(gateway, proposal, council):
    person = resident_of(council.okrug)
    status, headers, _body = call(
        gateway, environ(support_path(proposal), authorization=f"Bearer {token_of(person)}", HTTP_X_REQUEST_ID="")
    )
    assert status == "200 OK"
    answered = dict(headers)["X-Request-ID"]
    assert len(answered) == 32
    entry = AuditEntry.objects.get(action="proposal.supported", target_id=str(proposal.pk))
    assert (entry.actor_id, entry.request_id) == (person.pk, answered)


def refusals(council: Any, proposal: Proposal) -> dict[str, tuple[str, str]]:
    """(path, Authorization) of each refusal the operation gives."""
    outsider = resident_of(CouncilFactory.create().okrug)
    revoked_person = resident_of(council.okrug)
    revoked = token_of(revoked_person)
    ApiToken.objects.filter(user=revoked_person).update(revoked_at=proposal.created_at)
    closed = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    draft = ProposalFactory.create(council=council, status=Status.DRAFT)
    resident = f"Bearer {token_of(resident_of(council.okrug))}"
    return {
        "not_resident": (support_path(proposal), f"Bearer {token_of(outsider)}"),
        "own_proposal": (support_path(proposal), f"Bearer {token_of(proposal.author)}"),
        "not_collecting": (support_path(closed), resident),
        "draft": (support_path(draft), resident),
        "missing": ("/api/v1/proposals/999999999/support", resident),
        "revoked": (support_path(proposal), f"Bearer {revoked}"),
        "unknown": (support_path(proposal), "Bearer not-a-token-of-ours"),
        "empty": (support_path(proposal), "Bearer "),
        "other_scheme": (support_path(proposal), "Token abc"),
    }


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_refusal_is_the_sites_own_answer_in_the_readers_language(gateway, proposal, council, language):
    expected_status = {
        "not_resident": "403",
        "own_proposal": "400",
        "not_collecting": "400",
        "draft": "404",
        "missing": "404",
        "revoked": "401",
        "unknown": "401",
        "empty": "401",
        "other_scheme": "401",
    }
    for name, (path, authorization) in refusals(council, proposal).items():
        values = environ(path, authorization=authorization, HTTP_ACCEPT_LANGUAGE=language)
        answered = call(gateway, values)
        expected = call(site, values)
        assert answered == expected, name
        assert answered[0].split()[0] == expected_status[name], name
        assert dict(answered[1])["Content-Language"] == language, name
    assert Support.objects.count() == 0
    assert AuditEntry.objects.filter(action="proposal.supported").count() == 0


def test_what_is_not_a_support_with_a_token_goes_to_the_site(proposal, council):
    seen: list[str] = []

    def the_site(values: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(f"{values['REQUEST_METHOD']} {values.get('SCRIPT_NAME', '')}{values['PATH_INFO']}")
        start_response("204 No Content", [])
        return [b""]

    gateway = SupportGateway(the_site)
    token = f"Bearer {token_of(resident_of(council.okrug))}"
    path = support_path(proposal)
    sent = [
        environ(path),  # no Authorization: the site's form and session
        environ(path, method="DELETE", authorization=token),  # withdrawing
        environ(path, method="GET", authorization=token),
        environ(f"/api/v1/proposals/0{proposal.pk}/support", authorization=token),  # ninja reads it, not us
        environ(f"{path}/", authorization=token),
        environ("/api/v1/proposals/1234567890123456789/support", authorization=token),
        environ(path, authorization=token, SCRIPT_NAME="/kenes"),
        environ(f"/api/v1/proposals/{proposal.pk}", authorization=token),
    ]
    for values in sent:
        assert call(gateway, values)[0] == "204 No Content"
    assert len(seen) == len(sent)
    assert Support.objects.count() == 0


def test_a_host_django_refuses_is_refused_before_anything_is_written(gateway, proposal, council):
    token = f"Bearer {token_of(resident_of(council.okrug))}"
    values = environ(support_path(proposal), authorization=token, HTTP_HOST="evil.example")
    answered = call(gateway, values)
    assert answered[0].startswith("400 ")
    assert answered == call(site, values)
    assert Support.objects.count() == 0


@override_settings(SECURE_SSL_REDIRECT=True)
def test_a_request_django_would_redirect_to_https_is_redirected_and_not_written(proposal, council):
    token = f"Bearer {token_of(resident_of(council.okrug))}"
    values = environ(support_path(proposal), authorization=token)
    answered = call(SupportGateway(site), values)
    assert answered[0].startswith("301 ")
    assert dict(answered[1])["Location"].startswith("https://testserver/")
    assert Support.objects.count() == 0


def test_a_database_that_does_not_answer_is_the_sites_503(gateway, proposal, council, monkeypatch):
    token = f"Bearer {token_of(resident_of(council.okrug))}"

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(config.gateway, "support_answer", unavailable)
    monkeypatch.setattr("kenes.proposals.api.support_answer", unavailable)
    values = environ(support_path(proposal), authorization=token, HTTP_ACCEPT_LANGUAGE="ru")
    answered = call(gateway, values)
    assert answered[0].startswith("503 ")
    assert dict(answered[1])["Retry-After"] == "10"
    assert b'"code": "unavailable"' in answered[2]
    assert answered == call(site, values)


def test_the_setting_turns_the_gateway_off():
    with override_settings(KENES_SUPPORT_GATEWAY=False):
        assert with_support_gateway(site) is site
    with override_settings(KENES_SUPPORT_GATEWAY=True):
        assert isinstance(with_support_gateway(site), SupportGateway)


@pytest.fixture
def writer_thread(settings: Any) -> Iterator[Any]:
    if connection.vendor != "postgresql":
        pytest.skip("the writer thread's own connection needs PostgreSQL")
    settings.KENES_GROUPED_WRITES = True
    yield supports
    supports.stop()  # closes its connection, so the test database can be dropped


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_callers_at_once_through_the_gateway_are_written_in_groups_and_counted_exactly(writer_thread):
    ensure_standard_roles()
    council = CouncilFactory.create()
    proposals = [ProposalFactory.create(council=council, status=Status.COLLECTING) for _ in range(2)]
    tokens = [f"Bearer {token_of(resident_of(council.okrug))}" for _ in range(30)]
    gateway = SupportGateway(site)
    writer_thread.largest_group = 0

    def supports_of(token: str) -> list[str]:
        return [call(gateway, environ(support_path(proposal), authorization=token))[0] for proposal in proposals]

    together = run_together([partial(supports_of, token) for token in tokens])

    assert together.errors == []
    assert [status for statuses in together.results for status in statuses] == ["200 OK"] * 60
    assert [Proposal.objects.get(pk=proposal.pk).support_count for proposal in proposals] == [30, 30]
    assert Support.objects.count() == 60
    assert AuditEntry.objects.filter(action="proposal.supported").count() == 60
    assert verify_audit_chain() is None
    assert writer_thread.largest_group > 1
