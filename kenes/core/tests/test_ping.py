"""The trivial view the load benchmarks compare every page with."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.mark.django_db
def test_ping_answers_ok_without_touching_the_database(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = client.get("/-/ping")

    assert (response.status_code, response.content, response["Content-Type"]) == (200, b"ok", "text/plain")
    assert client.post("/-/ping").status_code == 405
