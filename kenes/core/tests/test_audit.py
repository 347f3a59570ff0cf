from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection

from kenes.core.audit import (
    GENESIS_HASH,
    AuditTarget,
    append_entries,
    chain_of,
    new_entry,
    record_audit,
    verify_audit_chain,
)
from kenes.core.models import AUDIT_CHAINS, AuditChainHead, AuditEntry
from kenes.core.request_context import reset_request_id, set_request_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user(username="clerk", password=None, full_name="<script>Clerk</script>")


def _record_three(actor) -> list[AuditEntry]:
    return [
        record_audit(actor=actor, action="proposal.submitted", target=actor, after={"title": "<script>x</script>"}),
        record_audit(actor=actor, action="proposal.supported", target=actor, before={"n": 1}, after={"n": 2}),
        record_audit(actor=None, action="import.finished", after={"created": 3}),
    ]


def _tamper(sql: str, params: list[str | int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_each_row_links_to_the_hash_of_the_row_before(clerk):
    first, second, third = _record_three(clerk)

    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert verify_audit_chain() is None


def test_a_row_records_actor_target_and_the_change(clerk):
    entry = record_audit(actor=clerk, action="user.renamed", target=clerk, before={"a": 1}, after={"a": 2})
    stored = AuditEntry.objects.get(pk=entry.pk)

    assert stored.actor == clerk
    assert stored.actor_label == "<script>Clerk</script>"
    assert stored.target_type == "accounts.user"
    assert stored.target_id == str(clerk.pk)
    assert (stored.before, stored.after) == ({"a": 1}, {"a": 2})
    assert stored.created_at is not None


def test_an_anonymous_or_missing_actor_is_recorded_as_the_system():
    entry = record_audit(actor=None, action="import.finished")

    assert entry.actor is None
    assert entry.actor_label == "system"


def test_verify_audit_reports_an_intact_log_with_its_row_count(clerk, capsys):
    _record_three(clerk)

    call_command("verify_audit")

    output = capsys.readouterr().out
    assert "intact" in output
    assert "3 rows" in output


def test_an_edit_made_in_sql_is_caught_and_names_the_row(clerk):
    _first, second, _third = _record_three(clerk)
    _tamper("UPDATE core_auditentry SET action = %s WHERE id = %s", ["proposal.withdrawn", second.pk])

    broken = verify_audit_chain()

    assert broken is not None
    assert broken.entry_id == second.pk
    with pytest.raises(CommandError, match=rf"row {second.pk}\b"):
        call_command("verify_audit")


def test_verify_audit_exits_non_zero_on_a_tampered_log(clerk, capsys):
    _first, second, _third = _record_three(clerk)
    _tamper("UPDATE core_auditentry SET after = %s WHERE id = %s", ['{"n": 200}', second.pk])

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "verify_audit"]).execute()

    assert exited.value.code != 0
    assert f"row {second.pk}" in capsys.readouterr().err


def test_an_edit_that_also_rewrites_the_hash_breaks_the_next_link(clerk):
    first, _second, _third = _record_three(clerk)
    _tamper("UPDATE core_auditentry SET hash = %s WHERE id = %s", ["f" * 64, first.pk])

    broken = verify_audit_chain()

    assert broken is not None
    assert broken.entry_id == first.pk  # its own contents no longer match the stored hash


def test_deleting_a_middle_row_in_sql_is_caught_at_the_next_row(clerk):
    _first, second, third = _record_three(clerk)
    _tamper("DELETE FROM core_auditentry WHERE id = %s", [second.pk])

    broken = verify_audit_chain()

    assert broken is not None
    assert broken.entry_id == third.pk
    assert "removed" in broken.reason


def test_deleting_the_newest_row_in_sql_is_caught_by_the_chain_head(clerk):
    _first, second, third = _record_three(clerk)
    _tamper("DELETE FROM core_auditentry WHERE id = %s", [third.pk])

    broken = verify_audit_chain()

    assert broken is not None
    assert broken.entry_id == second.pk
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_saving_an_existing_row_is_refused(clerk):
    entry = record_audit(actor=clerk, action="proposal.submitted")
    entry.action = "proposal.withdrawn"

    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "proposal.submitted"


