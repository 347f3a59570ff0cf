"""Every API operation, fuzzed against its own OpenAPI document (/api/v1/openapi.json).

Fails on any 5xx, any response that does not match its schema, and any undocumented status.
Random 9-digit codes almost never hit a real unit, so every operation is also called with each
code of the small territory in `conftest.py`, and every integer parameter with the ids of its council
and its proposals and with an indicator year (explicit examples), reaching the 200 responses. The
writes need a session or an API token, so here they answer 401.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from config.wsgi import application
from kenes.core.tests.wsgi import transaction_of_the_test_kept_open
from tests.api.accountability import RECOMMENDATION_IDS
from tests.api.councils import RECORD_IDS
from tests.api.indicators import INDICATOR_YEARS
from tests.api.proposals import PROPOSAL_IDS
from tests.api.relocation import OFFER_IDS
from tests.api.territory import TERRITORY_CODES

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.hook
def before_add_examples(context: schemathesis.HookContext, examples: list[schemathesis.Case]) -> None:
    operation = context.operation
    assert operation is not None
    parameters = [p for p in operation.definition.raw.get("parameters", []) if p["in"] in {"path", "query"}]

    def values_of(parameter: dict[str, Any]) -> list[Any]:
        integer = parameter.get("schema", {}).get("type") == "integer"
        ids = [*sorted({*RECORD_IDS, *PROPOSAL_IDS, *RECOMMENDATION_IDS, *OFFER_IDS}), *INDICATOR_YEARS]
        # The ids come first: the first one is the path of an operation's query examples.
        return ids if integer else TERRITORY_CODES

    # A query example of an operation that also takes a path needs the path too.
    path = {p["name"]: values_of(p)[0] for p in parameters if p["in"] == "path"}
    for parameter in parameters:
        name = parameter["name"]
        for code in values_of(parameter):
            if parameter["in"] == "path":
                examples.append(operation.Case(path_parameters={**path, name: code}))
            elif path:
                examples.append(operation.Case(path_parameters=path, query={name: code}))
            else:
                examples.append(operation.Case(query={name: code}))


@pytest.fixture(autouse=True)
def _keep_the_test_transaction_open() -> Iterator[None]:
    """Calls go straight to the WSGI app, whose request signals would close the connection that
    holds the test's transaction (on PostgreSQL); Django's own test client unhooks them the same way."""
    with transaction_of_the_test_kept_open():
        yield


# With a token the header is always sent, so a case schemathesis made "invalid" by leaving the
# Authorization header out is not invalid when it arrives: the anonymous run (the first test) checks that
# invalid requests are refused; the token runs check what signed-in callers get back.
TOKEN_RUN_EXCLUDED: list[CheckFunction] = [positive_data_acceptance, negative_data_rejection]


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_honours_its_openapi_document(
    case: schemathesis.Case,
    proposals: dict[str, Any],
    meetings: dict[str, Any],
    accountability: dict[str, Any],
    relocation: dict[str, Any],
    indicators: dict[str, Any],
) -> None:
    # The site gzips responses (GZipMiddleware); this client does not inflate them.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})


@schema.include(tag="proposals").parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_proposals_api_honours_its_document_for_a_coordinator_with_a_token(
    case: schemathesis.Case, proposals: dict[str, Any]
) -> None:
    """The writes past their 401: drafts made (201), screening done or refused (200, 400, 404, 422).
    A schema cannot say which okrug has a council or which step a proposal may take next, so a
    well-formed request refused by a rule (400 or 422 with a code) is not a failure here."""
    token = proposals["coordinator_token"]
    case.call_and_validate(
        headers={"Accept-Encoding": "identity", "Authorization": f"Bearer {token}"},
        excluded_checks=TOKEN_RUN_EXCLUDED,
    )


@schema.include(tag="meetings").parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_meetings_api_honours_its_document_for_the_secretary_with_a_token(
    case: schemathesis.Case, meetings: dict[str, Any]
) -> None:
    """The secretary's writes past their 401: attendance recorded or refused, votes opened, closed or
    refused by a rule (403, 409 or 422 with a code), which a schema cannot foresee."""
    token = meetings["secretary_token"]
    case.call_and_validate(
        headers={"Accept-Encoding": "identity", "Authorization": f"Bearer {token}"},
        excluded_checks=TOKEN_RUN_EXCLUDED,
    )


@schema.include(tag="accountability").parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_accountability_api_honours_its_document_for_the_akimat_with_a_token(
    case: schemathesis.Case, accountability: dict[str, Any]
) -> None:
    """The okrug akim's staff past their 401: answers given, forwarded or extended, progress reported,
    or refused by a rule (403, 409 or 422 with a code: already answered, window closed, ...), which a
    schema cannot foresee."""
    token = accountability["akimat_token"]
    case.call_and_validate(
        headers={"Accept-Encoding": "identity", "Authorization": f"Bearer {token}"},
        excluded_checks=TOKEN_RUN_EXCLUDED,
    )


@schema.include(tag="relocation").parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_relocation_api_honours_its_document_for_an_applicant_with_a_token(
    case: schemathesis.Case, relocation: dict[str, Any]
) -> None:
    """A family from Oral past their 401: their applications and profile read, an offer applied to
    or refused by a rule (409 already applied, 404 for another's profile), which a schema cannot foresee."""
    token = relocation["applicant_token"]
    case.call_and_validate(
        headers={"Accept-Encoding": "identity", "Authorization": f"Bearer {token}"},
        excluded_checks=TOKEN_RUN_EXCLUDED,
    )
