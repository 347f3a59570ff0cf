"""For the tests that act from many threads at the same moment (concurrency tests, the writer thread)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from kenes.core.errors import DomainError


@dataclass
class Together:
    """What the jobs gave back, in the order they finished: results, refusal codes, other errors."""

    results: list[Any] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


def run_together(jobs: Sequence[Callable[[], Any]], *, timeout: float = 120) -> Together:
    """Runs every job in its own thread, all released at once by a barrier; each thread closes its
    database connection when done (a test database cannot be dropped while one is open). Fails the
    test if a thread is still running after `timeout` seconds."""
    barrier = threading.Barrier(len(jobs))
    together = Together()

    def run(job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            together.results.append(job())
        except DomainError as refusal:
            together.refused.append(refusal.code)
        except BaseException as error:  # reported by the caller's assertion
            together.errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return together
