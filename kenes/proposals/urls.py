from __future__ import annotations

from django.urls import path

from kenes.proposals import views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("screening/", views.queue, name="queue"),
    path("okrug/<str:kato>/", views.okrug_list, name="okrug"),
    path("okrug/<str:kato>/new/", views.new, name="new"),
    path("okrug/<str:kato>/on-behalf/", views.assisted, name="assisted"),
    path("okrug/<str:kato>/similar/", views.similar, name="similar"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/support/", views.support, name="support"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/screen/", views.screen, name="screen"),
    path("<int:pk>/comments/", views.comment, name="comment"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/report/", views.comment_report, name="comment_report"),
    path("comments/<int:pk>/hide/", views.comment_hide, name="comment_hide"),
    path("comments/<int:pk>/unhide/", views.comment_unhide, name="comment_unhide"),
]
