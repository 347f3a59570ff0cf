from django.urls import path

from kenes.indicators import perspective_views, views

app_name = "indicators"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("import/", views.import_page, name="import"),
    path("imports/", views.imports, name="imports"),
    path("perspective/", perspective_views.perspective_pilot, name="perspective_pilot"),
    path("perspective/<str:kato>/", perspective_views.perspective, name="perspective"),
]
