from django.urls import path, re_path

from kenes.accountability import scorecard_views, views

app_name = "accountability"

KATO = r"(?P<kato>[0-9]{9})"

urlpatterns = [
    path("", scorecard_views.scorecards, name="scorecards"),
    re_path(rf"^okrug/{KATO}/$", scorecard_views.okrug_scorecard, name="okrug_scorecard"),
    re_path(rf"^district/{KATO}/$", scorecard_views.district_scorecard, name="district_scorecard"),
    path("pilot/<int:pk>/", scorecard_views.pilot_scorecard, name="pilot_scorecard"),
    path("inbox/", views.inbox, name="inbox"),
    path("escalations/", views.escalations, name="escalations"),
    path("recommendations/<int:pk>/", views.recommendation, name="recommendation"),
    path("recommendations/<int:pk>/answer/", views.answer, name="answer"),
    path("recommendations/<int:pk>/forward/", views.forward, name="forward"),
    path("recommendations/<int:pk>/extend/", views.extend, name="extend"),
    path("recommendations/<int:pk>/progress/", views.progress, name="progress"),
    path("recommendations/<int:pk>/unsatisfactory/", views.unsatisfactory, name="unsatisfactory"),
    path("proposals/<int:pk>/story/", views.story, name="story"),
]
