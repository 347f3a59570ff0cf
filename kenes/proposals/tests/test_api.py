"""The proposals API (/api/v1/proposals/): public reads; writes with an API token or a session."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from django.test import Client

from kenes.accounts.services import issue_api_token, revoke_api_token
from kenes.accounts.tests.factories import UserFactory
from kenes.councils.tests.factories import CouncilFactory, complete_council
from kenes.proposals import api, services
from kenes.proposals.lifecycle import PUBLIC_STATUSES
from kenes.proposals.models import Area, EntryChannel, Language, Proposal, Status, Support, TimelineEvent
from kenes.proposals.tests.factories import (
    SCRIPT,
    ProposalFactory,
    add_supporters,
    coordinator_of,
    resident_of,
    settlement_of,
)
from kenes.territory.tests.factories import OkrugFactory, SettlementFactory
from tests.api.tokens import bearer_for

pytestmark = pytest.mark.django_db

API = "/api/v1/proposals"


@pytest.fixture
def council():
    return complete_council()


@pytest.fixture
def resident(council):
    return resident_of(council.okrug)


@pytest.fixture
def coordinator(council):
    return coordinator_of(council)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["kenes_language"] = "en"
    return client


def with_token(user: Any) -> Client:
    client = Client(headers={"Authorization": f"Bearer {bearer_for(user)}"})
    client.cookies["kenes_language"] = "en"
    return client


def draft_payload(council: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "okrug": council.okrug.kato,
        "settlement": settlement_of(council.okrug).kato,
        "title": f"Көшеге шам қою {SCRIPT}",
        "body": "Әлихан Бөкейхан көшесінде түнде жарық жоқ, қарттар құлап жүр.",
        "language": "kk",
        "area": "infrastructure",
        **overrides,
    }


def field_errors(response: Any) -> dict[str, str]:
    body = response.json()
    assert body["code"] == "invalid"
    return {error["loc"][-1]: error["msg"] for error in body["detail"]}


# The list ---------------------------------------------------------------------------------------


def test_the_list_shows_submitted_proposals_and_never_drafts(client, council):
    shown = ProposalFactory.create(council=council, status=Status.COLLECTING, support_count=3)
    ProposalFactory.create(council=council, status=Status.DRAFT)

    response = client.get(f"{API}/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert (body["limit"], body["offset"]) == (20, 0)
    [item] = body["items"]
    assert item["id"] == shown.pk
    assert item["title"] == shown.title  # JSON carries the text as written, <script> and all
    assert SCRIPT in item["title"]
    assert item["status"] == "collecting"
    assert item["okrug"] == council.okrug.kato
    assert item["settlement"] == shown.settlement.kato
    assert item["support_count"] == 3
    assert item["photo_count"] == 0
    assert item["assisted"] is False
    assert item["url"] == f"/proposals/{shown.pk}/"


def test_the_list_filters_by_okrug_district_area_status_and_settlement(client, council):
    wanted = ProposalFactory.create(council=council, status=Status.COLLECTING, area=Area.SOCIAL)
    ProposalFactory.create(council=council, status=Status.SUBMITTED, area=Area.SOCIAL)
    ProposalFactory.create(council=council, status=Status.COLLECTING, area=Area.INFRASTRUCTURE)
    elsewhere = ProposalFactory.create(council=CouncilFactory.create(), status=Status.COLLECTING, area=Area.SOCIAL)

    def ids(**query: str) -> set[int]:
        response = client.get(f"{API}/", query)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids(okrug=council.okrug.kato, area="social", status="collecting") == {wanted.pk}
    assert elsewhere.pk in ids(district=elsewhere.okrug.district.kato)
    assert wanted.pk not in ids(district=elsewhere.okrug.district.kato)
    assert ids(settlement=elsewhere.settlement.kato) == {elsewhere.pk}


def test_the_list_sorts_by_most_supported_and_pages_with_limit_and_offset(client, council):
    few = ProposalFactory.create(council=council, status=Status.COLLECTING, support_count=1)
    many = ProposalFactory.create(council=council, status=Status.COLLECTING, support_count=9)
    some = ProposalFactory.create(council=council, status=Status.COLLECTING, support_count=4)

    first = client.get(f"{API}/", {"sort": "supported", "limit": 2}).json()
    second = client.get(f"{API}/", {"sort": "supported", "limit": 2, "offset": 2}).json()

    assert first["count"] == second["count"] == 3
    assert [item["id"] for item in first["items"]] == [many.pk, some.pk]
    assert [item["id"] for item in second["items"]] == [few.pk]


def test_the_list_finds_kazakh_words_whatever_their_case(client, council):
    found = ProposalFactory.create(council=council, status=Status.COLLECTING, title="Өзен жағасындағы ҚҰДЫҚ")
    ProposalFactory.create(council=council, status=Status.COLLECTING, title="Мектеп шатыры")

    response = client.get(f"{API}/", {"q": "құдық"})

    assert [item["id"] for item in response.json()["items"]] == [found.pk]


def test_the_list_refuses_more_than_a_hundred_items_a_page(client):
    response = client.get(f"{API}/", {"limit": 101})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_the_list_answers_404_for_an_okrug_that_does_not_exist(client, council):
    response = client.get(f"{API}/", {"okrug": "999999999"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_list_keeps_to_its_query_budget(client, council, django_assert_max_num_queries):
    for _ in range(6):
        ProposalFactory.create(council=council, status=Status.COLLECTING)

    with django_assert_max_num_queries(3):
        response = client.get(f"{API}/", {"okrug": council.okrug.kato})

    assert len(response.json()["items"]) == 6


# One proposal -----------------------------------------------------------------------------------


def test_the_detail_shows_the_text_the_support_count_and_the_timeline(client, council, resident, coordinator):
    proposal = ProposalFactory.create(council=council, status=Status.DRAFT, estimated_cost=1_500_000)

    services.submit_proposal(actor=proposal.author, proposal=proposal)
    services.accept_proposal(actor=coordinator, proposal=proposal)
    services.support_proposal(actor=resident, proposal=proposal)

    response = client.get(f"{API}/{proposal.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["body"] == proposal.body
    assert body["estimated_cost"] == 1_500_000
    assert body["status"] == "collecting"
    assert body["support_count"] == 1
    assert body["support_threshold"] == council.charter.support_threshold
    assert body["screening_due_on"] is not None
    # The factory wrote the draft directly; the services wrote each step after it.
    assert [step["kind"] for step in body["timeline"]] == ["submitted", "accepted"]
    assert body["is_mine"] is False
    assert body["supported_by_me"] is False


def test_the_detail_tells_a_supporter_they_support_it(council, resident):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    Support.objects.create(proposal=proposal, resident=resident)

    body = signed_in(resident).get(f"{API}/{proposal.pk}").json()

    assert body["supported_by_me"] is True


def test_a_draft_is_404_to_everybody_but_its_author(client, council, resident):
    draft = ProposalFactory.create(council=council, status=Status.DRAFT)

    assert client.get(f"{API}/{draft.pk}").status_code == 404
    assert signed_in(resident).get(f"{API}/{draft.pk}").status_code == 404
    assert with_token(resident).get(f"{API}/{draft.pk}").status_code == 404

    own = signed_in(draft.author).get(f"{API}/{draft.pk}")
    assert own.status_code == 200
    assert own.json()["is_mine"] is True
    assert with_token(draft.author).get(f"{API}/{draft.pk}").status_code == 200


def test_a_missing_proposal_is_404_with_detail_and_code(client):
    response = client.get(f"{API}/987654")

    assert response.status_code == 404
    assert set(response.json()) == {"detail", "code"}


def test_the_detail_keeps_to_its_query_budget(client, council, django_assert_max_num_queries):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    add_supporters(proposal, 3)

    with django_assert_max_num_queries(3):
        response = client.get(f"{API}/{proposal.pk}")

    assert response.json()["support_count"] == 3


# Creating ---------------------------------------------------------------------------------------


def test_a_verified_resident_keeps_a_draft_with_a_session(council, resident):
    response = signed_in(resident).post(f"{API}/", draft_payload(council), content_type="application/json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["is_mine"] is True
    assert body["title"] == f"Көшеге шам қою {SCRIPT}"
    proposal = Proposal.objects.get(pk=body["id"])
    assert proposal.author == resident
    assert proposal.language == Language.KAZAKH


def test_a_resident_submits_at_once_with_a_bearer_token(council, resident):
    response = with_token(resident).post(
        f"{API}/", draft_payload(council, submit=True, estimated_cost=250_000), content_type="application/json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["estimated_cost"] == 250_000
    assert [step["kind"] for step in body["timeline"]] == ["created", "submitted"]


def test_creating_without_a_token_or_session_is_401(client, council):
    response = client.post(f"{API}/", draft_payload(council), content_type="application/json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not Proposal.objects.exists()


def test_a_bad_token_is_401(council):
    client = Client(headers={"Authorization": "Bearer not-a-real-token"})

    response = client.post(f"{API}/", draft_payload(council), content_type="application/json")

    assert response.status_code == 401


def test_malformed_fields_are_422_with_a_message_for_each_field(council, resident):
    payload = draft_payload(council, title="x" * 201, area="roads", language="en")

    response = signed_in(resident).post(f"{API}/", payload, content_type="application/json")

    assert response.status_code == 422
    assert {"title", "area", "language"} <= set(field_errors(response))


def test_a_blank_title_the_service_refuses_is_a_field_error_too(council, resident):
    response = signed_in(resident).post(f"{API}/", draft_payload(council, title="   "), content_type="application/json")

    assert response.status_code == 422
    assert field_errors(response) == {"title": "Give the proposal a title."}


def test_a_settlement_of_another_okrug_is_a_field_error(council, resident):
    other = SettlementFactory.create(okrug=OkrugFactory.create())

    response = signed_in(resident).post(
        f"{API}/", draft_payload(council, settlement=other.kato), content_type="application/json"
    )

    assert response.status_code == 422
    assert set(field_errors(response)) == {"settlement"}


def test_an_okrug_without_a_council_is_a_field_error(resident):
    okrug = OkrugFactory.create()
    SettlementFactory.create(okrug=okrug)

    response = signed_in(resident).post(
        f"{API}/", {**draft_payload(complete_council()), "okrug": okrug.kato}, content_type="application/json"
    )

    assert response.status_code == 422
    assert set(field_errors(response)) == {"okrug"}


def test_a_resident_whose_residency_is_not_verified_may_not_submit(council):
    declared = resident_of(council.okrug, verified=False)

    response = signed_in(declared).post(f"{API}/", draft_payload(council), content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Proposal.objects.exists()


# Supports ---------------------------------------------------------------------------------------


def test_a_resident_supports_once_and_withdraws(council, resident):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    client = with_token(resident)

    first = client.post(f"{API}/{proposal.pk}/support")
    again = client.post(f"{API}/{proposal.pk}/support")

    assert first.status_code == again.status_code == 200
    assert again.json() == {"proposal": proposal.pk, "supported": True, "support_count": 1, "status": "collecting"}
    assert Support.objects.filter(proposal=proposal).count() == 1

    withdrawn = client.delete(f"{API}/{proposal.pk}/support")

    assert withdrawn.status_code == 200
    assert withdrawn.json()["supported"] is False
    assert withdrawn.json()["support_count"] == 0


def test_reaching_the_threshold_makes_it_ready(council, resident):
    council.charter.support_threshold = 1
    council.charter.save(update_fields=["support_threshold"])
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)

    response = signed_in(resident).post(f"{API}/{proposal.pk}/support")

    assert response.json()["status"] == "ready"


def test_supporting_needs_a_caller(client, council):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)

    assert client.post(f"{API}/{proposal.pk}/support").status_code == 401
    assert client.delete(f"{API}/{proposal.pk}/support").status_code == 401


@pytest.mark.parametrize("secret", ["unknown", "x" * 300, "revoked"])
def test_supporting_with_a_bad_token_is_401_even_with_a_session_and_writes_nothing(council, resident, secret):
    # The support's token is checked by its group of writes, not before the operation (decision 0013).
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    if secret == "revoked":
        token, secret = issue_api_token(actor=resident, user=resident, name="phone")
        revoke_api_token(actor=resident, token=token)
    client = signed_in(resident)

    response = client.post(f"{API}/{proposal.pk}/support", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert not Support.objects.exists()


def test_supporting_a_draft_is_404(council, resident):
    draft = ProposalFactory.create(council=council, status=Status.DRAFT)

    response = signed_in(resident).post(f"{API}/{draft.pk}/support")

    assert response.status_code == 404
    assert not Support.objects.exists()


def test_an_author_cannot_support_their_own_proposal(council):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)

    response = signed_in(proposal.author).post(f"{API}/{proposal.pk}/support")

    assert response.status_code == 400
    assert response.json()["code"] == "own_proposal"


def test_a_resident_of_another_okrug_cannot_support(council):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    outsider = resident_of(OkrugFactory.create())

    response = signed_in(outsider).post(f"{API}/{proposal.pk}/support")

    assert response.status_code == 403
    assert response.json()["code"] == "not_resident"


# Screening --------------------------------------------------------------------------------------


def test_the_coordinator_accepts_a_submitted_proposal(council, coordinator):
    proposal = ProposalFactory.create(council=council, status=Status.SUBMITTED)

    response = with_token(coordinator).post(f"{API}/{proposal.pk}/accept")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "collecting"
    assert TimelineEvent.objects.filter(proposal=proposal, kind="accepted").exists()


def test_screening_by_anybody_else_is_404_as_if_the_proposal_did_not_exist(council, resident):
    proposal = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    other_coordinator = coordinator_of(CouncilFactory.create())

    for user in (resident, other_coordinator, UserFactory.create()):
        response = signed_in(user).post(f"{API}/{proposal.pk}/accept")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED


def test_screening_without_a_caller_is_401(client, council):
    proposal = ProposalFactory.create(council=council, status=Status.SUBMITTED)

    assert client.post(f"{API}/{proposal.pk}/accept").status_code == 401


def test_returning_needs_a_reason_and_shows_it_on_the_timeline(council, coordinator):
    proposal = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    client = signed_in(coordinator)

    blank = client.post(f"{API}/{proposal.pk}/return", {"reason": "  "}, content_type="application/json")
    missing = client.post(f"{API}/{proposal.pk}/return", {}, content_type="application/json")
    returned = client.post(
        f"{API}/{proposal.pk}/return", {"reason": "Көшенің атын жазыңыз."}, content_type="application/json"
    )

    assert blank.status_code == missing.status_code == 422
    assert set(field_errors(blank)) == set(field_errors(missing)) == {"reason"}
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    assert returned.json()["timeline"][-1] == {
        **returned.json()["timeline"][-1],
        "kind": "returned",
        "note": "Көшенің атын жазыңыз.",
    }


def test_merging_moves_the_supports_into_the_proposal_it_duplicates(council, coordinator):
    target = ProposalFactory.create(council=council, status=Status.COLLECTING)
    duplicate = ProposalFactory.create(council=council, status=Status.COLLECTING)
    both, only_duplicate = resident_of(council.okrug), resident_of(council.okrug)

    for person, proposal in ((both, target), (both, duplicate), (only_duplicate, duplicate)):
        services.support_proposal(actor=person, proposal=proposal)

    response = signed_in(coordinator).post(
        f"{API}/{duplicate.pk}/merge", {"into": target.pk}, content_type="application/json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "merged"
    assert response.json()["merged_into"] == target.pk
    target.refresh_from_db()
    assert target.support_count == 2


def test_merging_into_a_proposal_that_does_not_exist_is_a_field_error(council, coordinator):
    duplicate = ProposalFactory.create(council=council, status=Status.SUBMITTED)

    response = signed_in(coordinator).post(
        f"{API}/{duplicate.pk}/merge", {"into": 987654}, content_type="application/json"
    )

    assert response.status_code == 422
    assert set(field_errors(response)) == {"into"}


def test_forwarding_names_the_addressee(council, coordinator):
    proposal = ProposalFactory.create(council=council, status=Status.SUBMITTED)

    response = signed_in(coordinator).post(
        f"{API}/{proposal.pk}/forward",
        {"addressee": "Аудандық жолаушылар көлігі бөлімі", "reason": "Ауданның құзыреті."},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "forwarded"
    assert response.json()["forwarded_to"] == "Аудандық жолаушылар көлігі бөлімі"


def test_the_coordinator_puts_a_collecting_proposal_on_the_ready_list(council, coordinator):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)

    response = signed_in(coordinator).post(f"{API}/{proposal.pk}/ready")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"


def test_an_illegal_transition_is_a_400_naming_both_states(council, coordinator):
    proposal = ProposalFactory.create(council=council, status=Status.FORWARDED, forwarded_to="Аудан әкімдігі")

    response = signed_in(coordinator).post(f"{API}/{proposal.pk}/accept")

    assert response.status_code == 400
    assert response.json()["code"] == "illegal_transition"
    assert "Forwarded to the competent body" in response.json()["detail"]


def test_the_detail_for_a_token_holder_keeps_to_its_query_budget(council, resident, django_assert_max_num_queries):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    add_supporters(proposal, 3)
    client = with_token(resident)

    # The token's owner (and its last use), the proposal, its photos, whether they support it, the timeline.
    with django_assert_max_num_queries(6):
        response = client.get(f"{API}/{proposal.pk}")

    assert response.json()["supported_by_me"] is False


def test_the_documented_codes_are_the_models_choices():
    assert set(get_args(api.AreaCode)) == set(Area.values)
    assert set(get_args(api.LanguageCode)) == set(Language.values)
    assert set(get_args(api.StatusCode)) == set(Status.values)
    assert set(get_args(api.PublicStatusCode)) == set(PUBLIC_STATUSES)
    assert set(get_args(api.TimelineKind)) == set(TimelineEvent.Kind.values)
    assert set(get_args(api.ChannelCode)) == set(EntryChannel.values)
