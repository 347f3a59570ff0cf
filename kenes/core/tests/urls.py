"""A test-only URLconf: the real site plus views that exercise core's middleware."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from kenes.core.audit import record_audit
from kenes.core.errors import DomainError


def raise_domain_error(request: HttpRequest) -> HttpResponse:
    # A msgid Django's own catalogues translate, so the test does not wait for ours to be compiled.
    raise DomainError(_("This field is required."), code="test_refused")


def write_audit_row(request: HttpRequest) -> HttpResponse:
    entry = record_audit(actor=None, action="test.request", target=get_user_model().objects.first())
    return JsonResponse({"request_id": entry.request_id})


urlpatterns = [
    path("_test/domain-error/", raise_domain_error),
    path("_test/audit/", write_audit_row),
    path("", include("config.urls")),
]
