from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation

from kenes.core.errors import DomainError
from kenes.core.request_context import reset_request_id, set_request_id

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

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


class RequestIdMiddleware:
    """Gives every request an id (kept from X-Request-ID when it is sane) for logs and audit rows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
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
