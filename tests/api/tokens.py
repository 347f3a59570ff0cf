"""API tokens for tests: `bearer_for(user)` issues one through the accounts service, as the person
would on their profile page, and returns its secret for the `Authorization: Bearer` header."""

from __future__ import annotations

from typing import Any

from kenes.accounts.services import issue_api_token


def bearer_for(user: Any) -> str:
    _token, secret = issue_api_token(actor=user, user=user, name="tests")
    return secret
