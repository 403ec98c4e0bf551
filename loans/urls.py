"""The borrower's settings page (api.md, "Web pages")."""

from django.urls import path

from loans import views

urlpatterns = [
    path("", views.preferences, name="preferences"),
]
