"""Proposal search: every word a prefix, Kazakh and Russian letters in any case, ё as е, and user
input that can never become database syntax. Runs on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kenes.accounts.models import User
from kenes.accounts.tests.factories import UserFactory
from kenes.councils.models import Council
from kenes.councils.tests.factories import CouncilFactory
from kenes.proposals.models import Area, Language, Proposal, Status
from kenes.proposals.search import (
    drop_search_index,
    ensure_search_index,
    fold,
    query_words,
    search_proposals,
)
from kenes.territory.models import Settlement
from kenes.territory.tests.factories import SettlementFactory

SCRIPT = "<script>alert(1)</script>"


@dataclass
class Place:
    council: Council
    settlement: Settlement
    author: User

    def propose(self, title: str, body: str = "", **fields: object) -> Proposal:
        return Proposal.objects.create(
            council=self.council,
            okrug=self.council.okrug,
            settlement=self.settlement,
            author=self.author,
            title=title,
            body=body or f"Мәтін {SCRIPT}",
            language=Language.KAZAKH,
            area=Area.INFRASTRUCTURE,
            status=Status.COLLECTING,
            submitted_at=timezone.now(),
            search_text=fold(f"{title} {body or SCRIPT}"),
            **fields,
        )


def _place() -> Place:
    council = CouncilFactory.create()
    return Place(council, SettlementFactory.create(okrug=council.okrug), UserFactory.create())


@pytest.fixture
def place(db: None) -> Place:
    return _place()


def found(query: str) -> set[str]:
    return set(search_proposals(Proposal.objects.all(), query).values_list("title", flat=True))


def test_fold_reads_every_kazakh_letter_in_any_case_and_yo_as_ye():
    assert fold("  ӘҒҚҢӨҰҮҺІ  Ёлка\tЖОЛ ") == "әғқңөұүһі елка жол"


def test_query_words_keep_letters_and_digits_and_drop_syntax():
    assert query_words('"Жол" OR -көпір* NEAR(10) жол') == ["жол", "or", "көпір", "near", "10"]


def test_a_word_finds_its_longer_kazakh_forms(place):
    place.propose("Жолды жөндеу")
    place.propose("Мектепке көпір")

    assert found("жол") == {"Жолды жөндеу"}


def test_every_word_must_match(place):
    place.propose("Жолды жөндеу", "Орталық көше")
    place.propose("Жолға жарық", "Саябақ")

    assert found("жол көше") == {"Жолды жөндеу"}
    assert found("жол") == {"Жолды жөндеу", "Жолға жарық"}


def test_a_word_is_matched_at_its_start_only(place):
    place.propose("Құдық қазу")

    assert found("дық") == set()
    assert found("құд") == {"Құдық қазу"}


@pytest.mark.parametrize("query", ["ҚҰДЫҚ", "құдық", "ҚұДыҚ"])
def test_case_does_not_matter_for_kazakh_letters(place, query):
    place.propose("құдық")

    assert found(query) == {"құдық"}


def test_each_kazakh_letter_is_found_in_upper_and_lower_case(place):
    place.propose("ӘСЕМ ҒИМАРАТ ҚАЛА ҢҒ ӨЗЕН ҰЯ ҮЙ ҺӘМ ІНІ")

    for word in ["әсем", "ғимарат", "қала", "ңғ", "өзен", "ұя", "үй", "һәм", "іні"]:
        assert found(word) == {"ӘСЕМ ҒИМАРАТ ҚАЛА ҢҒ ӨЗЕН ҰЯ ҮЙ ҺӘМ ІНІ"}, word


def test_yo_and_ye_find_each_other(place):
    place.propose("Новогодняя ёлка")
    place.propose("Зелёный парк")

    assert found("елка") == {"Новогодняя ёлка"}
    assert found("ЗЕЛЁН") == {"Зелёный парк"}
    assert found("зелен") == {"Зелёный парк"}


def test_the_body_is_searched_too(place):
    place.propose("Су", "Ауылға ауызсу құбыры керек")

    assert found("ауызсу құбыр") == {"Су"}


@pytest.mark.parametrize(
    "query",
    ['"жол"', "жол*", "-жол", "жол)", "(жол", "^жол", "жол:", "'жол'", "жол\\", "+жол", "{жол}", "жол;--"],
)
def test_search_syntax_typed_by_a_person_is_plain_text(place, query):
    place.propose("Жолды жөндеу")

    assert found(query) == {"Жолды жөндеу"}


@pytest.mark.parametrize("query", ["жол OR көпір", "жол NOT көпір", "NEAR(жол көпір)", "жол AND"])
def test_operator_words_are_words_to_find_not_operators(place, query):
    place.propose("Жолды жөндеу")
    place.propose("Көпір салу")

    assert found(query) == set()


@pytest.mark.parametrize("query", ["", "   ", '"*-()', "---"])
def test_a_query_without_words_leaves_the_list_as_it_is(place, query):
    place.propose("Жолды жөндеу")
    place.propose("Көпір салу")

    assert found(query) == {"Жолды жөндеу", "Көпір салу"}


def test_the_search_narrows_the_given_queryset_only(place):
    mine = place.propose("Жолды жөндеу")
    other = _place()
    other.propose("Жолға жарық")

    result = search_proposals(Proposal.objects.filter(council=mine.council), "жол")

    assert list(result) == [mine]


def test_the_search_works_joined_with_territory_and_inside_a_subquery(place):
    # Settlements and okrugs have their own search_text column: the search must not mix them up.
    road = place.propose("Жолды жөндеу")

    joined = search_proposals(Proposal.objects.select_related("okrug", "settlement", "author"), "жол")
    outer = Proposal.objects.filter(pk__in=search_proposals(Proposal.objects.all(), "жол").values("pk"))

    assert list(joined) == [road]
    assert list(outer) == [road]
    assert search_proposals(Proposal.objects.all(), "жол").count() == 1


def test_a_changed_text_is_found_by_its_new_words_only(place):
    proposal = place.propose("Жолды жөндеу")

    Proposal.objects.filter(pk=proposal.pk).update(search_text=fold("Көпір салу"))

    assert found("көпір") == {"Жолды жөндеу"}
    assert found("жол") == set()


def test_a_deleted_proposal_is_no_longer_found(place):
    proposal = place.propose("Жолды жөндеу")

    proposal.delete()

    assert found("жол") == set()


def test_a_dropped_index_is_put_back_with_the_existing_rows(place):
    place.propose("Жолды жөндеу")
    connection.check_constraints()  # PostgreSQL alters no table with deferred checks pending
    drop_search_index(connection)

    assert ensure_search_index(connection) is True
    assert ensure_search_index(connection) is False
    assert found("жол") == {"Жолды жөндеу"}


@pytest.mark.django_db(transaction=True)
def test_the_search_is_repaired_after_the_proposals_table_is_rebuilt():
    # SQLite alters a column by rebuilding the table, which drops the triggers; PostgreSQL alters
    # in place and keeps its index.
    place = _place()
    place.propose("Жолды жөндеу")
    old = Proposal._meta.get_field("forwarded_to")
    new = copy.copy(old)
    new.max_length = 400
    try:
        with connection.schema_editor() as editor:
            editor.alter_field(Proposal, old, new)

        assert ensure_search_index(connection) is (connection.vendor == "sqlite")
        place.propose("Көпір салу")
        assert found("жол") == {"Жолды жөндеу"}
        assert found("көпір") == {"Көпір салу"}
    finally:
        with connection.schema_editor() as editor:
            editor.alter_field(Proposal, new, old)
        ensure_search_index(connection)


@pytest.mark.postgres
def test_postgresql_answers_from_the_gin_index(place):
    if connection.vendor != "postgresql":
        pytest.skip("the GIN index exists on PostgreSQL only")
    place.propose("Жолды жөндеу")
    query = search_proposals(Proposal.objects.all(), "жол").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        # A table this small is best read whole; forbid that to see the plan a large one gets.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "proposal_search_gin" in plan, plan


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=80) | st.from_regex(r'[\w"*()\-:^+{}\'\\ ]{0,30}(AND|OR|NOT|NEAR)?', fullmatch=True))
def test_no_query_ever_raises(place, query):
    results = list(search_proposals(Proposal.objects.all(), query))

    assert all(isinstance(proposal, Proposal) for proposal in results)


def test_the_admin_search_uses_the_index_by_number_kato_and_username(place, client):
    from django.urls import reverse

    from kenes.accounts.tests.factories import SuperuserFactory

    road = place.propose("Жолды жөндеу")
    lamp = place.propose("Көше шамдары")
    other = _place().propose("Мектеп шатыры")
    client.force_login(SuperuserFactory.create())
    url = reverse("admin:proposals_proposal_changelist")

    def listed(query: str) -> set[int]:
        response = client.get(url, {"q": query})
        assert response.status_code == 200
        return {proposal.pk for proposal in response.context["cl"].result_list}

    assert listed("жол") == {road.pk}
    assert listed(str(lamp.pk)) >= {lamp.pk}
    assert other.pk not in listed(place.council.okrug.kato)
    assert listed(place.council.okrug.kato) == {road.pk, lamp.pk}
    assert listed(other.author.username) == {other.pk}
    assert listed(f"{SCRIPT} OR *") == set()
