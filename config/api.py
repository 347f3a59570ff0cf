"""The JSON API at /api/v1/: one NinjaAPI, one router per app, one DomainError handler."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from kenes.accountability.api import router as accountability_router
from kenes.core.errors import DomainError
from kenes.councils.api import router as councils_router
from kenes.indicators.api import router as indicators_router
from kenes.meetings.api import router as meetings_router
from kenes.notifications.api import router as notifications_router
from kenes.proposals.api import router as proposals_router
from kenes.relocation.api import router as relocation_router
from kenes.territory.api import router as territory_router

api = NinjaAPI(
    title="Kenes API",
    version="1.0.0",
    description="Local self-government in the rural okrugs of Kazakhstan.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc.message), "code": exc.code}, status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors, "code": "invalid"}, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja's own refusals (a body that is not JSON is its 400), in the same shape.
    code = "malformed_request" if exc.status_code == 400 else "error"
    return api.create_response(request, {"detail": str(exc), "code": code}, status=exc.status_code)


api.add_router("/territory/", territory_router)
api.add_router("/councils/", councils_router)
api.add_router("/proposals/", proposals_router)
api.add_router("/meetings/", meetings_router)
api.add_router("/accountability/", accountability_router)
api.add_router("/relocation/", relocation_router)
api.add_router("/indicators/", indicators_router)
api.add_router("/notifications/", notifications_router)
