from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.api import api
from kenes.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("kenes.accounts.urls")),
    path("territory/", include("kenes.territory.urls")),
    path("councils/", include("kenes.councils.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
