from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django.views.i18n import set_language as django_set_language
from django.views.static import serve

from kenes.core.middleware import database_unavailable
from kenes.core.page_cache import public_page


@public_page
def home(request: HttpRequest) -> HttpResponse:
    # Core imports no app: the pilot district is reached by its URL name and KATO code only.
    pilot_url = reverse("territory:unit", args=[settings.KENES_PILOT_DISTRICT])
    context = {"pilot_url": pilot_url, "pilot_kato": settings.KENES_PILOT_DISTRICT}
    return render(request, "core/home.html", context)


def media(request: HttpRequest, path: str) -> HttpResponse | FileResponse:
    """An uploaded file from MEDIA_ROOT (read at request time); `serve` refuses paths outside it."""
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


# The language buttons on every page post here without a CSRF token (decision 0012): a page that
# carries no token is the same for every visitor, so it can be cached and compressed once. Django's
# view still takes only POST, keeps `next` on this site, and changes nothing but the language cookie:
# the worst another site can do through it is switch a visitor's language.
set_language = csrf_exempt(django_set_language)


@require_safe
def ping(request: HttpRequest) -> HttpResponse:
    """The trivial view every load benchmark measures beside the real pages (same server, same run):
    no database, no template. Also a load balancer's health check of the process."""
    return HttpResponse(b"ok", content_type="text/plain")


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler. When the database is unreachable (restarting, failed over, out of
    connections) the answer is the same 503 as `DatabaseUnavailableMiddleware` gives, for the errors
    raised where that middleware cannot see them (inside another middleware, such as the session
    saved after the view). Anything else is the plain 500, rendered without the database."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        return database_unavailable(request, error)
    return HttpResponseServerError(loader.render_to_string("500.html", request=None))
