from django.urls import path

from kenes.territory import views

app_name = "territory"

urlpatterns = [
    path("", views.country, name="country"),
]
