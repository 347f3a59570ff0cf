from django.urls import path, re_path

from kenes.meetings import views

app_name = "meetings"

KATO = r"(?P<kato>[0-9]{9})"

urlpatterns = [
    re_path(rf"^council/{KATO}/$", views.council_meetings, name="council"),
    re_path(rf"^council/{KATO}/calendar\.ics$", views.ical, name="ical"),
    re_path(rf"^council/{KATO}/new/$", views.schedule, name="schedule"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/live/", views.live, name="live"),
    path("<int:pk>/console/", views.console, name="console"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    re_path(r"^(?P<pk>[0-9]+)/agenda-(?P<language>kk|ru)\.pdf$", views.agenda_pdf, name="agenda_pdf"),
    re_path(r"^(?P<pk>[0-9]+)/minutes-(?P<language>kk|ru)\.pdf$", views.minutes_pdf, name="minutes_pdf"),
    path("recommendations/<int:pk>/", views.recommendation, name="recommendation"),
]
