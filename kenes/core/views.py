from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from django.views.static import serve

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    # Core imports no app: the pilot district is reached by its URL name and KATO code only.
    pilot_url = reverse("territory:unit", args=[settings.KENES_PILOT_DISTRICT])
    context = {"pilot_url": pilot_url, "pilot_kato": settings.KENES_PILOT_DISTRICT}
    return render(request, "core/home.html", context)


def media(request: HttpRequest, path: str) -> HttpResponse | FileResponse:
    """An uploaded file from MEDIA_ROOT (read at request time); `serve` refuses paths outside it."""
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


@require_safe
def ping(request: HttpRequest) -> HttpResponse:
    """The trivial view every load benchmark measures beside the real pages (same server, same run):
    no database, no template. Also a load balancer's health check of the process."""
    return HttpResponse(b"ok", content_type="text/plain")


UNAVAILABLE_RETRY_SECONDS = 10


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler. When the database is unreachable (restarting, failed over, out of
    connections) the answer is a 503 that says so, with Retry-After, rendered without touching the
    database: the request's transaction was rolled back, so nothing half-done was kept, and the next
    request opens a new connection (no restart of Kenes needed). Anything else is the plain 500."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.warning("database unavailable: %s", str(error).splitlines()[0] if str(error) else type(error).__name__)
        if request.path.startswith("/api/"):
            message = gettext("The database is not answering right now: try again in a minute.")
            response: HttpResponse = JsonResponse({"detail": message, "code": "unavailable"}, status=503)
        else:
            response = HttpResponse(loader.render_to_string("503.html", request=None), status=503)
        response["Retry-After"] = str(UNAVAILABLE_RETRY_SECONDS)
        return response
    return HttpResponseServerError(loader.render_to_string("500.html", request=None))
