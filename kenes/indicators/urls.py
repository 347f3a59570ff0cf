from django.urls import path, re_path

from kenes.indicators import dashboard_views, perspective_views, views

app_name = "indicators"

KATO = r"(?P<kato>[0-9]{9})"
CODE = r"(?P<code>[-a-zA-Z0-9_]{1,60})"
KIND = r"(?P<kind>svg|png)"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("import/", views.import_page, name="import"),
    path("imports/", views.imports, name="imports"),
    path("perspective/", perspective_views.perspective_pilot, name="perspective_pilot"),
    path("perspective/<str:kato>/", perspective_views.perspective, name="perspective"),
    re_path(rf"^okrug/{KATO}/$", dashboard_views.okrug_profile, name="okrug"),
    re_path(rf"^district/{KATO}/$", dashboard_views.district_overview, name="district"),
    re_path(rf"^region/{KATO}/$", dashboard_views.region_overview, name="region"),
    re_path(rf"^map/{KATO}/$", dashboard_views.indicator_map, name="map"),
    re_path(rf"^chart/{KATO}/{CODE}\.{KIND}$", dashboard_views.unit_chart, name="unit_chart"),
    re_path(rf"^bars/{KATO}/{CODE}\.{KIND}$", dashboard_views.overview_chart, name="overview_chart"),
    path("evaluation/", dashboard_views.evaluation_index, name="evaluation_index"),
    path("evaluation/<int:pk>/", dashboard_views.evaluation, name="evaluation"),
    re_path(
        r"^evaluation/(?P<pk>[0-9]+)/(?P<outcome>[a-z_]{1,30})\.(?P<kind>svg|png)$",
        dashboard_views.evaluation_chart,
        name="evaluation_chart",
    ),
]
