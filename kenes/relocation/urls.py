from django.urls import path, re_path

from kenes.relocation import dashboard_views, views

app_name = "relocation"

KATO = r"(?P<kato>[0-9]{9})"

urlpatterns = [
    path("", views.offers, name="offers"),
    re_path(rf"^district/{KATO}/$", views.offers, name="district_offers"),
    path("offers/<int:pk>/", views.offer, name="offer"),
    path("offers/<int:pk>/apply/", views.apply, name="apply"),
    path("offers/<int:pk>/close/", views.close, name="close"),
    path("offers/<int:pk>/edit/", views.edit_offer, name="edit_offer"),
    path("offers/<int:pk>/applications/", views.offer_applications, name="offer_applications"),
    path("offers/<int:pk>/candidates/", views.candidates, name="candidates"),
    path("offers/new/", views.new_offer, name="new_offer"),
    path("mine/offers/", views.my_offers, name="my_offers"),
    path("employers/", views.employers, name="employers"),
    path("employers/new/", views.register_employer, name="register_employer"),
    path("employers/<int:pk>/verify/", views.verify_employer, name="verify_employer"),
    path("me/", views.profile, name="profile"),
    path("me/matches/", views.matches, name="matches"),
    path("me/applications/", views.my_applications, name="my_applications"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/move/", views.record_move, name="record_move"),
    path("moves/", views.moves, name="moves"),
    path("moves/<int:pk>/retention/", views.retention, name="retention"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
]
