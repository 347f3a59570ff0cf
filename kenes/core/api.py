"""What every app's API router shares: the error body and the error responses a read may give.
(The handlers that produce them are in config/api.py.)"""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    # A sentence for DomainError; the list of field errors for a malformed request (422).
    detail: str | list[dict[str, Any]]
    code: str


READ_ERRORS: dict[int, Any] = {404: ErrorOut, 422: ErrorOut}
