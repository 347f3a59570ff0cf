"""Who is calling the API: a person's API token, or the site's own signed-in session.

`TokenOrSessionAuth` (use as `auth=token_or_session` on a django-ninja operation or router):
- `Authorization: Bearer <secret>`: the token's owner (see `selectors.user_for_api_token`). No
  CSRF check: a browser never adds this header by itself. An unknown, revoked or malformed token
  is refused with 401 `invalid_token`, even when a session cookie comes along too.
- otherwise a signed-in session, with Django's CSRF check for unsafe methods (the `X-CSRFToken`
  header), exactly as ninja's `django_auth` and the councils API do: 401 `not_authenticated` with
  no session, 403 `csrf_failed` without a valid token.
Either way `request.user` is the person, so the operation reads it as a page view does. Errors
are DomainErrors, so they come in the API's `{"detail", "code"}` shape.

`TokenCheckedByWrite` (`auth=token_checked_by_write`) is for a write that checks the token itself,
together with the other requests' writes of the moment (supports, decision 0013): a bearer token
comes to the operation as a `PendingToken` (its digest, not looked up yet) and `request.user` stays
anonymous; the write refuses an unknown or revoked one with the same 401 `invalid_token`. A session
works as above.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from kenes.accounts.selectors import api_token_digest, user_for_api_token
from kenes.core.errors import DomainError


def invalid_token() -> DomainError:
    """An unknown, revoked or malformed API token (also for a write that checks the token itself)."""
    return DomainError(_("This API token is not valid: it is unknown or revoked."), code="invalid_token", status=401)


def not_signed_in() -> DomainError:
    return DomainError(_("Log in to do this."), code="not_authenticated", status=401)


class TokenOrSessionAuth(HttpBearer):
    """Described in the OpenAPI document as HTTP bearer; the session works as on the site."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        if header:
            scheme, _space, secret = header.partition(" ")
            if scheme.lower() != self.openapi_scheme:
                raise DomainError(
                    _("Send the API token as: Authorization: Bearer <token>."), code="invalid_token", status=401
                )
            return self.authenticate(request, secret.strip())
        if not request.user.is_authenticated:
            raise not_signed_in()
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise DomainError(
                _("The security check failed: reload the page and try again."), code="csrf_failed", status=403
            )
        return request.user

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_api_token(token)
        if user is None:
            raise invalid_token()
        request.user = user
        return user


token_or_session = TokenOrSessionAuth()


@dataclass(frozen=True)
class PendingToken:
    """A bearer token's digest, for the operation's write to check (see the module's text)."""

    digest: str


class TokenCheckedByWrite(TokenOrSessionAuth):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        digest = api_token_digest(token)
        if digest is None:
            raise invalid_token()
        return PendingToken(digest)


token_checked_by_write = TokenCheckedByWrite()
