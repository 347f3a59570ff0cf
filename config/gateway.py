"""The support gateway (decision 0014): `POST /api/v1/proposals/{id}/support` with an API token,
answered without the whole site's request cycle.

A support storm is the one load where Kenes must answer thousands of small writes a second
(issue 10). The write is shared by groups (decision 0013); what was left per request was Django's
full middleware chain, URL resolving and django-ninja: about 0.5 ms of CPU per support. Measured in
one process with the write taken out: the site's way 533 µs, the short chain below 214 µs, the fast
lane 52 µs.

Two lanes, one operation (`proposals.api.support_answer`, the same body ninja's route runs):

- **The fast lane**, for what nearly every support is: a well-formed token, a valid host, the
  write succeeds. The gateway reads the request (`WSGIRequest`: the host checked against
  ALLOWED_HOSTS, the scheme, the language, exactly as Django's middleware does), writes, and
  answers 200 with the body ninja's renderer makes and the headers the short chain below gives
  a 200 for that scheme and language (asked once per pair and kept: they do not depend on the
  rest of the request), plus the request's own X-Request-ID and Content-Length.
- **The short chain** (a `WSGIHandler` with the middleware of `GATEWAY_MIDDLEWARE`, in the order
  of `settings.MIDDLEWARE`, and no URL resolving) for everything else: a malformed or non-bearer
  Authorization header, a host Django refuses, a request Django would redirect to https, and
  every refusal or error of the write. The write is not repeated: its outcome (a DomainError, a
  database error, anything) is handed to the chain, which renders it as ninja's route would (the
  API's DomainError handler, DatabaseUnavailableMiddleware's 503, the 500 handler), in the
  reader's language.

Everything else goes to the site's handler: another method or path, a path ninja reads
differently (a leading zero, an id over 18 digits), a request without an Authorization header (the
site's own form, with its session and CSRF). The middleware left out has nothing to do for a
bearer-token POST to the API: no session or user is read (the token is the caller, checked by the
write), ninja exempts its operations from CSRF, no page is cached, no static file or lockout is
involved. Tests compare status, body and headers with the site's own answer for success and each
refusal. `KENES_SUPPORT_GATEWAY=false` turns the gateway off.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch
from django.utils import translation
from django.utils.module_loading import import_string

from config.api import api, domain_error
from kenes.accounts.api_auth import PendingToken, token_checked_by_write
from kenes.accounts.selectors import api_token_digest
from kenes.core.errors import DomainError
from kenes.core.middleware import request_id_from
from kenes.core.request_context import reset_request_id, set_request_id
from kenes.proposals.api import support_answer
from kenes.proposals.services import supports

# The middleware that acts on this request, as the full chain would run it.
GATEWAY_MIDDLEWARE = frozenset(
    {
        "django.middleware.gzip.GZipMiddleware",  # a refusal's message is long enough to compress
        "kenes.core.middleware.RequestIdMiddleware",
        "kenes.core.middleware.DatabaseUnavailableMiddleware",
        "kenes.core.replica.ReplicaPinMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "kenes.core.middleware.ContentSecurityPolicyMiddleware",
        "kenes.core.middleware.KazakhFirstLocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    }
)

# What ninja reads as the same operation with the same id: its `int` path, written canonically.
SUPPORT_PATH = re.compile(r"/api/v1/proposals/([1-9][0-9]{0,17})/support")

# The fast lane's outcome (a 200 body, or the write's exception), for the short chain to render.
OUTCOME = "kenes.gateway.outcome"

# Headers that belong to one answer, never kept from one answer for the next.
PER_ANSWER = frozenset({"content-length", "x-request-id", "set-cookie"})

WSGIApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def support(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """The support operation as ninja's route runs it (its auth, its body, the API's DomainError
    handler), or the rendering of the outcome the fast lane already has."""
    outcome = request.META.pop(OUTCOME, None)
    try:
        if isinstance(outcome, BaseException):
            raise outcome
        if outcome is None:
            caller = token_checked_by_write(request)
            request.auth = caller  # type: ignore[attr-defined]
            outcome = support_answer(proposal_id, caller)
        return api.create_response(request, outcome, status=200)
    except DomainError as refused:
        return domain_error(request, refused)


def _bearer_digest(header: str) -> str | None:
    """The token's digest, when the header is what `token_checked_by_write` reads as a bearer token
    that could be ours; None sends the request to the short chain, which refuses it the same way."""
    scheme, _space, secret = header.partition(" ")
    return api_token_digest(secret.strip()) if scheme.lower() == "bearer" else None


class SupportGateway(WSGIHandler):
    """A WSGI application: supports with a token here (see the module's text), the rest to `site`."""

    def __init__(self, site: WSGIApplication) -> None:
        super().__init__()
        self.site = site
        # Settings under which CommonMiddleware or the replica's pin acts on more than the host:
        # then every support takes the short chain.
        self.fast = not (
            settings.DISALLOWED_USER_AGENTS
            or settings.PREPEND_WWW
            or "kenes.core.replica.ReplicaPinMiddleware" in settings.MIDDLEWARE
        )
        self._headers: dict[tuple[bool, str], list[tuple[str, str]]] = {}

    def load_middleware(self, is_async: bool = False) -> None:
        """Django's chain (`BaseHandler.load_middleware`, synchronous), of `GATEWAY_MIDDLEWARE` only."""
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for path in reversed(settings.MIDDLEWARE):
            if path not in GATEWAY_MIDDLEWARE:
                continue
            middleware = import_string(path)(handler)
            if hasattr(middleware, "process_view"):
                self._view_middleware.insert(0, middleware.process_view)
            if hasattr(middleware, "process_exception"):
                self._exception_middleware.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        found = SUPPORT_PATH.fullmatch(request.path_info)
        assert found is not None  # __call__ sends nothing else here
        match = ResolverMatch(support, (), {"proposal_id": int(found[1])}, url_name="support_gateway")
        request.resolver_match = match
        return match

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        found = (
            SUPPORT_PATH.fullmatch(environ.get("PATH_INFO", ""))
            if environ.get("REQUEST_METHOD") == "POST"
            and environ.get("HTTP_AUTHORIZATION")
            and not environ.get("SCRIPT_NAME")
            else None
        )
        if found is None:
            return self.site(environ, start_response)
        digest = _bearer_digest(environ["HTTP_AUTHORIZATION"]) if self.fast else None
        if digest is None:
            return super().__call__(environ, start_response)
        request = WSGIRequest(environ)
        if not self._plain(request):
            return super().__call__(environ, start_response)
        return self._fast(environ, start_response, request, int(found[1]), digest)

    def _plain(self, request: HttpRequest) -> bool:
        """Whether the chain's middleware would let the request reach the operation unchanged."""
        try:
            request.get_host()  # CommonMiddleware: a host not in ALLOWED_HOSTS is a 400
        except DisallowedHost:
            return False
        return not (settings.SECURE_SSL_REDIRECT and not request.is_secure())  # SecurityMiddleware's redirect

    def _fast(
        self, environ: dict[str, Any], start_response: Callable[..., Any], request: HttpRequest, pk: int, digest: str
    ) -> Any:
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID", ""))
        environ["HTTP_X_REQUEST_ID"] = request_id  # the short chain keeps it, if it answers
        inline = not supports.grouping()  # then this thread uses the database, as a request of Django's
        if inline:
            signals.request_started.send(sender=self.__class__, environ=environ)
        context = set_request_id(request_id)
        try:
            environ[OUTCOME] = support_answer(pk, PendingToken(digest))
        except Exception as error:
            environ[OUTCOME] = error  # rendered by the short chain, as ninja's route would
        finally:
            reset_request_id(context)
            if inline:
                signals.request_finished.send(sender=self.__class__)
        # The headers depend on the scheme and the language (KazakhFirstLocaleMiddleware's, for /api/).
        key = (request.is_secure(), translation.get_language_from_request(request))
        headers = self._headers.get(key)
        if headers is None or isinstance(environ[OUTCOME], BaseException):
            return super().__call__(environ, self._keeping_headers(start_response, key))
        body = api.renderer.render(request, environ.pop(OUTCOME), response_status=200).encode()
        start_response("200 OK", [*headers, ("Content-Length", str(len(body))), ("X-Request-ID", request_id)])
        return [body]

    def _keeping_headers(self, start_response: Callable[..., Any], key: tuple[bool, str]) -> Callable[..., Any]:
        """`start_response`, noting the headers of a 200 for `key` (scheme, language) for the fast lane."""

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if status.startswith("200 ") and not any(name.lower() == "set-cookie" for name, _value in headers):
                self._headers[key] = [(name, value) for name, value in headers if name.lower() not in PER_ANSWER]
            return start_response(status, headers, exc_info)

        return keep


def with_support_gateway(site: WSGIApplication) -> WSGIApplication:
    """The site's WSGI application, with the gateway in front when `KENES_SUPPORT_GATEWAY` is on."""
    return SupportGateway(site) if settings.KENES_SUPPORT_GATEWAY else site
