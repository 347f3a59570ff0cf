from django.urls import path, re_path

from kenes.councils import views

app_name = "councils"

KATO = r"(?P<kato>[0-9]{9})"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("charters/<int:charter_id>/", views.charter, name="charter"),
    re_path(
        r"^charters/(?P<charter_id>[0-9]+)/regulation-(?P<language>kk|ru)\.pdf$", views.charter_pdf, name="charter_pdf"
    ),
    path("charters/<int:charter_id>/edit/", views.charter_edit, name="charter_edit"),
    path("charters/<int:charter_id>/new-version/", views.charter_new_version, name="charter_new_version"),
    path("pilots/<int:pilot_id>/", views.pilot, name="pilot"),
    path("manage/", views.manage_index, name="manage_index"),
    re_path(rf"^manage/establish/{KATO}/$", views.establish, name="establish"),
    re_path(rf"^{KATO}/$", views.detail, name="detail"),
    re_path(rf"^{KATO}/manage/$", views.manage, name="manage"),
    re_path(rf"^{KATO}/manage/members/(?P<member_id>[0-9]+)/end/$", views.member_end, name="member_end"),
    re_path(rf"^{KATO}/manage/members/(?P<member_id>[0-9]+)/replace/$", views.member_replace, name="member_replace"),
    re_path(
        rf"^{KATO}/manage/coordinators/(?P<coordinator_id>[0-9]+)/end/$",
        views.coordinator_end,
        name="coordinator_end",
    ),
]
