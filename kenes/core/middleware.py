from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext

from kenes.core.errors import DomainError
from kenes.core.request_context import reset_request_id, set_request_id

logger = logging.getLogger(__name__)

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

# Long enough for PostgreSQL to restart or fail over; a person reading the page decides for themselves.
RETRY_AFTER_SECONDS = 10

# No inline scripts anywhere: every script is a static file. Leaflet sets element styles from
# JavaScript (CSSOM), which style-src does not restrict; no tiles, so images are ours or data: URIs.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def request_id_from(incoming: str) -> str:
    """The id a request goes by: the client's X-Request-ID when it is sane, else a new one."""
    return incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Gives every request an id (kept from X-Request-ID when it is sane) for logs and audit rows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get("X-Request-ID", ""))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class DomainErrorMiddleware:
    """A DomainError escaping a page view becomes a translated message page, not a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        return render(
            request,
            "core/domain_error.html",
            {"message": exception.message, "code": exception.code},
            status=exception.status,
        )


class KazakhFirstLocaleMiddleware(LocaleMiddleware):
    """Kazakh unless the person chose another language (the switcher's cookie).

    The browser's Accept-Language is not consulted: phones here are often set to Russian or
    English, and the state language comes first. A choice, once made, is remembered. API clients
    have no switcher, so under /api/ the Accept-Language header chooses (Kazakh when it names none
    of ours).
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            translation.activate(translation.get_language_from_request(request))
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            supported = {code for code, _name in settings.LANGUAGES}
            translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class DatabaseUnavailableMiddleware:
    """While the database does not answer (restarting, failing over, out of connections) a request
    gets a quick 503 that says so, with Retry-After, instead of a 500 and a traceback: the page
    `503.html` in the reader's language, or the API's error body `{"detail", "code": "unavailable"}`.

    The answer is made without the database (no session, no user, no context processors). The
    request's transaction was rolled back with the connection, and Django drops a broken connection
    when the request ends (CONN_HEALTH_CHECKS checks a kept one before reuse), so the next request
    connects again: Kenes recovers without a restart.

    It catches what the view raises, and what the view's template raises while rendering; the
    session and the user are read lazily, so their first query happens there too. Django turns an
    exception into a response at each middleware's boundary, so a failure inside another middleware
    (the session saved after the view) never reaches this one: the 500 handler,
    `kenes.core.views.server_error`, gives that one the same 503.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        return database_unavailable(request, exception)


def database_unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    """The 503 answer for a request the database could not serve, logged once in one line."""
    reason = str(error).strip().splitlines()
    # One line per request, no traceback: an outage fails every request, and hundreds of identical
    # tracebacks would bury whatever else the log says.
    logger.warning(
        "database unavailable, answered 503: %s %s (request %s): %s",
        request.method,
        request.path,
        getattr(request, "request_id", "-"),
        reason[0] if reason else type(error).__name__,
    )
    if request.path.startswith("/api/"):
        message = gettext("The database is not answering right now: try again in a minute.")
        response: HttpResponse = JsonResponse({"detail": message, "code": "unavailable"}, status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html", request=None), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Django's request logger would log every 5xx again as an error; this one is logged above.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
