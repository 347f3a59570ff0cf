"""The one error type a broken domain rule raises, in every app."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the domain was broken: `message` is translated, `code` is stable for clients."""

    def __init__(self, message: str | Promise, code: str, *, status: int = 400) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.status = status

    def __str__(self) -> str:
        return str(self.message)
