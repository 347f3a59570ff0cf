"""For the tests that call a WSGI application directly (schemathesis, the support gateway)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@contextmanager
def transaction_of_the_test_kept_open() -> Iterator[None]:
    """Unhooks `close_old_connections` from the request signals while it lasts: a WSGI application
    called directly would otherwise close the connection that holds the test's transaction (Django's
    own test client unhooks them the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
