"""The writer thread of `WriteGroups`: asks that arrive together are written together, each caller
gets its own outcome or error, a failed group fails each of its callers and the thread goes on.
The write functions here are plain Python; the supports' real one is tested in
kenes/proposals/tests/test_grouped_supports.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from functools import partial

import pytest
from django.db import OperationalError, transaction

from kenes.core import grouped_writes
from kenes.core.grouped_writes import WriteGroups
from kenes.core.tests.threads import run_together


class Refused(Exception):
    pass


@pytest.fixture(autouse=True)
def _grouping_on(settings):
    settings.KENES_GROUPED_WRITES = True


def slow_doubling(groups: list[list[int]]):
    """A write that records each group it gets, takes a while, doubles each ask, refuses 13."""

    def write(asks: Sequence[int]) -> list[int | Exception]:
        groups.append(list(asks))
        time.sleep(0.05)
        return [Refused(ask) if ask == 13 else ask * 2 for ask in asks]

    return write


def submit_all(writer: WriteGroups, asks: list[int]) -> dict[int, object]:
    """Every ask from its own thread, all at once; what each caller got back or raised."""

    def call(ask: int) -> tuple[int, object]:
        try:
            return ask, writer.submit(ask)
        except Exception as error:  # the test looks at what was raised
            return ask, error

    return dict(run_together([partial(call, ask) for ask in asks], timeout=30).results)


def test_asks_that_arrive_together_are_written_in_few_groups_each_with_its_own_outcome():
    groups: list[list[int]] = []
    writer = WriteGroups("test", slow_doubling(groups))

    got = submit_all(writer, list(range(1, 31)))

    assert {ask: value for ask, value in got.items() if ask != 13} == {
        ask: ask * 2 for ask in range(1, 31) if ask != 13
    }
    assert isinstance(got[13], Refused)  # only its own caller gets the refusal
    assert sorted(ask for group in groups for ask in group) == list(range(1, 31))  # each written once
    # The first ask is written alone while the other 29 gather behind it.
    assert len(groups) < 30
    assert writer.largest_group > 1
    assert writer.groups_written == len(groups)


def test_a_failed_group_fails_each_of_its_callers_and_the_thread_goes_on():
    failing = {"on": True}

    def write(asks: Sequence[int]) -> list[int | Exception]:
        time.sleep(0.02)
        if failing["on"]:
            raise OperationalError("the database went away")
        return list(asks)

    writer = WriteGroups("test", write)
    got = submit_all(writer, [1, 2, 3, 4])

    errors = list(got.values())
    assert all(isinstance(error, OperationalError) for error in errors)
    assert len({id(error) for error in errors}) == 4  # each caller raises its own copy
    assert all(str(error) == "the database went away" for error in errors)
    failing["on"] = False
    assert writer.submit(5) == 5  # the same thread, after the failure


def test_an_unexpected_error_of_the_write_function_also_reaches_the_callers():
    def write(asks: Sequence[int]) -> list[int | Exception]:
        raise ZeroDivisionError("a bug")

    writer = WriteGroups("test", write)
    with pytest.raises(ZeroDivisionError, match="a bug"):
        writer.submit(1)
    assert writer.groups_written == 1


def test_a_caller_waits_at_most_wait_seconds_then_gets_a_database_error(monkeypatch):
    release = threading.Event()

    def write(asks: Sequence[int]) -> list[int | Exception]:
        release.wait(timeout=10)
        return list(asks)

    monkeypatch.setattr(grouped_writes, "WAIT_SECONDS", 0.2)
    writer = WriteGroups("test", write)
    try:
        with pytest.raises(OperationalError, match="no answer from the writer"):
            writer.submit(1)
    finally:
        release.set()


def test_with_grouping_off_the_caller_writes_its_own_ask_in_its_own_thread(settings):
    settings.KENES_GROUPED_WRITES = False
    threads: list[str] = []

    def write(asks: Sequence[int]) -> list[int | Exception]:
        threads.append(threading.current_thread().name)
        return [ask + 1 for ask in asks]

    writer = WriteGroups("test", write)

    assert writer.submit(1) == 2
    assert threads == [threading.current_thread().name]
    assert writer.groups_written == 0


@pytest.mark.django_db
def test_inside_a_transaction_the_caller_writes_its_own_ask_the_writer_could_not_see_it():
    threads: list[str] = []

    def write(asks: Sequence[int]) -> list[int | Exception]:
        threads.append(threading.current_thread().name)
        return list(asks)

    writer = WriteGroups("test", write)
    with transaction.atomic():
        assert writer.grouping() is False
        assert writer.submit(7) == 7
    assert threads == [threading.current_thread().name]


def test_stop_ends_the_thread_and_a_later_ask_starts_a_new_one():
    groups: list[list[int]] = []
    writer = WriteGroups("test", slow_doubling(groups))
    assert writer.submit(2) == 4
    thread = writer._thread
    assert thread is not None
    assert thread.is_alive()

    writer.stop()

    assert not thread.is_alive()
    assert writer.submit(3) == 6  # a later ask starts a new thread
    writer.stop()
