from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from kenes.core.models import SiteFlag


def site(request: HttpRequest) -> dict[str, object]:
    # One indexed query per page; lazily evaluated only when a template reads it.
    def demo_mode() -> bool:
        return SiteFlag.objects.filter(key=SiteFlag.DEMO_DATA, value="1").exists()

    return {"SITE_URL": settings.SITE_URL, "DEMO_MODE": demo_mode}
