from django.urls import path

from kenes.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("import/", views.import_page, name="import"),
    path("imports/", views.imports, name="imports"),
]
