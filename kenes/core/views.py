from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse


def home(request: HttpRequest) -> HttpResponse:
    # Core imports no app: the pilot district is reached by its URL name and KATO code only.
    pilot_url = reverse("territory:unit", args=[settings.KENES_PILOT_DISTRICT])
    context = {"pilot_url": pilot_url, "pilot_kato": settings.KENES_PILOT_DISTRICT}
    return render(request, "core/home.html", context)
