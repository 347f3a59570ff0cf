from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.api import api
from kenes.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("-/ping", core_views.ping, name="ping"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("accounts/", include("kenes.accounts.urls")),
    path("territory/", include("kenes.territory.urls")),
    path("councils/", include("kenes.councils.urls")),
    path("proposals/", include("kenes.proposals.urls")),
    path("sittings/", include("kenes.meetings.urls")),
    path("accountability/", include("kenes.accountability.urls")),
    path("relocation/", include("kenes.relocation.urls")),
    path("indicators/", include("kenes.indicators.urls")),
    path("notifications/", include("kenes.notifications.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    # Uploaded photos, served by Django itself: fine for a pilot on one machine; a larger
    # deployment sets SERVE_MEDIA=false and lets its web server or object storage serve MEDIA_ROOT.
    from django.urls import re_path

    from kenes.core.views import media

    urlpatterns += [re_path(r"^media/(?P<path>.*)$", media, name="media")]

handler500 = "kenes.core.views.server_error"