def test_deleting_a_row_is_refused(clerk):
    entry = record_audit(actor=clerk, action="proposal.submitted")

    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.urls("kenes.core.tests.urls")
def test_the_request_id_from_the_header_lands_in_the_audit_row_and_the_response(client, clerk):
    response = client.get("/_test/audit/", headers={"X-Request-ID": "req-42.abc"})

    assert response["X-Request-ID"] == "req-42.abc"
    assert response.json()["request_id"] == "req-42.abc"
    assert AuditEntry.objects.get().request_id == "req-42.abc"


@pytest.mark.urls("kenes.core.tests.urls")
def test_a_request_without_an_id_gets_a_generated_one(client, clerk):
    response = client.get("/_test/audit/")

    generated = response["X-Request-ID"]
    assert len(generated) == 32
    assert AuditEntry.objects.get().request_id == generated


@pytest.mark.urls("kenes.core.tests.urls")
def test_a_malformed_request_id_is_replaced(client, clerk):
    response = client.get("/_test/audit/", headers={"X-Request-ID": "<script>alert(1)</script>"})

    assert response["X-Request-ID"] != "<script>alert(1)</script>"
    assert AuditEntry.objects.get().request_id == response["X-Request-ID"]


def test_rows_written_outside_a_request_have_no_request_id():
    assert record_audit(actor=None, action="import.finished").request_id == ""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_on_postgresql_keep_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    writers = 20

    errors = _at_once(
        writers, lambda number: record_audit(actor=None, action="test.concurrent", after={"writer": number})
    )

    assert errors == []
    assert AuditEntry.objects.count() == writers
    assert verify_audit_chain() is None


def _at_once(writers: int, work) -> list[BaseException]:
    """Runs work(number) in `writers` threads released together; returns what they raised."""
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            work(number)
        except BaseException as exc:  # pragma: no cover - reported by the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _in_request(request_id: str, **entry):
    token = set_request_id(request_id)
    try:
        return record_audit(**entry)
    finally:
        reset_request_id(token)


def _request_ids_in_two_chains() -> tuple[str, str]:
    first = "request-0"
    for number in range(1, 64):
        other = f"request-{number}"
        if chain_of(other) != chain_of(first):
            return first, other
    raise AssertionError("64 request ids all in one chain: chain_of does not spread")


def test_requests_write_to_side_by_side_chains_that_all_verify(clerk):
    one, two = _request_ids_in_two_chains()
    a1 = _in_request(one, actor=clerk, action="user.renamed", target=clerk)
    b1 = _in_request(two, actor=clerk, action="user.renamed", target=clerk)
    a2 = _in_request(one, actor=clerk, action="user.checked", target=clerk)
    system = record_audit(actor=None, action="import.finished")

    assert a1.chain != b1.chain
    assert (a1.prev_hash, b1.prev_hash, a2.prev_hash) == (GENESIS_HASH, GENESIS_HASH, a1.hash)
    assert system.chain == 0
    assert AuditChainHead.objects.get(pk=a1.chain + 1).last_hash == a2.hash
    assert AuditChainHead.objects.get(pk=b1.chain + 1).last_hash == b1.hash
    assert {chain_of(f"{number:032x}") for number in range(400)} == set(range(AUDIT_CHAINS))
    assert verify_audit_chain() is None


def test_one_request_auditing_many_things_locks_one_chain_head(clerk):
    # Two heads taken in opposite orders by two transactions would deadlock: a request never takes two.
    entries = [
        _in_request("one-request", actor=clerk, action="user.renamed", target=target) for target in (clerk, None, clerk)
    ]

    assert len({entry.chain for entry in entries}) == 1


