from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.static import serve


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
