from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def country(request: HttpRequest) -> HttpResponse:
    return render(request, "territory/country.html", {})
