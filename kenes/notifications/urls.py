from django.urls import path

from kenes.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notices, name="notices"),
    path("read/", views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/open/", views.open_notice, name="open"),
    path("settings/", views.notification_settings, name="settings"),
    path("telegram/", views.telegram, name="telegram"),
    path("telegram/unlink/", views.unlink_telegram, name="unlink_telegram"),
    path("telegram/webhook/", views.telegram_webhook, name="telegram_webhook"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/retry/", views.retry, name="retry"),
]
