from django.urls import path, re_path

from kenes.territory import views

app_name = "territory"

urlpatterns = [
    path("", views.country, name="country"),
    path("search/", views.search, name="search"),
    re_path(r"^(?P<kato>[0-9]{9})/$", views.unit, name="unit"),
    re_path(r"^(?P<kato>[0-9]{9})/boundaries\.geojson$", views.boundaries, name="boundaries"),
]