def test_removing_the_newest_row_of_one_chain_is_caught_though_others_go_on(clerk):
    one, two = _request_ids_in_two_chains()
    a1 = _in_request(one, actor=clerk, action="user.renamed", target=clerk)
    a2 = _in_request(one, actor=clerk, action="user.renamed", target=clerk)
    _in_request(two, actor=clerk, action="user.renamed", target=clerk)
    _tamper("DELETE FROM core_auditentry WHERE id = %s", [a2.pk])

    broken = verify_audit_chain()

    assert broken is not None
    assert broken.entry_id == a1.pk
    assert "removed" in broken.reason


def test_an_edit_in_a_chain_other_than_the_first_is_caught(clerk):
    one, two = _request_ids_in_two_chains()
    _in_request(one, actor=clerk, action="user.renamed", target=clerk)
    other = _in_request(two, actor=clerk, action="user.renamed", target=clerk)
    _tamper("UPDATE core_auditentry SET action = %s WHERE id = %s", ["user.deleted", other.pk])

    broken = verify_audit_chain()

    assert broken is not None
    assert broken.entry_id == other.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_auditing_several_things_each_neither_deadlock_nor_break_a_chain():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from django.db import transaction

    writers, rounds = 16, 5

    def request(number: int) -> None:
        token = set_request_id(f"concurrent-request-{number}")
        try:
            for step in range(rounds):
                with transaction.atomic():  # one transaction auditing two things, as a service does
                    record_audit(actor=None, action="test.first", after={"writer": number, "step": step})
                    record_audit(actor=None, action="test.second", after={"writer": number, "step": step})
        finally:
            reset_request_id(token)

    errors = _at_once(writers, request)

    assert errors == []
    assert AuditEntry.objects.count() == writers * rounds * 2
    assert AuditEntry.objects.values("chain").distinct().count() > 1
    assert verify_audit_chain() is None


def test_the_database_refuses_a_chain_out_of_range(clerk):
    from django.db import IntegrityError, transaction

    entry = record_audit(actor=clerk, action="user.renamed", target=clerk)

    with pytest.raises(IntegrityError), transaction.atomic():
        _tamper("UPDATE core_auditentry SET chain = %s WHERE id = %s", [AUDIT_CHAINS, entry.pk])


def test_entries_appended_together_are_stored_as_given_and_verify(clerk):
    # A group of supports appends its entries with one statement (on PostgreSQL, as one JSON
    # document): every value, the time to the microsecond and an absent "before" come back as given.
    (earlier,) = append_entries([new_entry(actor=clerk, action="user.renamed", target=clerk)], chain=3)
    given = [
        new_entry(actor=clerk, action="proposal.supported", after={"support_count": 7}, request_id="group"),
        new_entry(
            actor=None,
            action="proposal.supported",
            target=AuditTarget("proposals.proposal", "12", "Жол жөндеу «Ақжол» — ё"),
            before={"nested": {"list": [1, 2.5, None, "сөз"]}},
            after={"n": 2},
            request_id="group",
        ),
    ]

    append_entries(given, chain=3)

    stored = list(AuditEntry.objects.filter(request_id="group").order_by("id"))
    fields = ("actor_id", "actor_label", "action", "target_type", "target_id", "target_label", "before", "after")
    assert [[getattr(entry, name) for name in fields] for entry in stored] == [
        [getattr(entry, name) for name in fields] for entry in given
    ]
    assert [entry.created_at for entry in stored] == [entry.created_at for entry in given]
    assert [entry.created_at.microsecond for entry in stored] == [entry.created_at.microsecond for entry in given]
    assert stored[0].before is None
    assert [(entry.chain, entry.prev_hash, entry.hash) for entry in stored] == [
        (3, earlier.hash, given[0].hash),
        (3, given[0].hash, given[1].hash),
    ]
    assert AuditEntry.objects.get(pk=earlier.pk).prev_hash == GENESIS_HASH  # a lone entry gets its id
    assert AuditChainHead.objects.get(pk=4).last_hash == given[1].hash
    assert verify_audit_chain() is None
