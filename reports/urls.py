"""The ops pages, mounted at `/ops/` (config/urls.py)."""

from django.urls import path

from reports import views

urlpatterns = [
    path("", views.dashboard, name="ops-dashboard"),
    path("exports/", views.exports, name="ops-exports"),
    path("exports/<int:export_id>/", views.export_detail, name="ops-export"),
    path(
        "exports/<int:export_id>/download/<str:token>/",
        views.export_download,
        name="ops-export-download",
    ),
]
